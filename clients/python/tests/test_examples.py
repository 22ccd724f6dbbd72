"""The examples in clients/python/examples run as department teams would run them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import HEARTBEAT

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_the_claims_bot_answers_an_agent_after_asking_for_the_member_id(daemon):
    bot = subprocess.Popen(
        [sys.executable, str(EXAMPLES / "claims_bot.py"), "--endpoint", daemon.endpoint, "--heartbeat", str(HEARTBEAT),
         "--lookup", str(4 * HEARTBEAT * 3)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        ask = subprocess.run(
            [sys.executable, str(EXAMPLES / "ask.py"), "--endpoint", daemon.endpoint, "--department", "claims",
             "--reply", "M-7", "--timeout", "30", "Status of claim C-1001?"],
            capture_output=True, text=True, timeout=60)
        assert ask.returncode == 0, ask.stderr
        lines = ask.stdout.splitlines()
        assert lines[0].startswith("ticket: T-")
        assert "question: Which member id?" in lines
        assert "update: looking up C-1001" in lines
        assert lines[-1] == "answer: Claim C-1001 for M-7: paid on 2026-11-02."

        rejected = subprocess.run(
            [sys.executable, str(EXAMPLES / "ask.py"), "--endpoint", daemon.endpoint, "--department", "claims",
             "--timeout", "30", "Status of claim C-9999?"],
            capture_output=True, text=True, timeout=60)
        assert rejected.returncode == 1 and "no claim on file" in rejected.stderr, rejected.stderr
    finally:
        bot.terminate()
        assert bot.wait(10) == 0, bot.stderr.read()
