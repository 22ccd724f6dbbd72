"""A department bot: `Bot` registers for its departments and runs a handler for each request on a thread pool,
while its own thread keeps the protocol (PROTOCOL.md §6): heartbeats, ACCEPT, the replies, cancellations,
reconnection after the broker's silence or a DISCONNECT, and a pair of daemons' failover."""

from __future__ import annotations

import logging
import math
import os
import queue
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Union

import zmq

from . import protocol
from .errors import Refused, Reject, Release, Timeout, Transfer

__all__ = ["Bot", "Request"]

log = logging.getLogger("switchboard_client.bot")

Handler = Callable[["Request"], Union[str, bytes, None]]


class Request:
    """One request given to the handler. `body` is the agent's question (bytes; `text` decodes it). It may hold
    member data: never log it.

    The handler returns the answer (str or bytes), or raises `Reject(reason)`, `Transfer(department, reason)` or
    `Release(reason)` (any other exception is a `Release` too: the request is requeued for another attempt).
    Meanwhile it may send `update()`s and `ask()` the agent a question. `cancelled` is set when the agent
    cancels, or the broker takes the request back (the bot lost its connection): whatever the handler returns
    then is dropped.
    """

    def __init__(self, bot: "Bot", session: int, ticket: str, department: str, priority: str, attempt: int,
                 body: bytes) -> None:
        self.ticket = ticket
        self.department = department
        self.priority = priority
        self.attempt = attempt
        self.body = body
        self.cancelled = threading.Event()
        self._bot = bot
        self._session = session
        self._infos: queue.Queue[bytes] = queue.Queue()

    @property
    def text(self) -> str:
        """The body as text (UTF-8; undecodable bytes replaced)."""
        return self.body.decode("utf-8", errors="replace")

    def update(self, update: str | bytes) -> None:
        """Sends an interim update the agent sees (it also counts as the department's first response)."""
        self._bot._post(("UPDATE", self, _bytes(update)))

    def ask(self, question: str | bytes, timeout: float | None = None) -> str:
        """Asks the agent a question and waits for the reply (the SLA clock pauses meanwhile). Raises `Timeout`
        after `timeout` seconds, and `Reject` if the request was cancelled while waiting."""
        self._bot._post(("NEEDS_INFO", self, _bytes(question)))
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if self.cancelled.is_set():
                raise Reject("cancelled while waiting for the agent")
            wait = 0.2 if deadline is None else min(0.2, deadline - time.monotonic())
            if wait <= 0:
                raise Timeout(f"no reply from the agent to {self.ticket} within {timeout:g} s")
            try:
                return self._infos.get(timeout=wait).decode("utf-8", errors="replace")
            except queue.Empty:
                continue


class Bot:
    """A department bot.

        bot = Bot("tcp://127.0.0.1:5570", departments=["claims"], capacity=4)
        bot.handler(lambda request: "re: " + request.text)
        bot.run()

    - `endpoint`: the broker's request endpoint, or a pair's two, comma-separated.
    - `capacity`: requests worked on at once (the credit announced to the broker; the handler's thread pool).
    - `heartbeat` (seconds) and `liveness` must match the broker's (2.5 s and 3 by default).
    - `key` and `server_key`: certificate files (your secret one, the broker's public one) for a broker that
      runs CURVE.
    """

    def __init__(self, endpoint: str, departments: list[str], capacity: int = 1, name: str | None = None,
                 heartbeat: float = 2.5, liveness: int = 3, key: str | None = None, server_key: str | None = None,
                 handler: Handler | None = None) -> None:
        if not departments or not all(protocol.is_department(d) for d in departments):
            raise ValueError(f"departments must be valid department names, got {departments!r}")
        if not 1 <= capacity <= 10_000:
            raise ValueError("capacity must be 1 to 10,000")
        if heartbeat <= 0 or liveness < 1:
            raise ValueError("heartbeat must be positive and liveness at least 1")
        self.endpoint = endpoint
        self.departments = list(departments)
        self.capacity = capacity
        self.name = name
        self.heartbeat = heartbeat
        self.liveness = liveness
        self.key = key
        self.server_key = server_key
        self._handler = handler
        self._outbox: queue.Queue[tuple] = queue.Queue()
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_write, False)
        self._stopping = threading.Event()
        self._registered = threading.Event()
        self._thread: threading.Thread | None = None
        self._session = 0
        self._ready = protocol.worker_message(
            "READY", ready_json=protocol.ready_json(self.departments, capacity, name))
        protocol.encode(self._ready)  # refuse here what the broker would refuse, not at every reconnection

    def handler(self, function: Handler) -> Handler:
        """Sets the function run for each request (usable as a decorator)."""
        self._handler = function
        return function

    # -- running --------------------------------------------------------------------------------------------

    def run(self, handle_signals: bool = True) -> None:
        """Serves until `stop()` (or, from the main thread with `handle_signals`, SIGINT or SIGTERM), then sends
        DISCONNECT so the broker requeues at once what the bot still holds."""
        if self._handler is None:
            raise ValueError("set a handler first: Bot(..., handler=f) or @bot.handler")
        if handle_signals and threading.current_thread() is threading.main_thread():
            for number in (signal.SIGINT, signal.SIGTERM):
                signal.signal(number, lambda *_: self.stop())
        context = zmq.Context()
        pool = ThreadPoolExecutor(max_workers=self.capacity, thread_name_prefix="switchboard-handler")
        try:
            delay = 0.25
            while not self._stopping.is_set():
                outcome = self._serve(context, pool)
                if outcome == "stopped":
                    return
                # A short pause before registering again, so a restarting broker is not met by a storm (§6.2).
                delay = 0.25 if outcome == "lost" else min(delay * 2, 5.0)
                if self._stopping.wait(delay):
                    return
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
            context.destroy(linger=0)

    def start(self) -> "Bot":
        """Runs the bot on a thread of its own; returns at once."""
        self._thread = threading.Thread(target=self.run, kwargs={"handle_signals": False}, name="switchboard-bot",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self, wait: float | None = None) -> None:
        """Stops serving (what the bot holds goes back to the queue). With `wait`, waits that long for the bot's
        thread to end."""
        self._stopping.set()
        self._wake()
        if wait is not None and self._thread is not None:
            self._thread.join(wait)

    def wait_until_registered(self, timeout: float | None = None) -> bool:
        """Whether the broker has taken the READY (its first message came back) within `timeout`."""
        return self._registered.wait(timeout)

    # -- the protocol thread ---------------------------------------------------------------------------------

    def _post(self, item: tuple) -> None:
        self._outbox.put(item)
        self._wake()

    def _wake(self) -> None:
        try:
            os.write(self._wake_write, b"x")
        except BlockingIOError:
            pass  # the pipe is full: the loop is awake anyway

    def _serve(self, context: zmq.Context, pool: ThreadPoolExecutor) -> str:
        """One connection: READY, then serve until stop, DISCONNECT, silence or a lost connection."""
        self._session += 1
        session = self._session
        self._registered.clear()
        socket = protocol.open_dealer(context, self.endpoint, self.key, self.server_key)
        silence_limit = self.heartbeat * self.liveness
        held: dict[str, Request] = {}
        pair = protocol.is_pair(self.endpoint)
        monitor = socket.get_monitor_socket(zmq.EVENT_DISCONNECTED) if pair else None
        try:
            if pair:
                # READY waits for the daemon that leads: none within the silence limit ends the session.
                socket.setsockopt(zmq.SNDTIMEO, math.ceil(silence_limit * 1000))
            try:
                protocol.send(socket, self._ready)
            except zmq.Again:
                return "lost"
            last_sent = last_heard = time.monotonic()
            poller = zmq.Poller()
            poller.register(socket, zmq.POLLIN)
            poller.register(self._wake_read, zmq.POLLIN)
            if monitor is not None:
                poller.register(monitor, zmq.POLLIN)
            log.info("READY sent: departments=%s capacity=%d", ",".join(self.departments), self.capacity)
            while True:
                timeout = max(0.0, min(last_sent + self.heartbeat, last_heard + silence_limit) - time.monotonic())
                ready = dict(poller.poll(math.ceil(timeout * 1000)))
                if self._wake_read in ready:
                    os.read(self._wake_read, 4096)
                if self._stopping.is_set():
                    try:
                        protocol.send(socket, protocol.worker_message("DISCONNECT"))
                    except zmq.Again:
                        pass
                    socket.close(linger=1000)
                    return "stopped"
                if monitor is not None and monitor in ready:
                    log.info("the connection to the broker was lost; registering again")
                    return "lost"
                while socket.poll(0):
                    last_heard = time.monotonic()
                    self._registered.set()
                    outcome = self._handle(socket, session, held, pool)
                    if outcome:
                        return outcome
                while True:
                    try:
                        kind, request, payload = self._outbox.get_nowait()
                    except queue.Empty:
                        break
                    if request._session != session or held.get(request.ticket) is not request:
                        continue  # taken back by the broker (cancelled, or an earlier connection's)
                    if kind == "DONE":
                        del held[request.ticket]
                        protocol.send(socket, payload)
                    elif kind == "UPDATE":
                        protocol.send(socket, protocol.worker_message("UPDATE", ticket=request.ticket, update=payload))
                    elif kind == "NEEDS_INFO":
                        protocol.send(socket, protocol.worker_message(
                            "NEEDS_INFO", ticket=request.ticket, question=payload))
                    last_sent = time.monotonic()
                now = time.monotonic()
                if now - last_heard > silence_limit:
                    log.warning("no word from the broker for %.1f s; registering again", now - last_heard)
                    return "silent"
                if now - last_sent >= self.heartbeat:
                    protocol.send(socket, protocol.worker_message("HEARTBEAT"))
                    last_sent = now
        except zmq.Again:
            log.info("no daemon takes messages; registering again")
            return "lost"
        finally:
            for request in held.values():
                request.cancelled.set()  # the broker requeues them: their results would be dropped
            if monitor is not None:
                socket.disable_monitor()
                monitor.close(linger=0)
            socket.close(linger=0)

    def _handle(self, socket: zmq.Socket, session: int, held: dict[str, Request], pool: ThreadPoolExecutor) -> str | None:
        try:
            message = protocol.receive(socket)
        except protocol.ProtocolError as error:  # log and drop (§4.5)
            log.warning("dropped a malformed message from the broker: %s %s", error.status, error.reason)
            return None
        if message.signature != protocol.WORKER:
            return None
        if message.command == "DISPATCH":
            ticket = message["ticket"]
            protocol.send(socket, protocol.worker_message("ACCEPT", ticket=ticket))
            request = Request(self, session, ticket, message["department"], message["priority"], message["attempt"],
                              message["body"])
            held[ticket] = request
            pool.submit(self._work, request)
        elif message.command == "INFO":
            request = held.get(message["ticket"])
            if request is not None:
                request._infos.put(message["info"])
        elif message.command == "CANCEL":
            request = held.pop(message["ticket"], None)
            if request is not None:
                request.cancelled.set()
        elif message.command == "DISCONNECT":
            log.info("the broker asked this bot to reconnect")
            return "lost"
        elif message.command == "ERROR":
            try:
                detail = protocol.error_detail(message)
            except protocol.SchemaMismatch as error:
                detail = {"error": "?", "message": str(error)}
            if message["reference"] == "READY":
                # The same READY would be refused again (an unknown department, a key not permitted, ...).
                raise Refused(message["status"], detail.get("error", "?"), detail.get("message", ""), detail)
            held.pop(message["reference"], None)
            log.warning("the broker refused a command on %s: %s %s", message["reference"], message["status"],
                        detail.get("error"))
        return None

    def _work(self, request: Request) -> None:
        """Runs the handler on a pool thread and posts its outcome to the protocol thread."""
        try:
            result = self._handler(request)
            reply = protocol.worker_message("ANSWER", ticket=request.ticket, answer=_bytes(result or b""))
        except Reject as reject:
            reply = protocol.worker_message("REJECT", ticket=request.ticket, reason=reject.reason)
        except Transfer as transfer:
            reply = protocol.worker_message(
                "TRANSFER", ticket=request.ticket, department=transfer.department, reason=transfer.reason)
        except Release as release:
            reply = protocol.worker_message("RELEASE", ticket=request.ticket, reason=release.reason)
        except Exception as error:  # noqa: BLE001 - a handler's bug must not stop the bot
            # The work failed, not the request: given back for another attempt (another bot first). Logged and
            # told by type only: the message might quote the request's body.
            log.error("the handler failed on %s: %s", request.ticket, type(error).__name__)
            reply = protocol.worker_message(
                "RELEASE", ticket=request.ticket, reason=f"the handler failed ({type(error).__name__})")
        self._post(("DONE", request, reply))


def _bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)
