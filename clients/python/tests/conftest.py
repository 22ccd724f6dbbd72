"""A real switchboardd for the package's tests: started on free 127.0.0.1 ports with a fresh ledger and fast
heartbeats, and stopped afterwards. `$SWITCHBOARD_DAEMON` names the binary (default: the repository's debug
build, which `make test` has built)."""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import zmq

from switchboard_client import protocol

REPOSITORY = Path(__file__).resolve().parents[3]
HEARTBEAT = 0.2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Daemon:
    def __init__(self, directory: Path) -> None:
        binary = os.environ.get("SWITCHBOARD_DAEMON", str(REPOSITORY / ".build" / "debug" / "switchboardd"))
        if not Path(binary).is_file():
            raise RuntimeError(f"no switchboardd at {binary}: build it (swift build) or set SWITCHBOARD_DAEMON")
        self.endpoint = f"tcp://127.0.0.1:{free_port()}"
        config = directory / "switchboard.yaml"
        config.write_text(
            f"heartbeat:\n  interval: {int(HEARTBEAT * 1000)}ms\n  liveness: 3\n"
            "shutdown:\n  drain_timeout: 2s\n"
            "departments:\n  claims: {}\n  billing: {}\n  eligibility: {}\n")
        self.log = open(directory / "switchboardd.log", "wb")
        self.process = subprocess.Popen(
            [binary, "--config", str(config), "--endpoint", self.endpoint,
             "--events", f"tcp://127.0.0.1:{free_port()}", "--http", "off", "--data-dir", str(directory / "var")],
            stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_until_serving()

    def _wait_until_serving(self, within: float = 30.0) -> None:
        """Until the daemon answers a HEARTBEAT (each try waits up to 200 ms for the reply)."""
        context = zmq.Context()
        probe = context.socket(zmq.DEALER)
        probe.setsockopt(zmq.LINGER, 0)
        probe.connect(self.endpoint)
        deadline = time.monotonic() + within
        try:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"switchboardd exited with {self.process.returncode}")
                protocol.send(probe, protocol.agent_message("HEARTBEAT"))
                if probe.poll(200):
                    return
            raise RuntimeError("switchboardd did not answer within 30 s")
        finally:
            probe.close()
            context.term()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture
def daemon():
    with tempfile.TemporaryDirectory(prefix="switchboard-client-") as directory:
        running = Daemon(Path(directory))
        try:
            yield running
        finally:
            running.stop()
