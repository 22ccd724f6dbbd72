#!/usr/bin/env python3
"""An example department bot for Switchboard: a worker of the native protocol SWB/1, in Python with pyzmq.

    python3 department_bot.py [--endpoint tcp://127.0.0.1:5570] [--department claims ...] [--capacity 2]
                              [--name NAME] [--heartbeat 2.5s] [--liveness 3] [--work-time 2s]
                              [--key FILE --server-key FILE] [--verbose]

It registers with READY for its departments and credit, heartbeats, and answers what the broker dispatches:
a question naming a claim (`C-1001`) is looked up in a tiny table of claim statuses; a claim in review is a long
job, which gets an UPDATE first and its answer --work-time later; an unknown claim is REJECTed; a coverage
question is TRANSFERred to eligibility; anything else is answered in upper case. It re-registers when the broker
says DISCONNECT or falls silent for heartbeat x liveness, and on SIGTERM or SIGINT sends DISCONNECT (the broker
requeues what it held) and exits 0. It exits 1 if the broker refuses its READY.

Request bodies may hold members' health information: they are never logged, unless --verbose.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import re
import signal
import sys
import time
from dataclasses import dataclass
from socket import socketpair

import zmq

import switchboard_protocol as swb

log = logging.getLogger("department_bot")


# --- What the department knows -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What to do with a request: `command` is ANSWER, TRANSFER or REJECT. A slow ANSWER gets an UPDATE first."""

    command: str
    text: str
    slow: bool = False
    department: str = ""


CLAIMS = {  # claim -> (status, whether finding it out is a long job)
    "C-1001": ("paid on 2026-11-02", False),
    "C-1002": ("denied: the service needs prior authorization", False),
    "C-1003": ("in review: the adjuster expects to decide by 2026-12-05", True),
}
CLAIM_ID = re.compile(r"\bC-\d{4,}\b")


def plan_for(question: str, departments: list[str]) -> Plan:
    """The department's logic, kept apart from the protocol: a real bot would call its systems here."""
    lowered = question.lower()
    if ("coverage" in lowered or "eligib" in lowered) and "eligibility" not in departments:
        return Plan("TRANSFER", "coverage questions are answered by eligibility", department="eligibility")
    claim = CLAIM_ID.search(question)
    if claim is None:
        return Plan("ANSWER", question.upper())
    if claim.group() not in CLAIMS:
        return Plan("REJECT", f"claim {claim.group()} is not on file")
    status, slow = CLAIMS[claim.group()]
    return Plan("ANSWER", f"Claim {claim.group()}: {status}.", slow=slow)


# --- The bot -----------------------------------------------------------------------------------------------


@dataclass
class Job:
    """A request the bot holds (from DISPATCH until it answers, transfers or rejects it, or the broker cancels)."""

    ticket: str
    answer: bytes
    due: float  # time.monotonic() when the answer is ready


class ShutdownSignal:
    """SIGTERM and SIGINT set `requested` and wake the poll at once: the signal's byte lands on a socket pair
    (signal.set_wakeup_fd) that is polled with the broker's socket."""

    def __init__(self) -> None:
        self.requested = False
        self.reader, writer = socketpair()
        self.reader.setblocking(False)
        writer.setblocking(False)
        self._writer = writer  # kept open for the life of the process
        signal.set_wakeup_fd(writer.fileno())
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, self._handle)
        # A parent may have blocked them (a blocked mask is inherited across exec); a handler alone would not do.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})

    def _handle(self, number: int, frame: object) -> None:
        self.requested = True

    def drain(self) -> None:
        try:
            while self.reader.recv(64):
                pass
        except BlockingIOError:
            pass


# Why a session with the broker ended.
STOPPED, RECONNECT, REFUSED = "stopped", "reconnect", "refused"


class DepartmentBot:
    def __init__(self, options: argparse.Namespace) -> None:
        self.options = options
        self.departments: list[str] = options.department or ["claims"]
        self.heartbeat: float = options.heartbeat
        self.silence_limit = options.heartbeat * options.liveness
        # Checked once, before connecting: a mistake here is the operator's, not the broker's.
        self.ready = swb.worker_message(
            "READY", ready_json=swb.ready_json(self.departments, options.capacity, options.name))
        swb.encode(self.ready)
        self.context = zmq.Context()
        self.shutdown = ShutdownSignal()

    def run(self) -> int:
        try:
            while True:
                outcome = self.session()
                if outcome != RECONNECT:
                    return 1 if outcome == REFUSED else 0
                # A short pause before registering again, so a restarting broker is not met by a storm (§6.2).
                if self.wait_for_shutdown(self.heartbeat):
                    return 0
        finally:
            self.context.term()

    def wait_for_shutdown(self, seconds: float) -> bool:
        poller = zmq.Poller()
        poller.register(self.shutdown.reader, zmq.POLLIN)
        poller.poll(math.ceil(seconds * 1000))
        self.shutdown.drain()
        return self.shutdown.requested

    def session(self) -> str:
        """One connection: READY, then serve until shutdown, DISCONNECT, silence or a refused READY."""
        socket = swb.open_dealer(self.context, self.options.endpoint, self.options.key, self.options.server_key)
        self.socket, self.held, self.registered = socket, {}, False
        poller = zmq.Poller()
        poller.register(socket, zmq.POLLIN)
        poller.register(self.shutdown.reader, zmq.POLLIN)
        if swb.is_pair(self.options.endpoint):
            # READY waits for a connection to the daemon that leads: none within the silence limit (a failover
            # in progress) ends the session, and the next one tries again.
            socket.setsockopt(zmq.SNDTIMEO, math.ceil(self.silence_limit * 1000))
        try:
            self.send(self.ready)
        except zmq.Again:
            socket.close()
            log.info("no daemon of the pair took READY; trying again")
            return RECONNECT
        log.info("READY sent departments=%s credit=%d endpoint=%s",
                 ",".join(self.departments), self.options.capacity, self.options.endpoint)
        self.last_heard = time.monotonic()
        # A pair: the leader's connection breaking (it died or stopped) ends the session at once, not after the
        # silence limit, so the bot registers with the new leader as soon as it binds.
        monitor = socket.get_monitor_socket(zmq.EVENT_DISCONNECTED) if swb.is_pair(self.options.endpoint) else None
        if monitor is not None:
            poller.register(monitor, zmq.POLLIN)
        try:
            while True:
                if self.shutdown.requested:
                    try:
                        self.send(swb.worker_message("DISCONNECT"))
                    except zmq.Again:
                        pass  # no daemon of the pair to tell
                    log.info("DISCONNECT sent; the broker requeues held=%d", len(self.held))
                    socket.close(linger=1000)  # give the DISCONNECT a moment to leave
                    return STOPPED
                ready = dict(poller.poll(math.ceil(self.poll_timeout() * 1000)))
                if self.shutdown.reader in ready:
                    self.shutdown.drain()
                if monitor is not None and monitor in ready:
                    log.info("the connection to the broker was lost; registering again")
                    return RECONNECT
                while socket.poll(0):
                    outcome = self.handle(socket.recv_multipart())
                    if outcome:
                        return outcome
                self.finish_due_jobs()
                now = time.monotonic()
                if now - self.last_heard > self.silence_limit:
                    log.warning("no word from the broker for %.1f s; reconnecting", now - self.last_heard)
                    return RECONNECT
                if now - self.last_sent >= self.heartbeat:
                    self.send(swb.worker_message("HEARTBEAT"))
        except zmq.Again:
            log.info("no daemon of the pair takes messages; registering again")
            return RECONNECT
        finally:
            if monitor is not None:
                socket.disable_monitor()
                monitor.close()
            socket.close()

    def poll_timeout(self) -> float:
        """Until the next thing to do: a heartbeat to send, a job to finish, or the broker's silence to notice."""
        now = time.monotonic()
        deadlines = [self.last_sent + self.heartbeat, self.last_heard + self.silence_limit]
        deadlines += [job.due for job in self.held.values()]
        return max(0.0, min(deadlines) - now)

    def send(self, message: swb.Message) -> None:
        swb.send(self.socket, message)
        self.last_sent = time.monotonic()

    def handle(self, frames: list[bytes]) -> str | None:
        try:
            message, _ = swb.decode(frames, swb.FROM_BROKER)
        except swb.ProtocolError as error:
            log.warning("dropped a malformed message from the broker: %s %s", error.status, error.reason)
            return None
        if message.signature != swb.WORKER:
            log.warning("dropped an agent message (%s) sent to a worker", message.command)
            return None
        self.last_heard = time.monotonic()
        if not self.registered and message.command in ("HEARTBEAT", "DISPATCH"):
            self.registered = True  # the broker does not acknowledge READY; its first message does (§6.2)
            log.info("registered")
        if message.command == "DISPATCH":
            self.dispatched(message)
        elif message.command == "CANCEL":
            cancelled = self.held.pop(message["ticket"], None)
            log.info("CANCEL ticket=%s held=%s", message["ticket"], cancelled is not None)
        elif message.command == "DISCONNECT":
            log.warning("the broker says DISCONNECT (it restarted, lost us, or is stopping); registering again")
            return RECONNECT
        elif message.command == "ERROR":
            return self.refused(message)
        elif message.command == "INFO":
            log.info("INFO ticket=%s ignored: this bot never asks questions (NEEDS_INFO)", message["ticket"])
        return None

    def dispatched(self, message: swb.Message) -> None:
        ticket = message["ticket"]
        log.info("DISPATCH ticket=%s department=%s priority=%s attempt=%d",
                 ticket, message["department"], message["priority"], message["attempt"])
        if self.options.verbose:
            log.info("body ticket=%s body=%r", ticket, message["body"])
        if len(self.held) >= self.options.capacity:
            log.warning("DISPATCH beyond our credit of %d (the broker should never do this)", self.options.capacity)
        self.send(swb.worker_message("ACCEPT", ticket=ticket))
        plan = plan_for(message["body"].decode("utf-8", errors="replace"), self.departments)
        if plan.command == "TRANSFER":
            self.send(swb.worker_message("TRANSFER", ticket=ticket, department=plan.department, reason=plan.text))
            log.info("TRANSFER ticket=%s to=%s", ticket, plan.department)
        elif plan.command == "REJECT":
            self.send(swb.worker_message("REJECT", ticket=ticket, reason=plan.text))
            log.info("REJECT ticket=%s", ticket)
        elif plan.slow:
            # A long job: tell the agent it is under way (this also restarts the department's update clock).
            update = f"Looking into it; expect an answer within {self.options.work_time:g} s.".encode()
            self.send(swb.worker_message("UPDATE", ticket=ticket, update=update))
            self.held[ticket] = Job(ticket, plan.text.encode(), time.monotonic() + self.options.work_time)
            log.info("UPDATE ticket=%s (long job)", ticket)
        else:
            self.send(swb.worker_message("ANSWER", ticket=ticket, answer=plan.text.encode()))
            log.info("ANSWER ticket=%s", ticket)

    def finish_due_jobs(self) -> None:
        now = time.monotonic()
        for job in [job for job in self.held.values() if job.due <= now]:
            del self.held[job.ticket]
            self.send(swb.worker_message("ANSWER", ticket=job.ticket, answer=job.answer))
            log.info("ANSWER ticket=%s (long job)", job.ticket)

    def refused(self, message: swb.Message) -> str | None:
        try:
            detail = swb.error_detail(message)
        except swb.SchemaMismatch as error:
            detail = {"error": "?", "message": str(error)}
        reference = message["reference"]
        if reference == "READY":
            # 4xx: sending the same READY again would be refused again (an unknown department, not permitted...).
            log.error("the broker refused our READY: %s %s: %s", message["status"], detail["error"], detail["message"])
            return REFUSED
        self.held.pop(reference, None)
        log.warning("the broker refused a command ticket=%s: %s %s: %s",
                    reference, message["status"], detail["error"], detail["message"])
        return None


# --- Command line ------------------------------------------------------------------------------------------


def duration(text: str) -> float:
    """Seconds from `2.5s`, `200ms` or a bare `2.5`."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s)?", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration such as 2.5s or 200ms")
    value = float(match.group(1))
    return value / 1000 if match.group(2) == "ms" else value


def parse_options(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoint", default="tcp://127.0.0.1:5570",
                        help="the broker's endpoint; a pair's two, comma-separated")
    parser.add_argument("--department", action="append", help="a department to serve (repeatable; default claims)")
    parser.add_argument("--capacity", type=int, default=2, help="credit: requests held at once, 1 to 1000 (default 2)")
    parser.add_argument("--name", default=f"python-bot-{os.getpid()}", help="display name for operators")
    parser.add_argument("--heartbeat", type=duration, default=2.5, help="the broker's heartbeat interval (2.5s)")
    parser.add_argument("--liveness", type=int, default=3, help="intervals of silence before reconnecting (3)")
    parser.add_argument("--work-time", type=duration, default=2.0, help="how long a long job takes (2s)")
    parser.add_argument("--key", default=os.environ.get("SWITCHBOARD_KEY"), help="your secret certificate (CURVE)")
    parser.add_argument("--server-key", default=os.environ.get("SWITCHBOARD_SERVER_KEY"),
                        help="the broker's public certificate (CURVE)")
    parser.add_argument("--verbose", action="store_true", help="also log request bodies (health information!)")
    options = parser.parse_args(argv)
    if (options.key is None) != (options.server_key is None):
        parser.error("--key and --server-key go together")
    if options.heartbeat <= 0 or options.liveness < 1:
        parser.error("--heartbeat must be positive and --liveness at least 1")
    return options


def main(argv: list[str]) -> int:
    options = parse_options(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        bot = DepartmentBot(options)
    except (swb.ProtocolError, swb.SchemaMismatch, ValueError) as error:
        print(f"department_bot: cannot register: {error}", file=sys.stderr)
        return 2
    try:
        return bot.run()
    except (ValueError, OSError) as error:  # an unusable --key or --server-key file
        print(f"department_bot: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
