"""The package's codec against the repository's golden vectors (schemas/vectors): every valid vector decodes
and re-encodes byte for byte, every invalid one is refused with its documented status and reason."""

import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPOSITORY / "schemas" / "examples" / "python"))

import test_vectors as golden  # noqa: E402  (schemas/examples/python/test_vectors.py: the checker)

from switchboard_client import protocol  # noqa: E402


def test_the_examples_run_this_codec():
    import switchboard_protocol

    assert switchboard_protocol.decode is protocol.decode


def test_golden_vectors():
    counts, failures = golden.check_vectors(REPOSITORY / "schemas" / "vectors")
    assert not failures, "\n".join(failures)
    assert counts["valid"] >= 30 and counts["invalid"] >= 30
