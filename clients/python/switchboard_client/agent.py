"""An agent: `Agent` submits questions to departments and gets their tickets, waits for answers (with the
department's updates and questions), asks a ticket's status, replies to a question, cancels (PROTOCOL.md §5)."""

from __future__ import annotations

import math
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

import zmq

from . import protocol
from .errors import Refused, RequestFailed, Timeout

__all__ = ["Agent", "Answer", "Status", "Submission"]


@dataclass
class Submission:
    """A submission the broker accepted: durable from now on. `status` is 201 (new), 202 (new, but no worker
    serves the department now: it waits in the queue) or 200 (this request id was submitted before)."""

    ticket: str
    request_id: str
    status: int

    @property
    def queued_without_worker(self) -> bool:
        return self.status == 202


@dataclass
class Answer:
    """A request's answer, with the interim updates that came while waiting."""

    ticket: str
    body: bytes
    updates: list[bytes] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass
class Status:
    """Where a request is (schemas/status.schema.json): `state`, `department`, `attempts`, ... and its answer
    once it has one."""

    ticket: str
    info: dict[str, Any]
    answer: bytes | None

    @property
    def state(self) -> str:
        return str(self.info.get("state"))


class Agent:
    """An agent's connection to the broker (not thread-safe: one per thread).

        with Agent("tcp://127.0.0.1:5570") as agent:
            submission = agent.submit("claims", "Status of claim C-1001?", request_id="case-55102")
            answer = agent.wait(submission.ticket, timeout=60)

    - `endpoint`: the broker's request endpoint, or a pair's two, comma-separated (a submission is then sent
      again every second until accepted; the request id makes that safe).
    - `key` and `server_key`: certificate files for a broker that runs CURVE.
    - `timeout`: the default wait of each call, in seconds.
    """

    def __init__(self, endpoint: str = "tcp://127.0.0.1:5570", key: str | None = None,
                 server_key: str | None = None, timeout: float = 30.0) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self._context = zmq.Context()
        self._pair = protocol.is_pair(endpoint)
        try:
            self._socket = protocol.open_dealer(self._context, endpoint, key, server_key)
        except Exception:
            self._context.term()
            raise
        if self._pair:
            self._socket.setsockopt(zmq.SNDTIMEO, 1000)

    def __enter__(self) -> "Agent":
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()

    def close(self) -> None:
        self._socket.close(linger=0)
        self._context.term()

    # -- calls ----------------------------------------------------------------------------------------------

    def submit(self, department: str, question: str | bytes, priority: str = "normal",
               request_id: str | None = None, timeout: float | None = None) -> Submission:
        """Submits a question; returns once the broker has made it durable. The same `request_id` again returns
        the same ticket. Raises `Refused` (an unknown department, a body too large, ...) or `Timeout`."""
        request_id = request_id or f"py-{uuid.uuid4()}"
        submit = protocol.agent_message("SUBMIT", request_id=request_id, department=department, priority=priority,
                                        body=_bytes(question))
        self._send(submit)
        for message in self._messages(timeout, every=1.0 if self._pair else None, idle=lambda: self._send(submit)):
            if message.command == "ACCEPTED" and message["request_id"] == request_id:
                return Submission(message["ticket"], request_id, message["status"])
            if message.command == "ERROR" and message["reference"] == request_id:
                raise _refusal(message)
        raise Timeout(f"no ACCEPTED for request {request_id} within {self._limit(timeout):g} s")

    def wait(self, ticket: str, timeout: float | None = None, on_update: Callable[[bytes], None] | None = None,
             on_question: Callable[[str], str | None] | None = None, poll: float = 5.0) -> Answer:
        """Waits for the answer. Updates go to `on_update` (and into the answer's `updates`); a question from the
        department goes to `on_question`, whose reply (if not None) is sent back. Every `poll` seconds it asks
        the ticket's status, which re-attaches it after a reconnection or a failover. Raises `RequestFailed`
        (rejected, dead-lettered, cancelled), `Refused` (an unknown ticket) or `Timeout`."""
        updates: list[bytes] = []
        status = protocol.agent_message("STATUS", ticket=ticket)
        for message in self._messages(timeout, every=poll, idle=lambda: self._send(status)):
            if message.get("ticket", message.get("reference")) != ticket:
                continue
            if message.command == "ANSWER":
                return Answer(ticket, message["answer"], updates)
            if message.command == "UPDATE":
                updates.append(message["update"])
                if on_update:
                    on_update(message["update"])
            elif message.command == "QUESTION" and on_question is not None:
                reply = on_question(message["question"].decode("utf-8", errors="replace"))
                if reply is not None:
                    self._send(protocol.agent_message("INFO", ticket=ticket, info=_bytes(reply)))
            elif message.command == "ERROR":
                raise _failure(ticket, message)
            elif message.command == "STATUS":
                info = protocol.parse_json(message["status_json"], "status")
                if message["answer"] is not None:
                    return Answer(ticket, message["answer"], updates)
                if info.get("state") in ("cancelled", "dead_lettered"):
                    raise RequestFailed(ticket, info["state"], info.get("reason"))
        raise Timeout(f"no answer to {ticket} within {self._limit(timeout):g} s")

    def ask(self, department: str, question: str | bytes, priority: str = "normal", request_id: str | None = None,
            timeout: float | None = None, **wait: Any) -> Answer:
        """`submit` and `wait` in one call."""
        submission = self.submit(department, question, priority, request_id, timeout)
        return self.wait(submission.ticket, timeout, **wait)

    def status(self, ticket: str, timeout: float | None = None) -> Status:
        """Where a request is, with its answer if it has one."""
        return self._status_reply(protocol.agent_message("STATUS", ticket=ticket), ticket, timeout)

    def reply(self, ticket: str, info: str | bytes, timeout: float | None = None) -> Status:
        """Answers the department's question on `ticket`; the request goes back to its department."""
        return self._status_reply(protocol.agent_message("INFO", ticket=ticket, info=_bytes(info)), ticket, timeout)

    def cancel(self, ticket: str, timeout: float | None = None) -> Status:
        """Cancels an open request (a finished one is `Refused` with 409)."""
        return self._status_reply(protocol.agent_message("CANCEL", ticket=ticket), ticket, timeout)

    # -- internals -------------------------------------------------------------------------------------------

    def _status_reply(self, command: protocol.Message, ticket: str, timeout: float | None) -> Status:
        self._send(command)
        for message in self._messages(timeout, every=1.0 if self._pair else None, idle=lambda: self._send(command)):
            if message.get("ticket", message.get("reference")) != ticket:
                continue
            if message.command == "ERROR":
                raise _refusal(message)
            if message.command == "STATUS":
                return Status(ticket, protocol.parse_json(message["status_json"], "status"), message["answer"])
        raise Timeout(f"no reply about {ticket} within {self._limit(timeout):g} s")

    def _limit(self, timeout: float | None) -> float:
        return self.timeout if timeout is None else timeout

    def _send(self, message: protocol.Message) -> None:
        try:
            protocol.send(self._socket, message)
        except zmq.Again:
            pass  # a pair with no daemon leading this second: sent again by the caller's loop

    def _messages(self, timeout: float | None, every: float | None, idle: Callable[[], None]):
        """Well-formed agent messages until the deadline; `idle()` runs whenever `every` seconds pass quietly."""
        deadline = time.monotonic() + self._limit(timeout)
        while (left := deadline - time.monotonic()) > 0:
            wait = left if every is None else min(left, every)
            if not self._socket.poll(math.ceil(wait * 1000)):
                if every is not None and time.monotonic() < deadline:
                    idle()
                continue
            try:
                message = protocol.receive(self._socket)
            except protocol.ProtocolError:
                continue  # dropped (§4.5)
            if message.signature == protocol.AGENT:
                yield message


def _refusal(message: protocol.Message) -> Refused:
    try:
        detail = protocol.error_detail(message)
    except protocol.SchemaMismatch as error:
        detail = {"error": "?", "message": str(error)}
    return Refused(message["status"], str(detail.get("error", "?")), str(detail.get("message", "")), detail)


def _failure(ticket: str, message: protocol.Message) -> Exception:
    """An ERROR about a ticket being waited on: 422 (rejected) and 504 (dead-lettered) end the request."""
    refusal = _refusal(message)
    if refusal.status in (422, 504):
        return RequestFailed(ticket, "dead_lettered", refusal.message)
    return refusal


def _bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)
