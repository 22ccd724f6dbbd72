#!/usr/bin/env python3
"""Checks switchboard_protocol.py against Switchboard's golden vectors (../../vectors, see its README.md).

    python3 test_vectors.py [../../vectors]

Every valid vector must decode to its command (with the delimiter if it has one), its JSON frames must match
their schemas and re-encode to the same bytes, and the whole message must re-encode to the same frames. Every
invalid vector must be refused with the status and reason it names, by the side that receives it (the broker for
`to_broker`, a peer for `from_broker`), without echoing the frames in the error message. Every event vector's
JSON must match event.schema.json and re-encode to the same bytes. Exits 1 with the list of failures. pytest
runs it too (test_golden_vectors).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import switchboard_protocol as swb

DEFAULT_FOLDER = swb.SCHEMA_DIR / "vectors"

JSON_FRAMES = {"ready_json": "ready", "status_json": "status", "history_json": "history", "error_json": "error"}


def _check_valid(vector: dict[str, Any]) -> None:
    frames = [bytes.fromhex(frame) for frame in vector["frames_hex"]]
    message, delimited = swb.decode(frames, vector["direction"])
    if delimited != vector["delimited"]:
        raise AssertionError(f"delimited is {delimited}, the vector says {vector['delimited']}")
    if (message.signature.decode(), message.command) != (vector["signature"], vector["command"]):
        raise AssertionError(f"decoded as {message.signature.decode()} {message.command}")
    for name, schema in JSON_FRAMES.items():
        if name not in message.fields:
            continue
        value = swb.parse_ready(message[name]) if schema == "ready" else swb.parse_json(message[name], schema)
        swb.validate(schema, value)
        if swb.encode_json(value) != message[name]:
            raise AssertionError(f"{schema} JSON re-encodes to different bytes: {swb.encode_json(value)!r}")
        if schema in ("status", "history") and value["ticket"] != message["ticket"]:
            raise AssertionError(f"{schema} JSON ticket differs from the ticket frame")
    if message.command == "ERROR":
        swb.error_detail(message)
    again = swb.encode(message, delimited)
    if again != frames:
        raise AssertionError(f"re-encodes to {[frame.hex() for frame in again]}")


def _check_invalid(vector: dict[str, Any]) -> None:
    frames = [bytes.fromhex(frame) for frame in vector["frames_hex"]]
    if "body_repeat" in vector:
        repeat = vector["body_repeat"]
        frames[repeat["frame"]] = bytes.fromhex(repeat["byte"]) * repeat["count"]
    expected = (vector["expect"]["status"], vector["expect"]["error"])
    try:
        message, _ = swb.decode(frames, vector["direction"])
        if message.signature == swb.WORKER and message.command == "READY":
            swb.parse_ready(message["ready_json"])  # the broker validates READY's JSON before it registers a worker
    except swb.ProtocolError as error:
        if (error.status, error.reason) != expected:
            got = f"{error.status} {error.reason}"
            raise AssertionError(f"refused with {got}, expected {expected[0]} {expected[1]}") from None
        if len(error.message.encode()) >= 400 or "xxxxxxxx" in error.message:
            raise AssertionError(f"the error message echoes the frames: {error.message[:80]!r}...") from None
        return
    raise AssertionError(f"accepted as {message.command}; expected {expected[0]} {expected[1]}")


def _check_event(vector: dict[str, Any]) -> None:
    frames = [bytes.fromhex(frame) for frame in vector["frames_hex"]]
    _, event = swb.decode_event(frames)
    if swb.encode_json(event) != frames[1]:
        raise AssertionError("event JSON re-encodes to different bytes")


def check_vectors(folder: Path) -> tuple[dict[str, int], list[str]]:
    """Runs every vector in `folder` (valid ones, invalid/ and events/). Returns counts and failures."""
    counts: dict[str, int] = {}
    failures: list[str] = []
    for kind, pattern, check in (
        ("valid", "*.json", _check_valid),
        ("invalid", "invalid/*.json", _check_invalid),
        ("event", "events/*.json", _check_event),
    ):
        paths = sorted(folder.glob(pattern))
        counts[kind] = len(paths)
        for path in paths:
            try:
                check(json.loads(path.read_text(encoding="utf-8")))
            except (AssertionError, swb.ProtocolError, swb.SchemaMismatch, KeyError, ValueError) as error:
                failures.append(f"{path.relative_to(folder)}: {type(error).__name__}: {error}")
    return counts, failures


def test_golden_vectors() -> None:
    """For pytest: every vector passes."""
    counts, failures = check_vectors(DEFAULT_FOLDER)
    assert counts["valid"] and counts["invalid"], f"no vectors in {DEFAULT_FOLDER}"
    assert not failures, "\n".join(failures)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER, help="the vectors (../../vectors)")
    folder = parser.parse_args().folder
    counts, failures = check_vectors(folder)
    if counts["valid"] == 0 or counts["invalid"] == 0:
        print(f"no vectors found in {folder}", file=sys.stderr)
        return 1
    for failure in failures:
        print(f"FAIL {failure}", file=sys.stderr)
    if swb.schema_validation_available():
        schemas = "checked against the schemas"
    else:
        schemas = f"NOT checked against the schemas (needs the jsonschema package and {swb.SCHEMA_DIR}/*.schema.json)"
    summary = ", ".join(f"{count} {kind}" for kind, count in counts.items())
    print(f"{summary} vectors; {len(failures)} failure(s); JSON frames {schemas}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
