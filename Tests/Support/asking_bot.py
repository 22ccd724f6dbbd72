#!/usr/bin/env python3
"""A department bot for the agent API's tests: it asks the agent a question before it answers.

    python3 asking_bot.py --endpoint tcp://127.0.0.1:PORT --department claims --heartbeat 200ms \
        [--question "Which member id?"] [--answer "Paid on 3 Dec"] [--update "Looking into it"]

For each DISPATCH it ACCEPTs, sends the optional UPDATE, then NEEDS_INFO with the question; when the agent's
INFO comes back it ANSWERs "<answer> (<info>)". It speaks SWB/1 with the example's protocol module
(schemas/examples/python/switchboard_protocol.py), heartbeats, prints `ready` once registered, one line per
command to stdout, and exits 0 on SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "schemas", "examples", "python"))
import zmq  # noqa: E402

import switchboard_protocol as swb  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--department", default="claims")
    parser.add_argument("--heartbeat", default="200ms")
    parser.add_argument("--question", default="Which member id?")
    parser.add_argument("--answer", default="Paid on 3 Dec")
    parser.add_argument("--update", default="")
    options = parser.parse_args()
    text = options.heartbeat
    heartbeat = float(text[:-2]) / 1000 if text.endswith("ms") else float(text.rstrip("s"))

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    context = zmq.Context()

    def register():
        socket = swb.open_dealer(context, options.endpoint)
        swb.send(socket, swb.worker_message("READY", ready_json=swb.ready_json([options.department], 4, "asking-bot")))
        return socket

    socket = register()
    registered = False
    last_sent = last_heard = time.monotonic()

    def send(message):
        # Only what we send resets the heartbeat clock: the broker's own heartbeats must not silence ours.
        nonlocal last_sent
        swb.send(socket, message)
        last_sent = time.monotonic()
    while not stopping:
        if time.monotonic() - last_heard > heartbeat * 3:
            # The broker went silent (it restarted, or lost us): register again on a new connection.
            socket.close(linger=0)
            socket = register()
            last_heard = last_sent = time.monotonic()
        if socket.poll(max(10, int(heartbeat * 500))):
            message = swb.receive(socket)
            last_heard = time.monotonic()
            if not registered:
                registered = True
                print("ready", flush=True)
            if message.command == "DISCONNECT":
                socket.close(linger=0)
                socket = register()
                last_sent = time.monotonic()
            elif message.command == "DISPATCH":
                ticket = message["ticket"]
                send(swb.worker_message("ACCEPT", ticket=ticket))
                if options.update:
                    send(swb.worker_message("UPDATE", ticket=ticket, update=options.update.encode()))
                send(swb.worker_message("NEEDS_INFO", ticket=ticket, question=options.question.encode()))
                print(f"asked {ticket}", flush=True)
            elif message.command == "INFO":
                ticket = message["ticket"]
                info = message["info"].decode("utf-8", errors="replace")
                answer = f"{options.answer} ({info})"
                send(swb.worker_message("ANSWER", ticket=ticket, answer=answer.encode()))
                print(f"answered {ticket}", flush=True)
        if time.monotonic() - last_sent >= heartbeat:
            send(swb.worker_message("HEARTBEAT"))
    swb.send(socket, swb.worker_message("DISCONNECT"))
    socket.close(linger=500)
    context.term()
    return 0


if __name__ == "__main__":
    sys.exit(main())
