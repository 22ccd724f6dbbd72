#!/usr/bin/env python3
"""A webhook receiver for the end-to-end tests: it checks each delivery's signature and logs what it got.

    python3 webhook_receiver.py --secret SECRET --log deliveries.jsonl [--port 0] [--fail-first N]
                                [--port-file port.txt]

Listens on 127.0.0.1:PORT (0, the default: any free port) and accepts a POST on any path. For each POST,
numbered n = 1, 2, ... in the order they arrive (every POST counts):

* it checks `X-Switchboard-Signature` against "sha256=" + the lowercase hex HMAC-SHA256, keyed with the
  secret's UTF-8 bytes, of `X-Switchboard-Timestamp` + "." + the raw body (schemas/API.md, Webhooks);
* it answers 401 when the signature is missing or wrong, else 500 while n <= N (--fail-first, 0 by
  default), else 204;
* before answering, it appends one JSON line to the log and flushes and fsyncs it: `n`, `status` (what it
  answers), `signature_ok`, `event` (X-Switchboard-Event), `delivery` (X-Switchboard-Delivery),
  `timestamp` (X-Switchboard-Timestamp), `path`, `body` (the body parsed as JSON, or null when it is not
  JSON) and `received_at` (Unix seconds, with their fraction, when the body was read). Absent headers are
  null.

Other methods get 405, and a POST whose body cannot be read (a short or malformed one) gets 400; neither is
counted or logged. Once it listens it writes the port to --port-file (to a
temporary file in the same folder, then renamed, so a reader never sees half a port) and says so on
standard error. It runs until SIGTERM or SIGINT and then exits 0; 2 on a usage error or if it cannot
listen or open the log. Standard library only.
"""

import argparse
import hashlib
import hmac
import http.server
import json
import os
import signal
import sys
import threading
import time


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        prog="webhook_receiver.py",
        description="Receive Switchboard webhook deliveries on 127.0.0.1, check their signatures, log them.")
    parser.add_argument("--port", type=int, default=0, help="the port to listen on (0, the default: any free port)")
    parser.add_argument("--secret", required=True, help="the webhook's secret (webhooks.<name>.secret)")
    parser.add_argument("--fail-first", type=int, default=0, metavar="N",
                        help="answer 500 to the first N POSTs (every POST counts), then 204")
    parser.add_argument("--log", required=True, help="append one JSON line per POST to this file")
    parser.add_argument("--port-file", help="write the port listened on to this file, atomically")
    arguments = parser.parse_args(argv)
    if not 0 <= arguments.port <= 65535:
        parser.error("--port must be 0 to 65535")
    if arguments.fail_first < 0:
        parser.error("--fail-first must be 0 or more")
    return arguments


def expected_signature(secret, timestamp, body):
    mac = hmac.new(secret, timestamp.encode("utf-8") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class Receiver:
    """What the handler threads share: the secret, the POST counter and the log."""

    def __init__(self, secret, fail_first, log):
        self.secret = secret
        self.fail_first = fail_first
        self.log = log
        self.lock = threading.Lock()
        self.count = 0

    def record(self, headers, path, body):
        """Numbers the POST, decides the answer and logs it; returns the status to answer."""
        received_at = time.time()
        timestamp = headers.get("X-Switchboard-Timestamp")
        signature = headers.get("X-Switchboard-Signature")
        signature_ok = (timestamp is not None and signature is not None
                        and hmac.compare_digest(expected_signature(self.secret, timestamp, body).encode("utf-8"),
                                                signature.encode("utf-8")))
        try:
            parsed = json.loads(body.decode("utf-8"))
        except ValueError:  # UnicodeDecodeError and json.JSONDecodeError both are ValueErrors.
            parsed = None
        with self.lock:
            self.count += 1
            n = self.count
            if not signature_ok:
                status = 401
            elif n <= self.fail_first:
                status = 500
            else:
                status = 204
            line = {
                "n": n,
                "status": status,
                "signature_ok": signature_ok,
                "event": headers.get("X-Switchboard-Event"),
                "delivery": headers.get("X-Switchboard-Delivery"),
                "timestamp": timestamp,
                "path": path,
                "body": parsed,
                "received_at": received_at,
            }
            self.log.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
            self.log.flush()
            os.fsync(self.log.fileno())
        return status


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a webhook client may reuse its connection
    server_version = "webhook_receiver"
    sys_version = ""

    def do_POST(self):
        try:
            body = self.read_body()
        except ValueError as error:
            self.answer(400, f"unreadable body: {error}\n")
            self.close_connection = True
            return
        status = self.server.receiver.record(self.headers, self.path, body)
        self.answer(status, {401: "bad signature\n", 500: "failing on purpose (--fail-first)\n"}.get(status, ""))

    def do_GET(self):
        self.answer(405, "POST only\n", allow=True)

    do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size_line = self.rfile.readline(65537)
                if not size_line:
                    raise ValueError("connection closed inside a chunked body")
                size = int(size_line.split(b";", 1)[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline(65537).strip():  # trailers, up to the empty line
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)  # the CRLF after the chunk
        length = int(self.headers.get("Content-Length", "0"))
        if length < 0:
            raise ValueError("negative Content-Length")
        body = self.rfile.read(length)
        if len(body) != length:
            raise ValueError("connection closed inside the body")
        return body

    def answer(self, status, text, allow=False):
        data = text.encode("utf-8")
        self.send_response(status)
        if allow:
            self.send_header("Allow", "POST")
        if status != 204:
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if status != 204 and self.command != "HEAD":
            self.wfile.write(data)

    def log_message(self, format, *args):  # quiet: the log file is the record
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def write_port_file(path, port):
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8") as file:
        file.write(f"{port}\n")
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


def main(argv):
    arguments = parse_arguments(argv)
    try:
        log = open(arguments.log, "a", encoding="utf-8")
    except OSError as error:
        print(f"webhook_receiver.py: cannot open the log {arguments.log}: {error}", file=sys.stderr)
        return 2
    try:
        server = Server(("127.0.0.1", arguments.port), Handler)
    except OSError as error:
        print(f"webhook_receiver.py: cannot listen on 127.0.0.1:{arguments.port}: {error}", file=sys.stderr)
        return 2
    server.receiver = Receiver(arguments.secret.encode("utf-8"), arguments.fail_first, log)

    def stop(signum, frame):
        # shutdown() waits for serve_forever() to return, so it cannot run on the thread that serves.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    port = server.server_address[1]
    if arguments.port_file:
        write_port_file(arguments.port_file, port)
    print(f"webhook_receiver.py: listening on 127.0.0.1:{port}", file=sys.stderr, flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
        with server.receiver.lock:
            log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
