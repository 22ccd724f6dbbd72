#!/usr/bin/env python3
"""An example agent for Switchboard: asks a department a question over the native protocol SWB/1 (pyzmq).

    python3 agent.py ask --department claims [--priority urgent] [--request-id ID] [--timeout 30s] QUESTION...
    python3 agent.py status TICKET

`ask` submits the question, prints `ticket: T-...` as soon as the broker has accepted it, then the department's
updates (`update: ...`) and its answer (`answer: ...`). If the department asks something back (`question: ...`),
one line read from standard input is sent as the reply. `status` prints where a request is, and its answer once
it has one. Both take --endpoint (default tcp://127.0.0.1:5570) and, for a broker that runs CURVE, --key and
--server-key.

Exit codes: 0 answered (or, for status, the status was printed); 1 the broker refused the request or it failed
(unknown department, rejected, dead-lettered, cancelled, unknown ticket), with the reason on standard error;
2 bad usage; 3 no reply within --timeout.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
import uuid

import zmq

import switchboard_protocol as swb

ANSWERED, FAILED, TIMED_OUT = 0, 1, 3


class Finished(Exception):
    """Ends the command with an exit code and, for failures, a line on standard error."""

    def __init__(self, code: int, line: str = "") -> None:
        super().__init__(line)
        self.code = code
        self.line = line


def say(label: str, body: bytes | str) -> None:
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    print(f"{label}: {text}", flush=True)


def refusal(message: swb.Message) -> Finished:
    """An ERROR from the broker as a failure naming its status and reason (`404 unknown-department: ...`)."""
    try:
        detail = swb.error_detail(message)
    except swb.SchemaMismatch as error:
        detail = {"error": "unreadable-error", "message": str(error)}
    return Finished(FAILED, f"error {message['status']} {detail['error']}: {detail['message']}")


class Agent:
    def __init__(self, options: argparse.Namespace) -> None:
        self.context = zmq.Context()
        self.socket = swb.open_dealer(self.context, options.endpoint, options.key, options.server_key)
        if swb.is_pair(options.endpoint):
            self.socket.setsockopt(zmq.SNDTIMEO, 1000)
        self.deadline = time.monotonic() + options.timeout

    def close(self) -> None:
        self.socket.close()
        self.context.term()

    def send(self, message: swb.Message) -> None:
        try:
            swb.send(self.socket, message)
        except zmq.Again:
            pass  # a pair with no leader reachable this second: the submission is sent again

    def next_message(self, within: float | None = None) -> swb.Message | None:
        """The next well-formed message, or None when `within` seconds (at most until the deadline) pass."""
        limit = self.deadline if within is None else min(self.deadline, time.monotonic() + within)
        while (remaining := limit - time.monotonic()) > 0:
            if not self.socket.poll(math.ceil(remaining * 1000)):
                break
            try:
                message = swb.receive(self.socket)
            except swb.ProtocolError as error:  # log and drop (§4.5)
                print(f"dropped a malformed message from the broker: {error.status} {error.reason}", file=sys.stderr)
                continue
            if message.signature == swb.AGENT:
                return message
        if time.monotonic() >= self.deadline:
            raise Finished(TIMED_OUT, "")
        return None

    def submit(self, options: argparse.Namespace, body: bytes) -> str:
        request_id = options.request_id or f"py-agent-{uuid.uuid4()}"
        submit = swb.agent_message(
            "SUBMIT", request_id=request_id, department=options.department, priority=options.priority, body=body)
        self.send(submit)
        # A pair: sent again every second until accepted (one sent to a leader that died before it was durable is
        # lost; the same request id is one request anyway).
        resend = 1.0 if swb.is_pair(options.endpoint) else None
        while True:
            message = self.next_message(within=resend)
            if message is None:
                if resend:
                    self.send(submit)
                continue
            if message.command == "ACCEPTED" and message["request_id"] == request_id:
                notes = {200: " (already submitted with this request id)",
                         202: f" (queued: no worker is serving {options.department} right now)"}
                say("ticket", message["ticket"] + notes.get(message["status"], ""))
                return message["ticket"]
            if message.command == "ERROR" and message["reference"] == request_id:
                raise refusal(message)

    def wait_for_answer(self, ticket: str, poll_every: float) -> None:
        """Waits for the pushed ANSWER. Every `poll_every` seconds it also asks STATUS: that re-attaches this
        agent if the broker restarted or we reconnected (§5.4), and returns an answer whose push was lost."""
        while True:
            message = self.next_message(within=poll_every)
            if message is None:
                self.send(swb.agent_message("STATUS", ticket=ticket))
                continue
            if message.get("ticket", message.get("reference")) != ticket:
                continue
            if message.command == "ANSWER":
                say("answer", message["answer"])
                return
            if message.command == "UPDATE":
                say("update", message["update"])
            elif message.command == "QUESTION":
                self.reply_to_question(ticket, message["question"])
            elif message.command == "ERROR":  # 422 rejected or 504 dead-lettered: final
                raise refusal(message)
            elif message.command == "STATUS" and self.settled(ticket, message):
                return

    def settled(self, ticket: str, message: swb.Message) -> bool:
        """A STATUS while waiting: true if it carries the answer; a failure if the request ended otherwise."""
        status = swb.parse_json(message["status_json"], "status")
        if message["answer"] is not None:
            say("answer", message["answer"])
            return True
        if status["state"] in ("cancelled", "dead_lettered"):
            raise Finished(FAILED, f"{ticket} is {status['state']}: {status.get('reason', '')}")
        return False

    def reply_to_question(self, ticket: str, question: bytes) -> None:
        say("question", question)
        print("(type one line to reply)", file=sys.stderr, flush=True)
        line = sys.stdin.readline()
        if line:  # at end of input the question stays unanswered; the request waits, its clocks paused
            self.send(swb.agent_message("INFO", ticket=ticket, info=line.rstrip("\n").encode()))


def ask(options: argparse.Namespace) -> None:
    agent = Agent(options)
    try:
        body = " ".join(options.question).encode()
        ticket = agent.submit(options, body)
        try:
            agent.wait_for_answer(ticket, options.poll)
        except Finished as finished:
            if finished.code == TIMED_OUT:
                finished.line = f"no answer to {ticket} within {options.timeout:g} s; later: agent.py status {ticket}"
            raise
    finally:
        agent.close()


def status(options: argparse.Namespace) -> None:
    agent = Agent(options)
    try:
        agent.send(swb.agent_message("STATUS", ticket=options.ticket))
        while True:
            message = agent.next_message()
            if message is None or message.get("ticket", message.get("reference")) != options.ticket:
                continue
            if message.command == "ERROR":
                raise refusal(message)
            if message.command == "STATUS":
                break
        info = swb.parse_json(message["status_json"], "status")
        for key in ("ticket", "state", "department", "priority", "attempts", "updates", "submitted_at", "reason"):
            if key in info:
                say(key, str(info[key]))
        if message["answer"] is not None:
            say("answer", message["answer"])
    finally:
        agent.close()


def duration(text: str) -> float:
    """Seconds from `30s`, `1500ms`, `2m` or a bare `30`."""
    units = {"ms": 0.001, "s": 1.0, "m": 60.0}
    unit = next((unit for unit in ("ms", "s", "m") if text.endswith(unit)), "")
    try:
        return float(text[: len(text) - len(unit)]) * units.get(unit, 1.0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration such as 30s or 2m") from None


def parse_options(argv: list[str]) -> argparse.Namespace:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--endpoint", default="tcp://127.0.0.1:5570",
                        help="the broker's endpoint; a pair's two, comma-separated")
    common.add_argument("--key", default=os.environ.get("SWITCHBOARD_KEY"), help="your secret certificate (CURVE)")
    common.add_argument("--server-key", default=os.environ.get("SWITCHBOARD_SERVER_KEY"),
                        help="the broker's public certificate (CURVE)")
    common.add_argument("--timeout", type=duration, default=30.0, help="how long to wait (30s)")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    ask_parser = commands.add_parser("ask", parents=[common], help="ask a department a question")
    ask_parser.add_argument("--department", required=True, help="claims, eligibility, pharmacy, billing, ...")
    ask_parser.add_argument("--priority", choices=swb.PRIORITIES, default="normal")
    ask_parser.add_argument("--request-id", help="your id; asking again with it returns the same ticket")
    ask_parser.add_argument("--poll", type=duration, default=5.0, help="how often to ask STATUS while waiting (5s)")
    ask_parser.add_argument("question", nargs="+")
    status_parser = commands.add_parser("status", parents=[common], help="where a request is, and its answer")
    status_parser.add_argument("ticket")
    options = parser.parse_args(argv)
    if (options.key is None) != (options.server_key is None):
        parser.error("--key and --server-key go together")
    return options


def main(argv: list[str]) -> int:
    options = parse_options(argv)
    try:
        if options.command == "ask":
            ask(options)
        else:
            status(options)
    except Finished as finished:
        if finished.code == TIMED_OUT and not finished.line:
            finished.line = f"no reply from the broker at {options.endpoint} within {options.timeout:g} s"
        if finished.line:
            print(f"agent: {finished.line}", file=sys.stderr)
        return finished.code
    except (swb.ProtocolError, swb.SchemaMismatch, ValueError, OSError) as error:
        print(f"agent: {error}", file=sys.stderr)
        return 2
    return ANSWERED


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
