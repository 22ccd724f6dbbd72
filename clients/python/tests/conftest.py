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
    """`security`: a `security:` section (CURVE), with `probe` the (public, secret, server public) keys the
    readiness probe connects with."""

    def __init__(self, directory: Path, security: str = "", probe: tuple[bytes, bytes, bytes] | None = None) -> None:
        binary = os.environ.get("SWITCHBOARD_DAEMON", str(REPOSITORY / ".build" / "debug" / "switchboardd"))
        if not Path(binary).is_file():
            raise RuntimeError(f"no switchboardd at {binary}: build it (swift build) or set SWITCHBOARD_DAEMON")
        self.endpoint = f"tcp://127.0.0.1:{free_port()}"
        config = directory / "switchboard.yaml"
        config.write_text(
            f"heartbeat:\n  interval: {int(HEARTBEAT * 1000)}ms\n  liveness: 3\n"
            "shutdown:\n  drain_timeout: 2s\n"
            "departments:\n  claims: {}\n  billing: {}\n  eligibility: {}\n" + security)
        self.log = open(directory / "switchboardd.log", "wb")
        self.process = subprocess.Popen(
            [binary, "--config", str(config), "--endpoint", self.endpoint,
             "--events", f"tcp://127.0.0.1:{free_port()}", "--http", "off", "--data-dir", str(directory / "var")],
            stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_until_serving(probe)

    def _wait_until_serving(self, keys: tuple[bytes, bytes, bytes] | None, within: float = 30.0) -> None:
        """Until the daemon answers a HEARTBEAT (each try waits up to 200 ms for the reply)."""
        context = zmq.Context()
        probe = context.socket(zmq.DEALER)
        probe.setsockopt(zmq.LINGER, 0)
        if keys:
            probe.curve_publickey, probe.curve_secretkey, probe.curve_serverkey = keys
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


@pytest.fixture
def curve_daemon():
    """A daemon that runs CURVE: the broker's key pair, and the principals alice (an agent of claims),
    claims-bot (a bot of claims) and probe; `keys` holds each one's certificate files."""
    import zmq.auth

    with tempfile.TemporaryDirectory(prefix="switchboard-client-curve-") as directory:
        home = Path(directory)
        keys = {}
        for name in ("broker", "alice", "claims-bot", "probe", "stranger"):
            public, secret = zmq.auth.create_certificates(directory, name)
            keys[name] = (public, secret)
        security = (
            f"security:\n  key: {keys['broker'][1]}\n  principals:\n"
            f"    alice: {{kind: agent, submit: [claims], key_file: {keys['alice'][0]}}}\n"
            f"    claims-bot: {{kind: bot, serve: [claims], key_file: {keys['claims-bot'][0]}}}\n"
            f"    probe: {{kind: bot, serve: [billing], key_file: {keys['probe'][0]}}}\n")
        probe_public, probe_secret = zmq.auth.load_certificate(keys["probe"][1])
        server_public, _ = zmq.auth.load_certificate(keys["broker"][0])
        running = Daemon(home, security=security, probe=(probe_public, probe_secret, server_public))
        running.keys = keys
        try:
            yield running
        finally:
            running.stop()
