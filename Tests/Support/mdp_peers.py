#!/usr/bin/env python3
"""Majordomo peers for Switchboard's interoperability tests, each speaking one dialect exactly.

    mdp_peers.py client   --endpoint E --dialect 0.1|0.2 --service S [--timeout 10] BODY
    mdp_peers.py worker   --endpoint E --dialect 0.1|0.2 --service S [--prefix P] [--partial] [--hold]
                          [--heartbeat 0.2] [--liveness 3]
    mdp_peers.py majortomo-client --endpoint E --service S [--timeout 10] BODY
    mdp_peers.py majortomo-worker --endpoint E --service S [--prefix P] [--partial] [--hold] [--heartbeat 0.2]

`client` and `worker` are written with pyzmq from the specs: 7/MDP for 0.1 (a leading empty frame, MDPC01 and
MDPW01, REQUEST 0x02, REPLY 0x03, HEARTBEAT 0x04, DISCONNECT 0x05) and 18/MDP as the RFC writes it for 0.2 (no
empty frame; client REQUEST 0x01, PARTIAL 0x02, FINAL 0x03, replies naming the service; worker READY 0x01,
REQUEST 0x02, PARTIAL 0x03, FINAL 0x04, HEARTBEAT 0x05, DISCONNECT 0x06). They check every frame they receive
and exit 2 on anything the spec does not allow. `majortomo-*` use the majortomo package (its own MDP 0.2
dialect), unchanged.

A client prints one line per reply part, `PARTIAL <body>` or `FINAL <body>`, and exits 0 after the final
one (3 on timeout). A worker prints `READY`, then `REQUEST <body>` for each request, answers `PREFIX + body`
(with a `PARTIAL working` first if --partial), or never answers with --hold; it re-registers after a
DISCONNECT and runs until killed.
"""

import argparse
import signal
import sys
import time

import zmq


def out(line):
    print(line, flush=True)


def violation(message):
    print(f"protocol violation: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


class Dialect:
    def __init__(self, version):
        self.v01 = version == "0.1"
        self.lead = [b""] if self.v01 else []
        self.client = b"MDPC01" if self.v01 else b"MDPC02"
        self.worker = b"MDPW01" if self.v01 else b"MDPW02"
        self.request = b"\x02"
        self.final = b"\x03" if self.v01 else b"\x04"
        self.partial = None if self.v01 else b"\x03"
        self.heartbeat = b"\x04" if self.v01 else b"\x05"
        self.disconnect = b"\x05" if self.v01 else b"\x06"

    def strip(self, frames):
        if self.v01:
            if not frames or frames[0] != b"":
                violation(f"0.1 message without its leading empty frame: {frames!r}")
            return frames[1:]
        if frames and frames[0] == b"":
            violation(f"0.2 (RFC 18) message with a leading empty frame: {frames!r}")
        return frames


def client(args):
    d = Dialect(args.dialect)
    socket = zmq.Context.instance().socket(zmq.DEALER)
    socket.setsockopt(zmq.LINGER, 0)
    socket.connect(args.endpoint)
    service = args.service.encode()
    command = [] if d.v01 else [b"\x01"]
    socket.send_multipart(d.lead + [d.client] + command + [service, args.body.encode()])
    deadline = time.monotonic() + args.timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not socket.poll(int(remaining * 1000)):
            print("timed out", file=sys.stderr)
            sys.exit(3)
        frames = d.strip(socket.recv_multipart())
        if not frames or frames[0] != d.client:
            violation(f"reply header is not {d.client!r}: {frames!r}")
        frames = frames[1:]
        kind = "FINAL"
        if not d.v01:
            if not frames or frames[0] not in (b"\x02", b"\x03"):
                violation(f"reply command is not PARTIAL 0x02 or FINAL 0x03: {frames!r}")
            kind = "FINAL" if frames[0] == b"\x03" else "PARTIAL"
            frames = frames[1:]
        if not frames or frames[0] != service:
            violation(f"reply does not name the service {service!r}: {frames!r}")
        if len(frames) != 2:
            violation(f"reply has {len(frames) - 1} body frames, expected 1: {frames!r}")
        out(f"{kind} {frames[1].decode()}")
        if kind == "FINAL":
            return


def worker(args):
    d = Dialect(args.dialect)
    context = zmq.Context.instance()
    service = args.service.encode()
    while True:
        socket = context.socket(zmq.DEALER)
        socket.setsockopt(zmq.LINGER, 0)
        socket.connect(args.endpoint)
        socket.send_multipart(d.lead + [d.worker, b"\x01", service])
        out("READY")
        last_heard = time.monotonic()
        last_sent = time.monotonic()
        reconnect = False
        while not reconnect:
            if socket.poll(int(args.heartbeat * 1000)):
                frames = d.strip(socket.recv_multipart())
                last_heard = time.monotonic()
                if len(frames) < 2 or frames[0] != d.worker:
                    violation(f"message to a worker without the header {d.worker!r}: {frames!r}")
                command = frames[1]
                if command == d.request:
                    if len(frames) != 5 or frames[3] != b"":
                        violation(f"REQUEST is not [header, 0x02, address, '', body]: {frames!r}")
                    address, body = frames[2], frames[4]
                    out(f"REQUEST {body.decode()}")
                    if args.hold:
                        continue
                    if args.partial and d.partial:
                        socket.send_multipart(d.lead + [d.worker, d.partial, address, b"", b"working"])
                    socket.send_multipart(d.lead + [d.worker, d.final, address, b"", args.prefix.encode() + body])
                    last_sent = time.monotonic()
                elif command == d.heartbeat:
                    if len(frames) != 2:
                        violation(f"HEARTBEAT with extra frames: {frames!r}")
                elif command == d.disconnect:
                    out("DISCONNECT")
                    reconnect = True
                else:
                    violation(f"unknown command {command!r} for a worker: {frames!r}")
            now = time.monotonic()
            if now - last_heard > args.heartbeat * args.liveness:
                out("LOST BROKER")
                reconnect = True
            elif now - last_sent >= args.heartbeat:
                socket.send_multipart(d.lead + [d.worker, d.heartbeat])
                last_sent = now
        # A new socket connects in the background and ZeroMQ retries it: no pause is needed before READY.
        socket.close()


def majortomo_client(args):
    from majortomo import Client
    client = Client(args.endpoint)
    client.connect()
    client.send(args.service.encode(), args.body.encode())
    deadline = time.monotonic() + args.timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            sys.exit(3)
        expecting = client._expect_reply
        if not expecting:
            return
        try:
            part = client.recv_part(timeout=remaining)
        except Exception as error:  # majortomo raises its own Timeout
            print(f"{type(error).__name__}: {error}", file=sys.stderr)
            sys.exit(3)
        kind = "PARTIAL" if client._expect_reply else "FINAL"
        out(f"{kind} {b''.join(part).decode()}")
        if kind == "FINAL":
            client.close()
            return


def majortomo_worker(args):
    from majortomo import Worker
    from majortomo.error import Disconnected
    while True:
        worker = Worker(args.endpoint, args.service.encode(), heartbeat_interval=args.heartbeat,
                        heartbeat_timeout=args.heartbeat * args.liveness)
        worker.connect(reconnect=True)
        out("READY")
        try:
            while True:
                address, request = worker.wait_for_request()
                body = b"".join(request)
                out(f"REQUEST {body.decode()}")
                if args.hold:
                    # Hold the request until killed (the test kills this worker to see the request requeued).
                    signal.pause()
                if args.partial:
                    worker.send_reply_partial(address, [b"working"])
                worker.send_reply_final(address, [args.prefix.encode() + body])
        except Disconnected:
            out("DISCONNECT")
            worker.close()


def main():
    # A test stops its peers with SIGTERM; a parent that ignores it must not make them immortal.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="role", required=True)
    for name in ("client", "worker", "majortomo-client", "majortomo-worker"):
        p = sub.add_parser(name)
        p.add_argument("--endpoint", required=True)
        p.add_argument("--service", required=True)
        if not name.startswith("majortomo"):
            p.add_argument("--dialect", choices=["0.1", "0.2"], required=True)
        if name.endswith("client"):
            p.add_argument("--timeout", type=float, default=10)
            p.add_argument("body")
        else:
            p.add_argument("--prefix", default="answer: ")
            p.add_argument("--partial", action="store_true")
            p.add_argument("--hold", action="store_true")
            p.add_argument("--heartbeat", type=float, default=0.2)
            p.add_argument("--liveness", type=int, default=3)
    args = parser.parse_args()
    {"client": client, "worker": worker, "majortomo-client": majortomo_client,
     "majortomo-worker": majortomo_worker}[args.role](args)


if __name__ == "__main__":
    main()
