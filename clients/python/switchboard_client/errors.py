"""The exceptions of switchboard-client: what the broker refused (with the protocol's status and reason),
what ended a request, and what a handler raises to reject or transfer one."""

from __future__ import annotations

from typing import Any

from .protocol import ProtocolError

__all__ = [
    "ProtocolError", "Refused", "Reject", "Release", "RequestFailed", "SwitchboardError", "Timeout", "Transfer",
]


class SwitchboardError(Exception):
    """Anything the library raises about the broker or a request."""


class Refused(SwitchboardError):
    """The broker refused a command (its ERROR reply): `status` is the protocol's status code (400, 403, 404,
    409, 413, 503, ...), `error` the stable reason (`unknown-department`, `unknown-ticket`, ...), and
    `message` the sentence for people."""

    def __init__(self, status: int, error: str, message: str, detail: dict[str, Any] | None = None) -> None:
        super().__init__(f"{message} ({status} {error})")
        self.status = status
        self.error = error
        self.message = message
        self.detail = detail or {}


class RequestFailed(SwitchboardError):
    """The request ended without an answer: `state` is `dead_lettered` (rejected by the department, or out of
    attempts) or `cancelled`; `reason` says why."""

    def __init__(self, ticket: str, state: str, reason: str | None) -> None:
        super().__init__(f"{ticket} was {state.replace('_', '-')}: {reason or 'no reason given'}")
        self.ticket = ticket
        self.state = state
        self.reason = reason


class Timeout(SwitchboardError):
    """Nothing came from the broker in time (it is down, or the endpoint or the keys are wrong)."""


class Reject(Exception):
    """Raised by a bot's handler: the request is refused with `reason`, which the agent sees (no member data in
    it: it is also published on the events stream)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Transfer(Exception):
    """Raised by a bot's handler: the request goes to `department` (same ticket, the SLA clock carried on)."""

    def __init__(self, department: str, reason: str) -> None:
        super().__init__(f"transfer to {department}: {reason}")
        self.department = department
        self.reason = reason


class Release(Exception):
    """Raised by a bot's handler: the work failed, not the request (a system it needs is down). The request is
    given back (RELEASE): requeued with the attempt counted, offered to another bot first, and dead-lettered
    after the department's maximum attempts. Any other exception from a handler is treated the same way."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
