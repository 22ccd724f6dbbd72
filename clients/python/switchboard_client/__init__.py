"""switchboard-client: department bots and agents for Switchboard, in Python.

    from switchboard_client import Bot

    bot = Bot("tcp://127.0.0.1:5570", departments=["claims"], capacity=4, name="claims-bot")

    @bot.handler
    def answer(request):
        if "C-1001" not in request.text:
            raise Reject("claim not on file")
        return "Claim C-1001: paid on 2026-11-02."

    bot.run()                                   # until SIGINT or SIGTERM, or bot.stop()

    from switchboard_client import Agent

    with Agent("tcp://127.0.0.1:5570") as agent:
        print(agent.ask("claims", "Status of claim C-1001?").text)

`Bot` runs each request's handler on a thread pool while its own thread keeps the heartbeats, the
reconnections and the protocol, so a slow lookup never gets the bot declared lost. `protocol` is the SWB/1
codec both use (schemas/PROTOCOL.md), checked against the golden vectors.
"""

from .errors import (
    ProtocolError,
    Refused,
    Reject,
    Release,
    RequestFailed,
    SwitchboardError,
    Timeout,
    Transfer,
)

__version__ = "0.9.0"

__all__ = [
    "Agent", "Answer", "Bot", "ProtocolError", "Refused", "Reject", "Release", "Request", "RequestFailed", "Status",
    "Submission", "SwitchboardError", "Timeout", "Transfer", "__version__",
]


def __getattr__(name: str):
    # The bot and the agent need pyzmq; the codec and the errors do not, so they are imported on first use.
    if name in ("Bot", "Request"):
        from . import bot
        return getattr(bot, name)
    if name in ("Agent", "Answer", "Status", "Submission"):
        from . import agent
        return getattr(agent, name)
    raise AttributeError(f"module 'switchboard_client' has no attribute {name!r}")
