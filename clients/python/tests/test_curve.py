"""Bot and Agent against a daemon that runs CURVE: keys in, permissions enforced, no keys no service."""

import pytest

from conftest import HEARTBEAT
from switchboard_client import Agent, Bot, Refused, Timeout


def test_keys_let_a_bot_and_an_agent_in_and_permissions_hold(curve_daemon):
    keys = curve_daemon.keys
    broker_public = str(keys["broker"][0])
    bot = Bot(curve_daemon.endpoint, ["claims"], name="claims-bot", heartbeat=HEARTBEAT,
              key=str(keys["claims-bot"][1]), server_key=broker_public, handler=lambda request: "over CURVE")
    bot.start()
    try:
        assert bot.wait_until_registered(10)
        with Agent(curve_daemon.endpoint, key=str(keys["alice"][1]), server_key=broker_public, timeout=20) as alice:
            assert alice.ask("claims", "Status of claim C-1001?").text == "over CURVE"
            with pytest.raises(Refused) as refused:
                alice.submit("billing", "not alice's department")
            assert refused.value.status == 403 and refused.value.error == "not-permitted"
        # A key the broker does not know gets nothing at all (the handshake fails): a timeout, not an answer.
        with Agent(curve_daemon.endpoint, key=str(keys["stranger"][1]), server_key=broker_public, timeout=2) as stranger:
            with pytest.raises(Timeout):
                stranger.submit("claims", "let me in")
    finally:
        bot.stop(wait=10)
