"""SWB/1, Switchboard's native protocol, for agents and department bots written in Python.

This module turns ZeroMQ multipart messages (lists of `bytes` frames) into `Message` values and back, exactly
as schemas/PROTOCOL.md describes them: the optional empty delimiter, the signature (`SWBA01` agents, `SWBW01`
workers), the one-byte command, and each command's fixed list of frames. Decoding checks everything the
broker checks (frame counts, text frames, department names, priorities, statuses, attempts, size limits) and
refuses a bad message with the status and reason the broker would use. Encoding checks its own output the same
way, so a peer never sends what the broker would refuse.

The codec needs nothing but the standard library (the socket helpers at the end import pyzmq). With the
`jsonschema` package installed and the repository's schemas/ at hand (or $SWITCHBOARD_SCHEMAS), the JSON
frames (READY, STATUS, HISTORY, ERROR, events) are also validated against their `*.schema.json`. The package's
tests (clients/python/tests) and schemas/examples/python/test_vectors.py check it against the golden vectors.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

try:  # Optional: without it the JSON frames are parsed but not checked against their schemas.
    import jsonschema
except ImportError:  # pragma: no cover - depends on the environment
    jsonschema = None

AGENT = b"SWBA01"
WORKER = b"SWBW01"
TO_BROKER = "to_broker"
FROM_BROKER = "from_broker"
PRIORITIES = ("urgent", "high", "normal", "low")



def _schema_dir() -> Path:
    """$SWITCHBOARD_SCHEMAS, else the repository's schemas/ above this file (an installed copy has none: its
    JSON frames are then parsed but not validated)."""
    if "SWITCHBOARD_SCHEMAS" in os.environ:
        return Path(os.environ["SWITCHBOARD_SCHEMAS"])
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "schemas" / "ready.schema.json").is_file():
            return parent / "schemas"
    return here.parent / "schemas"


SCHEMA_DIR = _schema_dir()


class ProtocolError(Exception):
    """A message refused as PROTOCOL.md §10-11 say: a status code and a stable, machine-readable reason."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(f"{status} {reason}: {message}")
        self.status = status
        self.reason = reason
        self.message = message


class SchemaMismatch(ValueError):
    """A JSON frame that does not match its schema (a local check; the protocol has no reason for it)."""


@dataclass(frozen=True)
class Limits:
    """PROTOCOL.md §12. Only the body limit is configurable on the broker; peers should use the broker's."""

    body: int = 1024 * 1024
    json: int = 64 * 1024
    request_id: int = 128
    reference: int = 128
    department: int = 64
    ticket: int = 64
    attempt_digits: int = 9


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Message:
    """One SWB/1 message: who speaks (`signature`), the command as PROTOCOL.md spells it, which way it travels,
    and its frames by name (`ticket`, `body`, ...). Text frames are `str`, bodies and JSON frames `bytes`
    (kept byte for byte), `status` and `attempt` are `int`."""

    signature: bytes
    command: str
    direction: str
    fields: Mapping[str, Any]

    def __getitem__(self, name: str) -> Any:
        return self.fields[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)


# --- Frames ------------------------------------------------------------------------------------------------


def describe(frame: bytes) -> str:
    """A frame for an error message, without echoing much of it: frames may hold members' health information."""
    if not frame:
        return "an empty frame"
    if len(frame) <= 16 and all(0x20 <= byte < 0x7F for byte in frame):
        return repr(frame.decode())
    return f"{len(frame)} bytes starting 0x{frame[:4].hex()}"


@dataclass(frozen=True)
class Field:
    """How one frame is read and written. `name` is the frame's name in reasons (`empty-request-id`)."""

    name: str
    read: Callable[[bytes, str, str, Limits], Any]  # (frame, field name, command, limits) -> value
    write: Callable[[Any], bytes]


def _text(limit: Callable[[Limits], int], allow_empty: bool = False) -> Callable[[bytes, str, str, Limits], str]:
    """Request ids, tickets, departments, references: UTF-8 without control bytes, 1 to `limit` bytes (§7.1)."""

    def read(frame: bytes, name: str, command: str, limits: Limits) -> str:
        if not frame and not allow_empty:
            raise ProtocolError(400, f"empty-{name}", f"{command}: {name} must not be empty")
        if len(frame) > limit(limits):
            raise ProtocolError(
                400, f"{name}-too-long", f"{command}: {name} is {len(frame)} bytes; the limit is {limit(limits)}")
        try:
            text = frame.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is None or any(byte < 0x20 or byte == 0x7F for byte in frame):
            raise ProtocolError(
                400, f"bad-{name}", f"{command}: {name} must be printable UTF-8 without control characters")
        return text

    return read


def is_department(name: str) -> bool:
    """§7.3: 1 to 64 bytes of a-z, 0-9, '.', '_' and '-', starting with a letter or digit."""
    data = name.encode()
    allowed = b"abcdefghijklmnopqrstuvwxyz0123456789._-"
    return 0 < len(data) <= 64 and data[0] in allowed[:36] and all(byte in allowed for byte in data)


def _department(frame: bytes, name: str, command: str, limits: Limits) -> str:
    text = _text(lambda limits: limits.department)(frame, name, command, limits)
    if not is_department(text):
        raise ProtocolError(
            400, "bad-department",
            f"{command}: department names use a-z, 0-9, '.', '_' and '-' and start with a letter or digit; "
            f"got {describe(frame)}")
    return text


def _priority(frame: bytes, name: str, command: str, limits: Limits) -> str:
    # An empty priority means normal (§7.5), so simple clients may leave it blank; encoding writes the word.
    if not frame:
        return "normal"
    word = frame.decode("utf-8", errors="replace")
    if word not in PRIORITIES:
        raise ProtocolError(
            400, "bad-priority", f"priority must be one of urgent, high, normal, low; got {describe(frame)}")
    return word


def _attempt(frame: bytes, name: str, command: str, limits: Limits) -> int:
    text = _text(lambda limits: limits.attempt_digits)(frame, name, command, limits)
    # As the Swift decoder (Int(text)): an optional sign, then digits. PROTOCOL.md §7.7 forbids both the sign
    # and leading zeros, which the broker never sends.
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not digits.isascii() or not digits.isdigit() or int(text) <= 0:
        raise ProtocolError(400, "bad-attempt", f"{command}: attempt must be a positive decimal number")
    return int(text)


def _status(frame: bytes, name: str, command: str, limits: Limits) -> int:
    if len(frame) != 3 or not all(0x30 <= byte <= 0x39 for byte in frame) or not 100 <= int(frame) <= 599:
        raise ProtocolError(400, "bad-status", f"{command}: status must be three ASCII digits, 100 to 599")
    return int(frame)


def _opaque(limit: Callable[[Limits], int]) -> Callable[[bytes, str, str, Limits], bytes]:
    """Bodies and JSON frames: any bytes, up to a size limit (§12). JSON is parsed later, by who needs it."""

    def read(frame: bytes, name: str, command: str, limits: Limits) -> bytes:
        if len(frame) > limit(limits):
            raise ProtocolError(
                413, f"{name}-too-large", f"{command}: {name} is {len(frame)} bytes; the limit is {limit(limits)}")
        return frame

    return read


def _reason(frame: bytes, name: str, command: str, limits: Limits) -> str:
    _opaque(lambda limits: limits.body)(frame, name, command, limits)
    try:
        return frame.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(400, "bad-reason", f"{command}: reason must be UTF-8") from None


def _utf8(value: str) -> bytes:
    return value.encode("utf-8")


def _same(value: bytes) -> bytes:
    return bytes(value)


def _number(value: int) -> bytes:
    return str(value).encode("ascii")


def _body_frame(name: str) -> Field:
    return Field(name, _opaque(lambda limits: limits.body), _same)


def _json_frame(name: str) -> Field:
    return Field(name, _opaque(lambda limits: limits.json), _same)


FIELDS: dict[str, Field] = {
    "request_id": Field("request-id", _text(lambda limits: limits.request_id), _utf8),
    "ticket": Field("ticket", _text(lambda limits: limits.ticket), _utf8),
    "reference": Field("reference", _text(lambda limits: limits.reference, allow_empty=True), _utf8),
    "department": Field("department", _department, _utf8),
    "priority": Field("priority", _priority, _utf8),
    "attempt": Field("attempt", _attempt, _number),
    "status": Field("status", _status, _number),
    "reason": Field("reason", _reason, _utf8),
    "body": _body_frame("body"),
    "answer": _body_frame("answer"),
    "update": _body_frame("update"),
    "question": _body_frame("question"),
    "info": _body_frame("info"),
    # HISTORY's JSON is bounded by the body limit, not the JSON limit (§5.1): a long history is large.
    "history_json": _body_frame("history"),
    "ready_json": _json_frame("ready"),
    "status_json": _json_frame("status"),
    "error_json": _json_frame("error"),
}


# --- Commands ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    """A command's byte, and the frames after signature and command in each direction it travels (None where
    it does not). A name ending in `?` is an optional last frame (only STATUS's answer, §4.4)."""

    name: str
    byte: int
    to_broker: tuple[str, ...] | None = None
    from_broker: tuple[str, ...] | None = None


AGENT_COMMANDS = (  # PROTOCOL.md §5.1
    Command("SUBMIT", 0x01, to_broker=("request_id", "department", "priority", "body")),
    Command("ACCEPTED", 0x02, from_broker=("request_id", "ticket", "status")),
    Command("ANSWER", 0x03, from_broker=("ticket", "answer")),
    Command("UPDATE", 0x04, from_broker=("ticket", "update")),
    Command("STATUS", 0x05, to_broker=("ticket",), from_broker=("ticket", "status_json", "answer?")),
    Command("CANCEL", 0x06, to_broker=("ticket",)),
    Command("ERROR", 0x07, from_broker=("reference", "status", "error_json")),
    Command("HEARTBEAT", 0x08, to_broker=(), from_broker=()),
    Command("HISTORY", 0x09, to_broker=("ticket",), from_broker=("ticket", "history_json")),
    Command("QUESTION", 0x0A, from_broker=("ticket", "question")),
    Command("INFO", 0x0B, to_broker=("ticket", "info")),
)

WORKER_COMMANDS = (  # PROTOCOL.md §6.1
    Command("READY", 0x01, to_broker=("ready_json",)),
    Command("DISPATCH", 0x02, from_broker=("ticket", "department", "priority", "attempt", "body")),
    Command("ACCEPT", 0x03, to_broker=("ticket",)),
    Command("ANSWER", 0x04, to_broker=("ticket", "answer")),
    Command("UPDATE", 0x05, to_broker=("ticket", "update")),
    Command("TRANSFER", 0x06, to_broker=("ticket", "department", "reason")),
    Command("REJECT", 0x07, to_broker=("ticket", "reason")),
    Command("HEARTBEAT", 0x08, to_broker=(), from_broker=()),
    Command("DISCONNECT", 0x09, to_broker=(), from_broker=()),
    Command("CANCEL", 0x0A, from_broker=("ticket",)),
    Command("ERROR", 0x0B, from_broker=("reference", "status", "error_json")),
    Command("NEEDS_INFO", 0x0C, to_broker=("ticket", "question")),
    Command("INFO", 0x0D, from_broker=("ticket", "info")),
    Command("RELEASE", 0x0E, to_broker=("ticket", "reason")),
)

COMMANDS = {AGENT: AGENT_COMMANDS, WORKER: WORKER_COMMANDS}


def _frames_of(command: Command, direction: str) -> tuple[str, ...] | None:
    return command.to_broker if direction == TO_BROKER else command.from_broker


def _parse_signature(frame: bytes) -> bytes:
    if frame in COMMANDS:
        return frame
    if len(frame) == 6 and frame[:4] in (b"SWBA", b"SWBW") and frame[4:].isdigit():
        raise ProtocolError(
            505, "unsupported-version",
            f"protocol version {frame.decode()!r} is not supported; "
            "this peer speaks SWBA01 (agents) and SWBW01 (workers)")
    raise ProtocolError(
        400, "bad-signature",
        f"frame 1 must be the signature SWBA01 (agent) or SWBW01 (worker); got {describe(frame)}")


def decode(frames: list[bytes], direction: str, limits: Limits = DEFAULT_LIMITS) -> tuple[Message, bool]:
    """Reads one message (without the ROUTER identity) travelling `direction` (TO_BROKER or FROM_BROKER).
    Returns it and whether it began with the empty delimiter. Raises ProtocolError as §4 and §11 say."""
    rest = list(frames)
    delimited = bool(rest) and rest[0] == b""
    if delimited:
        rest = rest[1:]
    if not rest:
        raise ProtocolError(400, "empty-message", "message has no signature frame")
    signature = _parse_signature(rest[0])
    who = "agent" if signature == AGENT else "worker"
    if len(rest) < 2:
        raise ProtocolError(400, "missing-command", f"{who} message has no command frame (frame 2)")
    by_byte = {command.byte: command for command in COMMANDS[signature]}
    command = by_byte.get(rest[1][0]) if len(rest[1]) == 1 else None
    if command is None:
        last = COMMANDS[signature][-1]
        raise ProtocolError(
            400, "unknown-command",
            f"unknown {who} command {describe(rest[1])}; commands are one byte, 0x01 to 0x{last.byte:02X} {last.name}")
    names = _frames_of(command, direction)
    if names is None:
        sender = ("an agent" if who == "agent" else "a worker") if direction == TO_BROKER else "the broker"
        raise ProtocolError(400, "wrong-direction", f"{command.name} (0x{command.byte:02x}) is not sent by {sender}")

    # Frames are read in order, so the first thing wrong is the one reported, as the broker does.
    values: dict[str, Any] = {}
    body = rest[2:]
    for position, name in enumerate(names):
        optional = name.endswith("?")
        name = name.rstrip("?")
        field = FIELDS[name]
        if position >= len(body):
            if optional:
                values[name] = None
                break
            raise ProtocolError(400, "missing-frame", f"{command.name} is missing frame {position + 3} ({field.name})")
        values[name] = field.read(body[position], field.name, command.name, limits)
    if len(body) > len(names):
        raise ProtocolError(
            400, "extra-frames",
            f"{command.name} has {len(body) - len(names)} unexpected frame(s) after frame {len(names) + 2}")
    return Message(signature, command.name, direction, values), delimited


def encode(message: Message, delimited: bool = False, limits: Limits = DEFAULT_LIMITS) -> list[bytes]:
    """The frames of `message` (with the empty delimiter first if `delimited`). Raises ProtocolError if the
    message is one the receiver would refuse, so a peer never puts a malformed message on the wire."""
    command = next((c for c in COMMANDS[message.signature] if c.name == message.command), None)
    names = _frames_of(command, message.direction) if command else None
    if command is None or names is None:
        raise ProtocolError(400, "unknown-command", f"no {message.command} travels {message.direction}")
    frames = [message.signature, bytes([command.byte])]
    for name in names:
        optional, name = name.endswith("?"), name.rstrip("?")
        value = message.fields.get(name)
        if value is None and optional:
            continue
        if value is None:
            raise ProtocolError(400, "missing-frame", f"{message.command} needs {name}")
        frames.append(FIELDS[name].write(value))
    decode(frames, message.direction, limits)  # the receiver's checks, on our own output
    if message.signature == WORKER and message.command == "READY":
        parse_ready(message["ready_json"])
    return ([b""] if delimited else []) + frames


def agent_message(command: str, **fields: Any) -> Message:
    """An agent's message to the broker: `agent_message("SUBMIT", request_id=..., department=..., ...)`."""
    return Message(AGENT, command, TO_BROKER, fields)


def worker_message(command: str, **fields: Any) -> Message:
    """A worker's message to the broker: `worker_message("ACCEPT", ticket=...)`."""
    return Message(WORKER, command, TO_BROKER, fields)


# --- JSON frames -------------------------------------------------------------------------------------------


def encode_json(value: Any) -> bytes:
    """JSON as the reference implementation writes it (§7.8): keys sorted, no whitespace, `/` and printable
    characters not escaped. Receivers accept any valid JSON; this form makes frames byte-exact."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


_validators: dict[str, Any] = {}


def schema_validation_available() -> bool:
    return jsonschema is not None and (SCHEMA_DIR / "ready.schema.json").is_file()


def validate(schema: str, value: Any) -> None:
    """Checks `value` against ../../<schema>.schema.json; does nothing without jsonschema or the schemas."""
    if not schema_validation_available():
        return
    if schema not in _validators:
        document = json.loads((SCHEMA_DIR / f"{schema}.schema.json").read_text(encoding="utf-8"))
        _validators[schema] = jsonschema.Draft202012Validator(document)
    errors = sorted(_validators[schema].iter_errors(value), key=lambda error: list(error.absolute_path))
    if errors:
        where = "/".join(str(part) for part in errors[0].absolute_path) or "(top)"
        raise SchemaMismatch(f"{schema}.schema.json at {where}: {errors[0].message}")


def parse_json(frame: bytes, schema: str) -> dict[str, Any]:
    """A JSON frame from the broker (STATUS, HISTORY, ERROR) as a dict, checked against its schema."""
    try:
        value = json.loads(frame)
    except ValueError as error:
        raise SchemaMismatch(f"{schema} frame is not JSON: {error}") from None
    if not isinstance(value, dict):
        raise SchemaMismatch(f"{schema} frame is not a JSON object")
    validate(schema, value)
    return value


def error_detail(message: Message) -> dict[str, Any]:
    """The JSON of an ERROR (error.schema.json): `status`, `error` (the reason), `message`, maybe `ticket` and
    `request_id`. Its status must equal the status frame."""
    detail = parse_json(message["error_json"], "error")
    if detail.get("status") != message["status"]:
        raise SchemaMismatch(
            f"ERROR status frame {message['status']} differs from its JSON status {detail.get('status')}")
    return detail


def ready_json(departments: list[str], credit: int, name: str | None = None) -> bytes:
    """The JSON frame of READY (ready.schema.json). Checked against the schema as senders must: no members the
    schema does not list, even though the broker ignores them."""
    value: dict[str, Any] = {"departments": departments, "credit": credit}
    if name is not None:
        value["name"] = name
    validate("ready", value)
    frame = encode_json(value)
    parse_ready(frame)
    return frame


def parse_ready(frame: bytes) -> dict[str, Any]:
    """Validates a READY frame as the broker does (§6.2), in its order: shape and types (`bad-ready`), then an
    empty list (`bad-ready`), a department name (`bad-department`), the credit (`bad-credit`), the name's length
    (`bad-ready`). Unknown members are ignored, as the broker ignores them."""
    example = 'READY body must be JSON like {"departments":["claims"],"credit":4}'
    try:
        value = json.loads(frame)
    except ValueError:
        raise ProtocolError(400, "bad-ready", f"{example}: not valid JSON") from None
    if not isinstance(value, dict):
        raise ProtocolError(400, "bad-ready", f"{example}: not a JSON object")
    for key in ("departments", "credit"):
        if key not in value:
            raise ProtocolError(400, "bad-ready", f"{example}: missing field '{key}'")
    departments, credit, name = value["departments"], value["credit"], value.get("name")
    if not isinstance(departments, list) or not all(isinstance(item, str) for item in departments):
        raise ProtocolError(400, "bad-ready", f"{example}: wrong type at 'departments'")
    if not isinstance(credit, int) or isinstance(credit, bool):
        raise ProtocolError(400, "bad-ready", f"{example}: wrong type at 'credit'")
    if name is not None and not isinstance(name, str):
        raise ProtocolError(400, "bad-ready", f"{example}: wrong type at 'name'")
    if not departments:
        raise ProtocolError(400, "bad-ready", "READY: departments must list at least one department")
    bad = next((department for department in departments if not is_department(department)), None)
    if bad is not None:
        raise ProtocolError(400, "bad-department", f"READY: {describe(bad.encode())} is not a valid department name")
    if not 1 <= credit <= 1000:
        raise ProtocolError(400, "bad-credit", f"READY: credit must be 1 to 1000; got {credit}")
    if name is not None and len(name.encode()) > 128:
        raise ProtocolError(400, "bad-ready", "READY: name is longer than 128 bytes")
    return value


def decode_event(frames: list[bytes]) -> tuple[str, dict[str, Any]]:
    """An event from the events endpoint (§13): its topic and its JSON (event.schema.json)."""
    if len(frames) != 2:
        raise SchemaMismatch(f"an event has 2 frames, not {len(frames)}")
    topic = frames[0].decode("ascii")
    event = parse_json(frames[1], "event")
    if event.get("type") != topic:
        raise SchemaMismatch(f"event topic {topic!r} differs from its type {event.get('type')!r}")
    return topic, event


# --- Sockets -----------------------------------------------------------------------------------------------
# pyzmq is imported here only, so the codec above (and the vector check) runs without it.


def open_dealer(context: Any, endpoint: str, key_file: str | None = None, server_key_file: str | None = None) -> Any:
    """A DEALER socket connected to the broker (or to both daemons of a pair), as agents and workers use (§3). With `key_file` (your secret
    certificate, as `switchboard keygen` writes it) and `server_key_file` (the broker's public certificate) it
    is a CURVE client, for a broker that runs CURVE (§15)."""
    import zmq
    import zmq.auth

    curve = None
    if key_file or server_key_file:
        # Read before the socket exists: a socket left open by a failure here would hang context.term().
        if not (key_file and server_key_file):
            raise ValueError("--key and --server-key go together: your secret certificate and the broker's public one")
        public, secret = zmq.auth.load_certificate(key_file)
        if secret is None:
            raise ValueError(f"{key_file} is a public certificate; give your secret certificate (the _secret file)")
        server_public, _ = zmq.auth.load_certificate(server_key_file)
        curve = (public, secret, server_public)
    socket = context.socket(zmq.DEALER)
    socket.setsockopt(zmq.LINGER, 0)
    if curve:
        socket.curve_publickey, socket.curve_secretkey, socket.curve_serverkey = curve
    # An active/standby pair: "tcp://a:5570,tcp://b:5570". Only the leader binds, so with IMMEDIATE messages go
    # to the daemon that leads and the socket reaches the new leader by itself after a failover.
    endpoints = [part.strip() for part in endpoint.split(",") if part.strip()]
    if len(endpoints) > 1:
        socket.setsockopt(zmq.IMMEDIATE, 1)
    for one in endpoints or [endpoint]:
        socket.connect(one)
    return socket


def is_pair(endpoint: str) -> bool:
    """Whether `endpoint` lists an active/standby pair's endpoints (comma-separated)."""
    return len([part for part in endpoint.split(",") if part.strip()]) > 1


def send(socket: Any, message: Message) -> None:
    socket.send_multipart(encode(message))


def receive(socket: Any) -> Message:
    """The next message from the broker (the socket must be readable). Raises ProtocolError for a malformed
    one, which a peer should log and drop (§4.5)."""
    message, _ = decode(socket.recv_multipart(), FROM_BROKER)
    return message
