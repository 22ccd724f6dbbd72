#!/usr/bin/env python3
"""A TCP relay that records every byte it forwards, to show what is on the wire.

    tcp_relay.py --listen PORT --target PORT --capture FILE

Listens on 127.0.0.1:PORT, forwards each connection to 127.0.0.1:TARGET, and appends every byte in both
directions to FILE (flushed as it goes). Runs until killed. Loopback only.
"""

import argparse
import signal
import selectors
import socket


def main():
    # A test stops its peers with SIGTERM; a parent that ignores it must not make them immortal.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parser = argparse.ArgumentParser()
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--target", type=int, required=True)
    parser.add_argument("--capture", required=True)
    args = parser.parse_args()
    capture = open(args.capture, "ab", buffering=0)
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", args.listen))
    server.listen(16)
    selector = selectors.DefaultSelector()
    selector.register(server, selectors.EVENT_READ, None)
    peers = {}
    while True:
        for key, _ in selector.select():
            if key.fileobj is server:
                client, _ = server.accept()
                upstream = socket.create_connection(("127.0.0.1", args.target))
                peers[client] = upstream
                peers[upstream] = client
                selector.register(client, selectors.EVENT_READ, None)
                selector.register(upstream, selectors.EVENT_READ, None)
                continue
            source = key.fileobj
            data = source.recv(65536)
            other = peers.get(source)
            if not data or other is None:
                for sock in (source, other):
                    if sock is not None and sock in peers:
                        selector.unregister(sock)
                        peers.pop(sock, None)
                        sock.close()
                continue
            capture.write(data)
            other.sendall(data)


if __name__ == "__main__":
    main()
