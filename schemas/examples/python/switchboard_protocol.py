"""The SWB/1 codec these examples use: the `switchboard-client` package's (clients/python/switchboard_client/
protocol.py), taken from this repository's copy when it is there, so the examples always run the codec that
the package ships and the golden vectors check."""

import sys
from pathlib import Path

_REPOSITORY_PACKAGE = Path(__file__).resolve().parents[3] / "clients" / "python"
if (_REPOSITORY_PACKAGE / "switchboard_client").is_dir():
    sys.path.insert(0, str(_REPOSITORY_PACKAGE))

from switchboard_client.protocol import *  # noqa: E402,F401,F403
from switchboard_client.protocol import SCHEMA_DIR  # noqa: E402,F401
