#!/usr/bin/env python3
"""Writes the golden vectors in this folder: the committed JSON files are the vectors, this is how they were made.

Run from anywhere with `python3 schemas/vectors/generate.py`; it rewrites every vector file it knows and
removes nothing else. The JSON payload frames (READY, STATUS, ERROR, HISTORY, events) are written the way
`JSONCoding.encode` writes them: snake_case keys, sorted keys, no spaces, no escaped slashes. Every payload is
checked against the schema it claims to follow before anything is written, which needs the `jsonschema` package
(`pip install jsonschema`, or Debian's python3-jsonschema); `--unchecked` writes without that check.
"""

import datetime
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
SCHEMAS = HERE.parent

AGENT = b"SWBA01"
WORKER = b"SWBW01"

AGENT_COMMANDS = {
    "SUBMIT": 0x01, "ACCEPTED": 0x02, "ANSWER": 0x03, "UPDATE": 0x04,
    "STATUS": 0x05, "CANCEL": 0x06, "ERROR": 0x07, "HEARTBEAT": 0x08, "HISTORY": 0x09, "QUESTION": 0x0A,
    "INFO": 0x0B,
}
WORKER_COMMANDS = {
    "READY": 0x01, "DISPATCH": 0x02, "ACCEPT": 0x03, "ANSWER": 0x04, "UPDATE": 0x05, "TRANSFER": 0x06,
    "REJECT": 0x07, "HEARTBEAT": 0x08, "DISCONNECT": 0x09, "CANCEL": 0x0A, "ERROR": 0x0B, "NEEDS_INFO": 0x0C,
    "INFO": 0x0D, "RELEASE": 0x0E,
}

# Tickets as TicketIssuer makes them: "T-" and 13 Crockford base-32 digits of (milliseconds << 16 | sequence).
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ticket(milliseconds, sequence=0):
    value = milliseconds << 16 | sequence
    digits = []
    for _ in range(13):
        digits.append(CROCKFORD[value & 31])
        value >>= 5
    return "T-" + "".join(reversed(digits))


SUBMITTED_MS = 1_795_000_000_123  # 2026-11-18T11:06:40.123Z
TICKET = ticket(SUBMITTED_MS)
TICKET_2 = ticket(SUBMITTED_MS, 1)
REQUEST_ID = "req-7f3a9c2e-0001"


def iso(milliseconds):
    """A Timestamp as JSON writes it: RFC 3339, UTC, exactly three fraction digits."""
    moment = datetime.datetime.fromtimestamp(milliseconds / 1000, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{milliseconds % 1000:03d}Z"


assert iso(SUBMITTED_MS) == "2026-11-18T11:06:40.123Z"
SECOND = 1000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE


def clock(target, target_ms, used_ms, state, due_ms=None):
    """One entry of STATUS `clocks`, as RequestSLA.status reports it: remaining is target minus used (negative
    once overdue); due_at only while the clock runs."""
    assert state in ("running", "paused", "met", "breached")
    assert (due_ms is None) == (state in ("paused", "met")) or state == "breached"
    value = {"remaining_ms": target_ms - used_ms, "state": state, "target": target, "target_ms": target_ms,
             "used_ms": used_ms}
    if due_ms is not None:
        value["due_at"] = iso(due_ms)
    return value


def js(value):
    """Exactly what JSONCoding.encode produces for ASCII content."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def b(text):
    return text.encode() if isinstance(text, str) else bytes(text)


def frame_text(frame):
    try:
        text = frame.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        return None
    return text


def agent(command, *fields):
    return [AGENT, bytes([AGENT_COMMANDS[command]])] + [b(f) for f in fields]


def worker(command, *fields):
    return [WORKER, bytes([WORKER_COMMANDS[command]])] + [b(f) for f in fields]


VALID = []
INVALID = []


def valid(name, description, direction, command, frames, delimited=False, payload=None):
    """payload: (frame index, schema file) of a JSON frame, checked against the schema."""
    signature = frames[0].decode()
    if delimited:
        frames = [b""] + frames
    VALID.append({
        "name": name, "description": description, "signature": signature, "direction": direction,
        "command": command, "delimited": delimited,
        "frames_hex": [f.hex() for f in frames], "frames_text": [frame_text(f) for f in frames],
        "_payload": payload and (payload[0] + (1 if delimited else 0), payload[1]),
    })


def invalid(name, description, direction, frames, status, error, body_repeat=None):
    vector = {
        "name": name, "description": description, "direction": direction,
        "frames_hex": [b(f).hex() for f in frames], "frames_text": [frame_text(b(f)) for f in frames],
    }
    if body_repeat:
        vector["body_repeat"] = body_repeat
    vector["expect"] = {"status": status, "error": error}
    INVALID.append(vector)


CLAIM_QUESTION = js({"claim": "C-88812", "member": "M-104233", "question": "Has this claim been paid?"})
CLAIM_ANSWER = js({"claim": "C-88812", "paid": True, "paid_on": "2026-11-02"})

# claims at normal priority: the default answer target of 4 hours, 24x7, no first-response or update target,
# so the STATUS of its requests has the answer clock alone. Each STATUS is as the broker answers it at some
# moment after updated_at (the JSON does not say when).
ANSWER_4H = 4 * HOUR
STATUS_QUEUED_NO_WORKER = {
    "attempts": 0,
    "clocks": [clock("answer", ANSWER_4H, 30 * MINUTE, "running", SUBMITTED_MS + ANSWER_4H)],
    "deadline": "2026-11-18T15:06:40.123Z", "department": "claims", "priority": "normal",
    "request_id": REQUEST_ID, "state": "queued", "submitted_at": "2026-11-18T11:06:40.123Z", "ticket": TICKET,
    "updated_at": "2026-11-18T11:06:40.123Z", "updates": 0,
}
STATUS_ACCEPTED = {
    "attempts": 2,
    "clocks": [clock("answer", ANSWER_4H, 199_877, "running", SUBMITTED_MS + ANSWER_4H)],  # at 11:10:00.000
    "deadline": "2026-11-18T15:06:40.123Z", "department": "claims", "priority": "normal",
    "reason": "claims-bot-2: no heartbeat for 7.5 seconds", "request_id": REQUEST_ID, "state": "accepted",
    "submitted_at": "2026-11-18T11:06:40.123Z", "ticket": TICKET, "updated_at": "2026-11-18T11:09:12.480Z",
    "updates": 1, "worker": "claims-bot-1",
}
STATUS_ANSWERED = {
    "answered_at": "2026-11-18T11:12:03.007Z", "attempts": 1,
    # Stopped at the answer, 5 min 22.884 s after submission: met, and no longer due.
    "clocks": [clock("answer", ANSWER_4H, 322_884, "met")],
    "deadline": "2026-11-18T15:06:40.123Z",
    "department": "claims", "priority": "normal", "request_id": REQUEST_ID, "state": "answered",
    "submitted_at": "2026-11-18T11:06:40.123Z", "ticket": TICKET, "updated_at": "2026-11-18T11:12:03.007Z",
    "updates": 0,
}
# A cancelled request: no clocks here (they are optional; the broker reports them for requests it still holds).
STATUS_CANCELLED = {
    "attempts": 1, "deadline": "2026-11-18T11:21:40.123Z", "department": "pharmacy", "priority": "urgent",
    "reason": "cancelled by the agent", "request_id": "req-7f3a9c2e-0002", "state": "cancelled",
    "submitted_at": "2026-11-18T11:06:40.123Z", "ticket": TICKET_2, "updated_at": "2026-11-18T11:07:15.900Z",
    "updates": 0, "worker": "pharmacy-bot-1",
}

# Every clock, asked at 12:10:00.000 about a request in a department that promises a first response in 15
# minutes, an answer in 4 hours and an update every hour: claims-bot-1 accepted it 30 s after submission (first
# response met) and sent an update at 11:40:00.000 (the update clock started again then).
ACCEPTED_MS = SUBMITTED_MS + 30 * SECOND
UPDATE_MS = SUBMITTED_MS + 33 * MINUTE + 19_877  # 11:40:00.000
ASKED_MS = UPDATE_MS + 30 * MINUTE  # 12:10:00.000
assert (iso(UPDATE_MS), iso(ASKED_MS)) == ("2026-11-18T11:40:00.000Z", "2026-11-18T12:10:00.000Z")
STATUS_CLOCKS = {
    "attempts": 1,
    "clocks": [
        clock("first_response", 15 * MINUTE, ACCEPTED_MS - SUBMITTED_MS, "met"),
        clock("answer", ANSWER_4H, ASKED_MS - SUBMITTED_MS, "running", SUBMITTED_MS + ANSWER_4H),
        clock("update", HOUR, ASKED_MS - UPDATE_MS, "running", UPDATE_MS + HOUR),
    ],
    "deadline": iso(SUBMITTED_MS + ANSWER_4H), "department": "claims", "priority": "normal",
    "request_id": REQUEST_ID, "state": "accepted", "submitted_at": iso(SUBMITTED_MS), "ticket": TICKET,
    "updated_at": iso(UPDATE_MS), "updates": 1, "worker": "claims-bot-1",
}

# Pause and resume: claims-bot-1, holding the request, asks the agent for more (NEEDS_INFO) 2 minutes after
# submission; the agent answers (INFO) 10 minutes later. The question and the reply are opaque to the broker.
CLAIM_QUESTION_BACK = js({"need": "date_of_service", "question": "Which date of service does the member mean?"})
CLAIM_INFO = js({"date_of_service": "2026-10-28"})
NEEDS_INFO_MS = SUBMITTED_MS + 2 * MINUTE
INFO_MS = NEEDS_INFO_MS + 10 * MINUTE
# STATUS while it waits on the agent, asked at 11:15:00.000, in the department of STATUS_CLOCKS (first response
# 15 min, answer 4 h, update 1 h): NEEDS_INFO was the first response (met); the answer and update clocks are
# paused at what they had counted when it came, with no due time; deadline is as computed at submission.
WAITING_ASKED_MS = NEEDS_INFO_MS + 6 * MINUTE + 19_877
assert iso(WAITING_ASKED_MS) == "2026-11-18T11:15:00.000Z"
STATUS_WAITING = {
    "attempts": 1,
    "clocks": [
        clock("first_response", 15 * MINUTE, NEEDS_INFO_MS - SUBMITTED_MS, "met"),
        clock("answer", ANSWER_4H, NEEDS_INFO_MS - SUBMITTED_MS, "paused"),
        clock("update", HOUR, NEEDS_INFO_MS - SUBMITTED_MS, "paused"),
    ],
    "deadline": iso(SUBMITTED_MS + ANSWER_4H), "department": "claims", "priority": "normal",
    "request_id": REQUEST_ID, "state": "waiting_on_agent", "submitted_at": iso(SUBMITTED_MS), "ticket": TICKET,
    "updated_at": iso(NEEDS_INFO_MS), "updates": 0, "worker": "claims-bot-1",
}

# The end-to-end case of the SLA engine: a department (eligibility here) with a 2-second answer target and no
# worker, asked 3 s after submission. The clock has breached and still runs: 1 s overdue, due_at in the past.
ANSWER_2S = 2 * SECOND
STATUS_BREACHED = {
    "attempts": 0,
    "clocks": [clock("answer", ANSWER_2S, 3 * SECOND, "breached", SUBMITTED_MS + ANSWER_2S)],
    "deadline": iso(SUBMITTED_MS + ANSWER_2S), "department": "eligibility", "priority": "normal",
    "request_id": REQUEST_ID, "state": "queued", "submitted_at": iso(SUBMITTED_MS), "ticket": TICKET,
    "updated_at": iso(SUBMITTED_MS), "updates": 0,
}

# The same request as the ledger records it when eligibility escalates by transfer to an escalations desk: both
# warnings, the breach, and the escalation, each with its reason.
HISTORY_ESCALATED = {
    "events": [
        {"at": iso(SUBMITTED_MS), "attempt": 0, "department": "eligibility", "state": "queued",
         "type": "request.submitted"},
        {"at": iso(SUBMITTED_MS + ANSWER_2S // 2), "attempt": 0, "department": "eligibility",
         "reason": "answer target: 50% of 2.0 seconds used", "state": "queued", "type": "request.sla_warning"},
        {"at": iso(SUBMITTED_MS + ANSWER_2S * 3 // 4), "attempt": 0, "department": "eligibility",
         "reason": "answer target: 75% of 2.0 seconds used", "state": "queued", "type": "request.sla_warning"},
        {"at": iso(SUBMITTED_MS + ANSWER_2S), "attempt": 0, "department": "eligibility",
         "reason": "answer target of 2.0 seconds breached", "state": "queued", "type": "request.sla_breached"},
        {"at": iso(SUBMITTED_MS + ANSWER_2S), "attempt": 0, "department": "escalations",
         "from_department": "eligibility", "reason": "transferred to escalations after an SLA breach",
         "state": "queued", "type": "request.escalated"},
    ],
    "ticket": TICKET,
}
assert [e["at"] for e in HISTORY_ESCALATED["events"]] == sorted(e["at"] for e in HISTORY_ESCALATED["events"])

# A HISTORY as the ledger gives it: requeued once in claims (worker lost), then transferred to eligibility and
# answered there. Every optional entry field appears at least once; entries are oldest first.
HISTORY = {
    "events": [
        {"at": "2026-11-18T11:06:40.123Z", "attempt": 0, "department": "claims", "state": "queued",
         "type": "request.submitted"},
        {"at": "2026-11-18T11:06:40.125Z", "attempt": 1, "department": "claims", "state": "offered",
         "type": "request.offered", "worker": "claims-bot-2"},
        {"at": "2026-11-18T11:06:41.310Z", "attempt": 1, "department": "claims", "state": "accepted",
         "type": "request.accepted", "worker": "claims-bot-2"},
        {"at": "2026-11-18T11:09:12.480Z", "attempt": 1, "department": "claims",
         "reason": "claims-bot-2: no heartbeat for 7.5 seconds", "state": "queued", "type": "request.requeued"},
        {"at": "2026-11-18T11:09:12.481Z", "attempt": 2, "department": "claims", "state": "offered",
         "type": "request.offered", "worker": "claims-bot-1"},
        {"at": "2026-11-18T11:09:13.002Z", "attempt": 2, "department": "claims", "state": "accepted",
         "type": "request.accepted", "worker": "claims-bot-1"},
        {"at": "2026-11-18T11:10:02.500Z", "attempt": 0, "department": "eligibility", "from_department": "claims",
         "reason": "coverage must be confirmed before the claim can be discussed", "state": "queued",
         "type": "request.transferred", "worker": "claims-bot-1"},
        {"at": "2026-11-18T11:10:02.503Z", "attempt": 1, "department": "eligibility", "state": "offered",
         "type": "request.offered", "worker": "eligibility-bot-1"},
        {"at": "2026-11-18T11:10:30.000Z", "attempt": 1, "department": "eligibility", "state": "accepted",
         "type": "request.updated", "worker": "eligibility-bot-1"},
        {"at": "2026-11-18T11:12:03.007Z", "attempt": 1, "department": "eligibility", "state": "answered",
         "type": "request.answered", "worker": "eligibility-bot-1"},
    ],
    "ticket": TICKET,
}
assert [e["at"] for e in HISTORY["events"]] == sorted(e["at"] for e in HISTORY["events"]), "oldest first"


def build_valid():
    # Agent → broker.
    valid("agent-submit", "An agent submits a JSON question to claims at normal priority.", "to_broker", "SUBMIT",
          agent("SUBMIT", REQUEST_ID, "claims", "normal", CLAIM_QUESTION))
    valid("agent-submit-delimited",
          "The same SUBMIT from a REQ socket, which puts an empty delimiter frame first; "
          "every reply to this peer carries one too.",
          "to_broker", "SUBMIT", agent("SUBMIT", REQUEST_ID, "claims", "normal", CLAIM_QUESTION), delimited=True)
    valid("agent-submit-urgent-text", "An urgent plain-text question to a department name with '-' and '.'.",
          "to_broker", "SUBMIT",
          agent("SUBMIT", "crm:case/55102#3", "provider-relations.east", "urgent",
                "Please call the provider back before 17:00 about the prior authorization."))
    valid("agent-submit-empty-body", "A body may be empty: the broker only checks its size.", "to_broker",
          "SUBMIT", agent("SUBMIT", "req-empty-body", "billing", "low", ""))
    valid("agent-status-query", "An agent asks for a ticket's status.", "to_broker", "STATUS",
          agent("STATUS", TICKET))
    valid("agent-cancel", "An agent cancels a ticket.", "to_broker", "CANCEL", agent("CANCEL", TICKET))
    valid("agent-heartbeat-to-broker", "An agent checks that the broker is there; the broker answers HEARTBEAT.",
          "to_broker", "HEARTBEAT", agent("HEARTBEAT"))
    valid("agent-history-query", "An agent asks for a ticket's recorded history.", "to_broker", "HISTORY",
          agent("HISTORY", TICKET))
    valid("agent-info",
          "The agent answers the department's QUESTION; the request is accepted again and its clocks resume. The "
          "broker replies STATUS.",
          "to_broker", "INFO", agent("INFO", TICKET, CLAIM_INFO))

    # Broker → agent.
    valid("agent-accepted-201", "A new request is durable and a worker of its department is connected.",
          "from_broker", "ACCEPTED", agent("ACCEPTED", REQUEST_ID, TICKET, "201"))
    valid("agent-accepted-201-delimited", "The ACCEPTED reply to a delimited (REQ) agent starts with an empty frame.",
          "from_broker", "ACCEPTED", agent("ACCEPTED", REQUEST_ID, TICKET, "201"), delimited=True)
    valid("agent-accepted-202",
          "A new request is durable and queued, but no worker is serving its department right now.",
          "from_broker", "ACCEPTED", agent("ACCEPTED", REQUEST_ID, TICKET, "202"))
    valid("agent-accepted-200", "The request id was already known: the same ticket again, no second request.",
          "from_broker", "ACCEPTED", agent("ACCEPTED", REQUEST_ID, TICKET, "200"))
    valid("agent-answer", "The department's answer, pushed to the agent.", "from_broker", "ANSWER",
          agent("ANSWER", TICKET, CLAIM_ANSWER))
    valid("agent-update", "An interim update from the department.", "from_broker", "UPDATE",
          agent("UPDATE", TICKET, "Looking into it; the claim is with the adjuster."))
    valid("agent-question",
          "The worker holding the request needs more information: its NEEDS_INFO question, pushed to the agent. "
          "The request waits on the agent, its clocks paused.",
          "from_broker", "QUESTION", agent("QUESTION", TICKET, CLAIM_QUESTION_BACK))
    valid("agent-status-waiting-on-agent",
          "STATUS of a request waiting on the agent: the first response met by the NEEDS_INFO, the answer and "
          "update clocks paused (no due time).",
          "from_broker", "STATUS", agent("STATUS", TICKET, js(STATUS_WAITING)), payload=(3, "status.schema.json"))
    valid("agent-status-queued", "STATUS of a queued request (no worker holds it): no answer frame.",
          "from_broker", "STATUS", agent("STATUS", TICKET, js(STATUS_QUEUED_NO_WORKER)),
          payload=(3, "status.schema.json"))
    valid("agent-status-accepted", "STATUS of a request a worker has accepted after one requeue.",
          "from_broker", "STATUS", agent("STATUS", TICKET, js(STATUS_ACCEPTED)),
          payload=(3, "status.schema.json"))
    valid("agent-status-answered", "STATUS of an answered request: the answer follows the status JSON.",
          "from_broker", "STATUS", agent("STATUS", TICKET, js(STATUS_ANSWERED), CLAIM_ANSWER),
          payload=(3, "status.schema.json"))
    valid("agent-status-cancelled", "The reply to CANCEL: the STATUS of the now cancelled request.",
          "from_broker", "STATUS", agent("STATUS", TICKET_2, js(STATUS_CANCELLED)),
          payload=(3, "status.schema.json"))
    valid("agent-status-clocks",
          "STATUS with every service-level clock: the first response met, the answer and the periodic update "
          "running, each with its due time.",
          "from_broker", "STATUS", agent("STATUS", TICKET, js(STATUS_CLOCKS)), payload=(3, "status.schema.json"))
    valid("agent-status-breached",
          "STATUS of a queued request whose 2-second answer target has passed: the clock is breached, "
          "1 second overdue, and still runs.",
          "from_broker", "STATUS", agent("STATUS", TICKET, js(STATUS_BREACHED)), payload=(3, "status.schema.json"))
    valid("agent-history-escalated",
          "HISTORY of a request that breached its answer target: both warnings, the breach, and the escalation "
          "that transferred it to an escalations desk.",
          "from_broker", "HISTORY", agent("HISTORY", TICKET, js(HISTORY_ESCALATED)),
          payload=(3, "history.schema.json"))
    valid("agent-history",
          "HISTORY of a request that was requeued once, transferred to eligibility and answered there: "
          "every change from the ledger, oldest first, never a body.",
          "from_broker", "HISTORY", agent("HISTORY", TICKET, js(HISTORY)), payload=(3, "history.schema.json"))
    valid("agent-error-unknown-department", "SUBMIT to a department the broker does not know: 404.",
          "from_broker", "ERROR",
          agent("ERROR", "req-7f3a9c2e-0003", "404", js({
              "error": "unknown-department",
              "message": "department 'dental' is not known; known departments: billing, claims, eligibility, "
                         "pharmacy, provider-relations",
              "request_id": "req-7f3a9c2e-0003", "status": 404})),
          payload=(4, "error.schema.json"))
    valid("agent-error-unknown-ticket", "STATUS or CANCEL for a ticket the broker does not know: 404.",
          "from_broker", "ERROR",
          agent("ERROR", "T-0000000000000", "404", js({
              "error": "unknown-ticket", "message": "ticket T-0000000000000 is not known",
              "status": 404, "ticket": "T-0000000000000"})),
          payload=(4, "error.schema.json"))
    valid("agent-error-dead-lettered", "The broker gave up on a request after the department's maximum attempts.",
          "from_broker", "ERROR",
          agent("ERROR", TICKET, "504", js({
              "error": "dead-lettered",
              "message": "gave up after 5 attempts; last: claims-bot-1: no heartbeat for 7.5 seconds",
              "request_id": REQUEST_ID, "status": 504, "ticket": TICKET})),
          payload=(4, "error.schema.json"))
    valid("agent-error-rejected", "The department refused the request (REJECT): 422.", "from_broker", "ERROR",
          agent("ERROR", TICKET, "422", js({
              "error": "rejected", "message": "rejected by claims: member is not covered by this plan",
              "request_id": REQUEST_ID, "status": 422, "ticket": TICKET})),
          payload=(4, "error.schema.json"))
    valid("agent-error-malformed", "A malformed message with no request id or ticket: the reference is empty.",
          "from_broker", "ERROR",
          agent("ERROR", "", "400", js({
              "error": "missing-frame", "message": "SUBMIT is missing frame 5 (priority)", "status": 400})),
          payload=(4, "error.schema.json"))
    valid("agent-error-not-waiting", "INFO for a request that is not waiting on the agent: 409.", "from_broker",
          "ERROR",
          agent("ERROR", TICKET, "409", js({
              "error": "not-waiting",
              "message": f"ticket {TICKET} is not waiting on the agent (it is accepted)",
              "request_id": REQUEST_ID, "status": 409, "ticket": TICKET})),
          payload=(4, "error.schema.json"))
    valid("agent-heartbeat-from-broker", "The broker's HEARTBEAT, the answer to an agent's HEARTBEAT.",
          "from_broker", "HEARTBEAT", agent("HEARTBEAT"))

    # Worker → broker.
    valid("worker-ready", "A worker registers for billing and claims, four requests at a time.", "to_broker",
          "READY", worker("READY", js({"credit": 4, "departments": ["billing", "claims"], "name": "claims-bot-1"})),
          payload=(2, "ready.schema.json"))
    valid("worker-ready-minimal", "The smallest READY: one department, credit 1, no name.", "to_broker", "READY",
          worker("READY", js({"credit": 1, "departments": ["pharmacy"]})), payload=(2, "ready.schema.json"))
    valid("worker-accept", "The worker takes an offered request (its first response).", "to_broker", "ACCEPT",
          worker("ACCEPT", TICKET))
    valid("worker-answer", "The worker's final answer.", "to_broker", "ANSWER", worker("ANSWER", TICKET, CLAIM_ANSWER))
    valid("worker-update", "An interim update for the agent.", "to_broker", "UPDATE",
          worker("UPDATE", TICKET, "Looking into it; the claim is with the adjuster."))
    valid("worker-transfer",
          "The worker sends the request to eligibility; the ticket stays, and by default the clocks and deadline.",
          "to_broker", "TRANSFER",
          worker("TRANSFER", TICKET, "eligibility", "coverage must be confirmed before the claim can be discussed"))
    valid("worker-reject", "The worker refuses the request; it is dead-lettered and the agent gets 422.",
          "to_broker", "REJECT", worker("REJECT", TICKET, "member is not covered by this plan"))
    valid("worker-release",
          "The worker gives the request back without an answer (its command timed out): it is requeued with the "
          "attempt counted, and offered to another worker if there is one.",
          "to_broker", "RELEASE", worker("RELEASE", TICKET, "the command timed out after 30s"))
    valid("worker-needs-info",
          "The worker asks the agent for more information: the request waits on the agent, its clocks pause, and "
          "the worker keeps holding it.",
          "to_broker", "NEEDS_INFO", worker("NEEDS_INFO", TICKET, CLAIM_QUESTION_BACK))
    valid("worker-heartbeat-to-broker", "A worker's keep-alive.", "to_broker", "HEARTBEAT", worker("HEARTBEAT"))
    valid("worker-disconnect-to-broker", "The worker leaves; what it held goes back to the queues.", "to_broker",
          "DISCONNECT", worker("DISCONNECT"))

    # Broker → worker.
    valid("worker-dispatch", "The broker offers a request to a worker, first attempt.", "from_broker", "DISPATCH",
          worker("DISPATCH", TICKET, "claims", "normal", "1", CLAIM_QUESTION))
    valid("worker-dispatch-third-attempt", "An urgent request offered for the third time, after two requeues.",
          "from_broker", "DISPATCH",
          worker("DISPATCH", TICKET_2, "pharmacy", "urgent", "3", "Is prior authorization PA-2231 approved?"))
    valid("worker-heartbeat-from-broker", "The broker's keep-alive.", "from_broker", "HEARTBEAT", worker("HEARTBEAT"))
    valid("worker-disconnect-from-broker",
          "The broker does not know this worker (or is shutting down): reconnect and send READY.",
          "from_broker", "DISCONNECT", worker("DISCONNECT"))
    valid("worker-info", "The agent's reply to the worker's NEEDS_INFO, byte for byte; the request is accepted again.",
          "from_broker", "INFO", worker("INFO", TICKET, CLAIM_INFO))
    valid("worker-cancel", "Stop working on a ticket: the agent cancelled it, or the offer timed out.",
          "from_broker", "CANCEL", worker("CANCEL", TICKET))
    valid("worker-error-not-held", "A command for a ticket this worker does not hold: 409.", "from_broker", "ERROR",
          worker("ERROR", TICKET, "409", js({
              "error": "not-held",
              "message": f"UPDATE for ticket {TICKET}, which this worker does not hold (or it is finished)",
              "status": 409})),
          payload=(4, "error.schema.json"))
    valid("worker-error-unknown-department", "READY names a department the broker does not know: 404.",
          "from_broker", "ERROR",
          worker("ERROR", "READY", "404", js({
              "error": "unknown-department",
              "message": "unknown department(s): dental; known: billing, claims, eligibility, pharmacy, "
                         "provider-relations",
              "status": 404})),
          payload=(4, "error.schema.json"))


def long(n, char="a"):
    return char * n


def build_invalid():
    submit = agent("SUBMIT", REQUEST_ID, "claims", "normal", "hello")

    # Envelope and signature.
    invalid("empty-message", "A message with no frames at all.", "to_broker", [], 400, "empty-message")
    invalid("delimiter-only", "Only the empty delimiter frame, no signature.", "to_broker", [b""], 400,
            "empty-message")
    invalid("bad-signature", "An unknown protocol signature.", "to_broker", [b"HELLO!", b"\x01"], 400,
            "bad-signature")
    invalid("bad-signature-short", "A signature one byte short.", "to_broker", [b"SWBA1", b"\x08"], 400,
            "bad-signature")
    invalid("bad-signature-version-not-digits", "The family is right but the version is not two digits.",
            "to_broker", [b"SWBAv1", b"\x08"], 400, "bad-signature")
    invalid("bad-signature-empty-second-frame", "A delimited message whose signature frame is empty too.",
            "to_broker", [b"", b"", b"SWBA01", b"\x08"], 400, "bad-signature")
    invalid("agent-wrong-version", "An agent speaking version 02 of the protocol.", "to_broker",
            [b"SWBA02"] + submit[1:], 505, "unsupported-version")
    invalid("worker-wrong-version", "A worker speaking version 02 of the protocol.", "to_broker",
            [b"SWBW02", b"\x08"], 505, "unsupported-version")
    invalid("agent-wrong-version-from-broker", "A broker answering in a version the agent does not speak.",
            "from_broker", [b"SWBA09", b"\x08"], 505, "unsupported-version")

    # Command frame.
    invalid("agent-missing-command", "The signature alone.", "to_broker", [AGENT], 400, "missing-command")
    invalid("worker-missing-command", "The signature alone.", "to_broker", [WORKER], 400, "missing-command")
    invalid("agent-unknown-command", "Command 0x0C does not exist in the agent sub-protocol (the last is 0x0B INFO).",
            "to_broker", [AGENT, b"\x0c"], 400, "unknown-command")
    invalid("agent-command-zero", "Command 0x00 does not exist.", "to_broker", [AGENT, b"\x00"], 400,
            "unknown-command")
    invalid("agent-command-two-bytes", "Commands are exactly one byte.", "to_broker",
            [AGENT, b"\x01\x00", REQUEST_ID, "claims", "normal", "hello"], 400, "unknown-command")
    invalid("agent-command-ascii", "Commands are bytes, not ASCII digits.", "to_broker", [AGENT, b"1"], 400,
            "unknown-command")
    invalid("worker-unknown-command", "Command 0x0F does not exist in the worker sub-protocol (the last is 0x0E RELEASE).",
            "to_broker", [WORKER, b"\x0f"], 400, "unknown-command")
    invalid("worker-release-without-reason", "A RELEASE names the ticket and a reason.", "to_broker",
            worker("RELEASE", TICKET), 400, "missing-frame")
    invalid("agent-sends-accepted", "ACCEPTED is sent by the broker, never by an agent.", "to_broker",
            agent("ACCEPTED", REQUEST_ID, TICKET, "201"), 400, "wrong-direction")
    invalid("agent-sends-answer", "ANSWER in the agent sub-protocol is sent by the broker only.", "to_broker",
            agent("ANSWER", TICKET, "hi"), 400, "wrong-direction")
    invalid("worker-sends-dispatch", "DISPATCH is sent by the broker, never by a worker.", "to_broker",
            worker("DISPATCH", TICKET, "claims", "normal", "1", "hi"), 400, "wrong-direction")
    invalid("worker-sends-error", "Workers do not send ERROR; they REJECT a request.", "to_broker",
            worker("ERROR", TICKET, "400", js({"error": "x", "message": "x", "status": 400})), 400, "wrong-direction")
    invalid("agent-sends-question", "QUESTION is sent by the broker; an agent replies with INFO.", "to_broker",
            agent("QUESTION", TICKET, "which date?"), 400, "wrong-direction")
    invalid("broker-sends-agent-info", "The agent sub-protocol's INFO is the agent's reply; the broker never sends it.",
            "from_broker", agent("INFO", TICKET, "2026-10-28"), 400, "wrong-direction")
    invalid("worker-sends-info", "The worker sub-protocol's INFO is the broker's; a worker asks with NEEDS_INFO.",
            "to_broker", worker("INFO", TICKET, "2026-10-28"), 400, "wrong-direction")
    invalid("broker-sends-needs-info", "NEEDS_INFO is sent by a worker, never by the broker.", "from_broker",
            worker("NEEDS_INFO", TICKET, "which date?"), 400, "wrong-direction")
    invalid("broker-sends-submit", "A broker never sends SUBMIT.", "from_broker", submit, 400, "wrong-direction")
    invalid("broker-sends-ready", "A broker never sends READY.", "from_broker",
            worker("READY", js({"credit": 1, "departments": ["claims"]})), 400, "wrong-direction")

    # Frame counts.
    invalid("agent-submit-truncated", "SUBMIT without its priority and body frames.", "to_broker",
            agent("SUBMIT", REQUEST_ID, "claims"), 400, "missing-frame")
    invalid("agent-submit-missing-body", "SUBMIT without its body frame (send an empty frame for no body).",
            "to_broker", agent("SUBMIT", REQUEST_ID, "claims", "normal"), 400, "missing-frame")
    invalid("agent-submit-extra-frame", "SUBMIT with a second body frame: bodies are one frame.", "to_broker",
            submit + [b"more"], 400, "extra-frames")
    invalid("agent-heartbeat-extra-frame", "HEARTBEAT has no frames after the command.", "to_broker",
            agent("HEARTBEAT", "x"), 400, "extra-frames")
    invalid("agent-status-missing-ticket", "STATUS without a ticket.", "to_broker", agent("STATUS"), 400,
            "missing-frame")
    invalid("agent-history-missing-ticket", "HISTORY without a ticket.", "to_broker", agent("HISTORY"), 400,
            "missing-frame")
    invalid("agent-history-extra-frame", "HISTORY from an agent carries the ticket only.", "to_broker",
            agent("HISTORY", TICKET, "everything"), 400, "extra-frames")
    invalid("worker-ready-missing-frame", "READY without its JSON frame.", "to_broker", worker("READY"), 400,
            "missing-frame")
    invalid("worker-accept-extra-frame", "ACCEPT carries the ticket only.", "to_broker",
            worker("ACCEPT", TICKET, "now"), 400, "extra-frames")
    invalid("worker-transfer-missing-reason", "TRANSFER without its reason frame.", "to_broker",
            worker("TRANSFER", TICKET, "eligibility"), 400, "missing-frame")
    invalid("worker-needs-info-missing-question",
            "NEEDS_INFO without its question frame (send an empty frame for an empty question).", "to_broker",
            worker("NEEDS_INFO", TICKET), 400, "missing-frame")
    invalid("worker-needs-info-extra-frame", "NEEDS_INFO with a second question frame: the question is one frame.",
            "to_broker", worker("NEEDS_INFO", TICKET, "which date?", "and which provider?"), 400, "extra-frames")
    invalid("worker-needs-info-empty-ticket", "NEEDS_INFO with an empty ticket.", "to_broker",
            worker("NEEDS_INFO", "", "which date?"), 400, "empty-ticket")
    invalid("agent-info-missing-info", "INFO without its info frame (send an empty frame for an empty reply).",
            "to_broker", agent("INFO", TICKET), 400, "missing-frame")
    invalid("agent-info-extra-frame", "INFO with a second info frame: the reply is one frame.", "to_broker",
            agent("INFO", TICKET, "2026-10-28", "at St. Mary's"), 400, "extra-frames")
    invalid("agent-question-missing-question", "QUESTION from the broker without its question frame.",
            "from_broker", agent("QUESTION", TICKET), 400, "missing-frame")
    invalid("worker-info-extra-frame", "INFO to a worker carries the ticket and the reply only.", "from_broker",
            worker("INFO", TICKET, "2026-10-28", "more"), 400, "extra-frames")
    invalid("worker-disconnect-extra-frame", "DISCONNECT has no frames after the command.", "to_broker",
            worker("DISCONNECT", "bye"), 400, "extra-frames")

    # Priority.
    invalid("agent-submit-bad-priority", "'critical' is not a priority.", "to_broker",
            agent("SUBMIT", REQUEST_ID, "claims", "critical", "hello"), 400, "bad-priority")
    invalid("agent-submit-priority-uppercase", "Priorities are lowercase.", "to_broker",
            agent("SUBMIT", REQUEST_ID, "claims", "NORMAL", "hello"), 400, "bad-priority")
    invalid("worker-dispatch-bad-priority", "'2' is not a priority (they are names, not ranks).", "from_broker",
            worker("DISPATCH", TICKET, "claims", "2", "1", "hello"), 400, "bad-priority")

    # Department.
    invalid("agent-submit-department-uppercase", "Department names are lowercase.", "to_broker",
            agent("SUBMIT", REQUEST_ID, "Claims", "normal", "hello"), 400, "bad-department")
    invalid("agent-submit-department-leading-dash", "Department names start with a letter or digit.", "to_broker",
            agent("SUBMIT", REQUEST_ID, "-claims", "normal", "hello"), 400, "bad-department")
    invalid("agent-submit-department-slash", "'/' is not allowed in a department name.", "to_broker",
            agent("SUBMIT", REQUEST_ID, "claims/east", "normal", "hello"), 400, "bad-department")
    invalid("agent-submit-department-space", "Spaces are not allowed in a department name.", "to_broker",
            agent("SUBMIT", REQUEST_ID, "claims east", "normal", "hello"), 400, "bad-department")
    invalid("agent-submit-department-empty", "The department frame is empty.", "to_broker",
            agent("SUBMIT", REQUEST_ID, "", "normal", "hello"), 400, "empty-department")
    invalid("agent-submit-department-too-long", "A department name of 65 bytes; the limit is 64.", "to_broker",
            agent("SUBMIT", REQUEST_ID, long(65), "normal", "hello"), 400, "department-too-long")
    invalid("agent-submit-department-not-utf8", "A department frame that is not UTF-8.", "to_broker",
            [AGENT, b"\x01", REQUEST_ID, b"claims\xff", "normal", "hello"], 400, "bad-department")
    invalid("worker-transfer-bad-department", "TRANSFER to a department name with an uppercase letter.",
            "to_broker", worker("TRANSFER", TICKET, "Eligibility", "needs coverage check"), 400, "bad-department")

    # Request id, ticket, reference.
    invalid("agent-submit-request-id-not-utf8", "A request id that is not UTF-8.", "to_broker",
            [AGENT, b"\x01", b"\xff\xfe\x00\x01", "claims", "normal", "hello"], 400, "bad-request-id")
    invalid("agent-submit-request-id-control", "A request id with a newline in it.", "to_broker",
            agent("SUBMIT", "req\n1", "claims", "normal", "hello"), 400, "bad-request-id")
    invalid("agent-submit-request-id-too-long", "A request id of 129 bytes; the limit is 128.", "to_broker",
            agent("SUBMIT", long(129, "r"), "claims", "normal", "hello"), 400, "request-id-too-long")
    invalid("agent-submit-request-id-empty", "An empty request id: idempotency needs one.", "to_broker",
            agent("SUBMIT", "", "claims", "normal", "hello"), 400, "empty-request-id")
    invalid("agent-cancel-empty-ticket", "CANCEL with an empty ticket.", "to_broker", agent("CANCEL", ""), 400,
            "empty-ticket")
    invalid("agent-status-ticket-too-long", "A ticket of 65 bytes; the limit is 64.", "to_broker",
            agent("STATUS", long(65, "T")), 400, "ticket-too-long")
    invalid("agent-status-ticket-delete-char", "A ticket with a DEL (0x7F) byte.", "to_broker",
            agent("STATUS", "T-1\x7f"), 400, "bad-ticket")
    invalid("agent-error-reference-too-long", "An ERROR reference of 129 bytes; the limit is 128.", "from_broker",
            agent("ERROR", long(129, "r"), "400", js({"error": "x", "message": "x", "status": 400})), 400,
            "reference-too-long")

    # Status frame.
    invalid("agent-accepted-status-letter", "A status frame with the letter O instead of a zero.", "from_broker",
            agent("ACCEPTED", REQUEST_ID, TICKET, "2O1"), 400, "bad-status")
    invalid("agent-accepted-status-600", "Statuses are 100 to 599.", "from_broker",
            agent("ACCEPTED", REQUEST_ID, TICKET, "600"), 400, "bad-status")
    invalid("agent-accepted-status-two-digits", "Statuses are exactly three digits.", "from_broker",
            agent("ACCEPTED", REQUEST_ID, TICKET, "20"), 400, "bad-status")
    invalid("worker-error-status-binary", "The status is ASCII digits, not a binary number.", "from_broker",
            worker("ERROR", TICKET, b"\x01\x94", js({"error": "x", "message": "x", "status": 404})), 400, "bad-status")

    # Attempt.
    invalid("worker-dispatch-attempt-zero", "Attempts count from 1.", "from_broker",
            worker("DISPATCH", TICKET, "claims", "normal", "0", "hello"), 400, "bad-attempt")
    invalid("worker-dispatch-attempt-not-a-number", "The attempt is a decimal number.", "from_broker",
            worker("DISPATCH", TICKET, "claims", "normal", "one", "hello"), 400, "bad-attempt")
    invalid("worker-dispatch-attempt-empty", "An empty attempt frame.", "from_broker",
            worker("DISPATCH", TICKET, "claims", "normal", "", "hello"), 400, "empty-attempt")
    invalid("worker-dispatch-attempt-too-long", "An attempt of 10 digits; the limit is 9.", "from_broker",
            worker("DISPATCH", TICKET, "claims", "normal", "1000000000", "hello"), 400, "attempt-too-long")

    # Reason.
    invalid("worker-reject-reason-not-utf8", "A REJECT reason that is not UTF-8.", "to_broker",
            [WORKER, b"\x07", TICKET, b"\xc3\x28"], 400, "bad-reason")

    # Sizes: the big frames are made by the reader from body_repeat, not stored.
    invalid("agent-submit-body-too-large", "A body one byte over the default limit of 1 MiB (1048576 bytes).",
            "to_broker", agent("SUBMIT", REQUEST_ID, "claims", "normal", ""), 413, "body-too-large",
            body_repeat={"frame": 5, "byte": "78", "count": 1048577})
    invalid("worker-answer-too-large", "An answer one byte over the default body limit.", "to_broker",
            worker("ANSWER", TICKET, ""), 413, "answer-too-large",
            body_repeat={"frame": 3, "byte": "78", "count": 1048577})
    invalid("worker-update-too-large", "An update one byte over the default body limit.", "to_broker",
            worker("UPDATE", TICKET, ""), 413, "update-too-large",
            body_repeat={"frame": 3, "byte": "78", "count": 1048577})
    invalid("worker-reject-reason-too-large", "A reason one byte over the default body limit.", "to_broker",
            worker("REJECT", TICKET, ""), 413, "reason-too-large",
            body_repeat={"frame": 3, "byte": "78", "count": 1048577})
    invalid("worker-needs-info-question-too-large", "A NEEDS_INFO question one byte over the default body limit.",
            "to_broker", worker("NEEDS_INFO", TICKET, ""), 413, "question-too-large",
            body_repeat={"frame": 3, "byte": "78", "count": 1048577})
    invalid("agent-info-too-large", "An agent's INFO reply one byte over the default body limit.", "to_broker",
            agent("INFO", TICKET, ""), 413, "info-too-large",
            body_repeat={"frame": 3, "byte": "78", "count": 1048577})
    invalid("agent-question-too-large", "A QUESTION from the broker one byte over the default body limit.",
            "from_broker", agent("QUESTION", TICKET, ""), 413, "question-too-large",
            body_repeat={"frame": 3, "byte": "78", "count": 1048577})
    invalid("worker-info-too-large", "An INFO to a worker one byte over the default body limit.", "from_broker",
            worker("INFO", TICKET, ""), 413, "info-too-large",
            body_repeat={"frame": 3, "byte": "78", "count": 1048577})
    invalid("worker-ready-too-large", "A READY JSON frame one byte over the 64 KiB metadata limit.", "to_broker",
            worker("READY", ""), 413, "ready-too-large",
            body_repeat={"frame": 2, "byte": "20", "count": 65537})
    invalid("agent-answer-too-large", "An ANSWER from the broker one byte over the default body limit.",
            "from_broker", agent("ANSWER", TICKET, ""), 413, "answer-too-large",
            body_repeat={"frame": 3, "byte": "78", "count": 1048577})
    invalid("agent-status-answer-too-large", "A STATUS answer frame one byte over the default body limit.",
            "from_broker", agent("STATUS", TICKET, js(STATUS_ANSWERED), ""), 413, "answer-too-large",
            body_repeat={"frame": 4, "byte": "78", "count": 1048577})
    invalid("agent-status-info-too-large", "A STATUS JSON frame one byte over the 64 KiB metadata limit.",
            "from_broker", agent("STATUS", TICKET, ""), 413, "status-too-large",
            body_repeat={"frame": 3, "byte": "20", "count": 65537})
    invalid("agent-history-too-large",
            "A HISTORY JSON frame one byte over the default body limit (it is bounded by the body limit, "
            "not the 64 KiB metadata limit).",
            "from_broker", agent("HISTORY", TICKET, ""), 413, "history-too-large",
            body_repeat={"frame": 3, "byte": "20", "count": 1048577})
    invalid("worker-dispatch-body-too-large", "A DISPATCH body one byte over the default body limit.",
            "from_broker", worker("DISPATCH", TICKET, "claims", "normal", "1", ""), 413, "body-too-large",
            body_repeat={"frame": 6, "byte": "78", "count": 1048577})
    invalid("worker-error-detail-too-large", "An ERROR JSON frame one byte over the 64 KiB metadata limit.",
            "from_broker", worker("ERROR", TICKET, "409", ""), 413, "error-too-large",
            body_repeat={"frame": 4, "byte": "20", "count": 65537})

    # READY JSON (validated after the frames: ReadyInfo.parse in Swift).
    def ready(name, description, payload, error):
        invalid(name, description, "to_broker", worker("READY", payload), 400, error)

    ready("worker-ready-invalid-json", "The READY frame is not JSON.", b"{departments: [claims], credit: 4}",
          "bad-ready")
    ready("worker-ready-not-an-object", "The READY frame is a JSON array, not an object.", b'["claims"]',
          "bad-ready")
    ready("worker-ready-credit-zero", "Credit 0: a worker that takes nothing.",
          js({"credit": 0, "departments": ["claims"]}), "bad-credit")
    ready("worker-ready-credit-too-high", "Credit 1001; the limit is 1000.",
          js({"credit": 1001, "departments": ["claims"]}), "bad-credit")
    ready("worker-ready-credit-negative", "A negative credit.", js({"credit": -1, "departments": ["claims"]}),
          "bad-credit")
    ready("worker-ready-credit-string", "Credit as a string instead of a number.",
          js({"credit": "4", "departments": ["claims"]}), "bad-ready")
    ready("worker-ready-missing-credit", "READY without credit.", js({"departments": ["claims"]}), "bad-ready")
    ready("worker-ready-missing-departments", "READY without departments.", js({"credit": 4}), "bad-ready")
    ready("worker-ready-no-departments", "An empty list of departments.", js({"credit": 4, "departments": []}),
          "bad-ready")
    ready("worker-ready-bad-department", "A department name with an uppercase letter.",
          js({"credit": 4, "departments": ["claims", "Billing"]}), "bad-department")
    ready("worker-ready-department-not-string", "A department that is a number.",
          js({"credit": 4, "departments": [7]}), "bad-ready")
    ready("worker-ready-name-too-long", "A display name of 129 bytes; the limit is 128.",
          js({"credit": 4, "departments": ["claims"], "name": long(129, "n")}), "bad-ready")


def build_events():
    return [
        {
            "name": "event-request-submitted",
            "description": "A request was accepted and is queued in claims.",
            "topic": "request.submitted",
            "event": {"at": "2026-11-18T11:06:40.123Z", "attempt": 0, "department": "claims",
                      "priority": "normal", "request_id": REQUEST_ID, "sequence": 41, "state": "queued",
                      "ticket": TICKET, "type": "request.submitted"},
        },
        {
            "name": "event-request-transferred",
            "description": "claims-bot-1 transferred a request to eligibility; the ticket stays.",
            "topic": "request.transferred",
            "event": {"at": "2026-11-18T11:08:02.500Z", "attempt": 0, "department": "eligibility",
                      "from_department": "claims", "priority": "normal",
                      "reason": "coverage must be confirmed before the claim can be discussed",
                      "request_id": REQUEST_ID, "sequence": 44, "state": "queued", "ticket": TICKET,
                      "type": "request.transferred", "worker": "claims-bot-1"},
        },
        {
            "name": "event-request-duplicate-answer",
            "description": "A second answer for an answered request: recorded, never delivered.",
            "topic": "request.duplicate_answer",
            "event": {"at": "2026-11-18T11:12:09.000Z", "attempt": 2, "department": "claims",
                      "priority": "normal", "reason": "request already answered", "request_id": REQUEST_ID,
                      "sequence": 52, "state": "answered", "ticket": TICKET, "type": "request.duplicate_answer",
                      "worker": "claims-bot-2"},
        },
        {
            "name": "event-request-waiting-on-agent",
            "description": "claims-bot-1 asked the agent for more information (NEEDS_INFO): the request waits on the "
                           "agent and its clocks pause. The question is never in the event.",
            "topic": "request.waiting_on_agent",
            "event": {"at": iso(NEEDS_INFO_MS), "attempt": 1, "department": "claims", "priority": "normal",
                      "request_id": REQUEST_ID, "sequence": 43, "state": "waiting_on_agent", "ticket": TICKET,
                      "type": "request.waiting_on_agent", "worker": "claims-bot-1"},
        },
        {
            "name": "event-request-info-received",
            "description": "The agent answered (INFO): the request is accepted again, its clocks resume, and the "
                           "reply went to claims-bot-1. The reply is never in the event.",
            "topic": "request.info_received",
            "event": {"at": iso(INFO_MS), "attempt": 1, "department": "claims", "priority": "normal",
                      "request_id": REQUEST_ID, "sequence": 44, "state": "accepted", "ticket": TICKET,
                      "type": "request.info_received", "worker": "claims-bot-1"},
        },
        {
            "name": "event-request-sla-warning",
            "description": "Half of a request's 4-hour answer target is used while claims-bot-1 works on it.",
            "topic": "request.sla_warning",
            "event": {"at": iso(SUBMITTED_MS + ANSWER_4H // 2), "attempt": 1, "department": "claims",
                      "due_at": iso(SUBMITTED_MS + ANSWER_4H), "priority": "normal",
                      "reason": "answer target: 50% of 14400.0 seconds used", "request_id": REQUEST_ID,
                      "sequence": 61, "state": "accepted", "target": "answer", "threshold": 50, "ticket": TICKET,
                      "type": "request.sla_warning", "worker": "claims-bot-1"},
        },
        {
            "name": "event-request-sla-breached",
            "description": "A queued request's 2-second answer target has passed; no worker holds it.",
            "topic": "request.sla_breached",
            "event": {"at": iso(SUBMITTED_MS + ANSWER_2S), "attempt": 0, "department": "eligibility",
                      "due_at": iso(SUBMITTED_MS + ANSWER_2S), "priority": "normal",
                      "reason": "answer target of 2.0 seconds breached", "request_id": REQUEST_ID,
                      "sequence": 44, "state": "queued", "target": "answer", "ticket": TICKET,
                      "type": "request.sla_breached"},
        },
        {
            "name": "event-request-escalated-transfer",
            "description": "After the breach, eligibility's escalation transferred the request to its escalations "
                           "desk.",
            "topic": "request.escalated",
            "event": {"at": iso(SUBMITTED_MS + ANSWER_2S), "attempt": 0, "department": "escalations",
                      "from_department": "eligibility", "priority": "normal",
                      "reason": "transferred to escalations after an SLA breach", "request_id": REQUEST_ID,
                      "sequence": 45, "state": "queued", "ticket": TICKET, "type": "request.escalated"},
        },
        {
            "name": "event-request-escalated-priority",
            "description": "After a breach, the department's escalation raised the request's priority one step.",
            "topic": "request.escalated",
            "event": {"at": iso(SUBMITTED_MS + ANSWER_4H), "attempt": 1, "department": "claims",
                      "priority": "high", "reason": "priority raised from normal to high",
                      "request_id": REQUEST_ID, "sequence": 73, "state": "accepted", "ticket": TICKET,
                      "type": "request.escalated", "worker": "claims-bot-1"},
        },
        {
            "name": "event-worker-lost",
            "description": "A worker missed its heartbeats; what it held was requeued.",
            "topic": "worker.lost",
            "event": {"at": "2026-11-18T11:09:12.480Z", "credit": 4, "departments": ["billing", "claims"],
                      "reason": "no heartbeat for 7.5 seconds", "sequence": 47, "type": "worker.lost",
                      "worker": "claims-bot-2"},
        },
    ]


def main():
    build_valid()
    build_invalid()
    events = build_events()

    try:
        import jsonschema
    except ImportError:
        if "--unchecked" not in sys.argv[1:]:
            sys.exit("generate.py: the jsonschema package is needed to check the payloads against the schemas "
                     "(pip install jsonschema); run with --unchecked to write the vectors without the check")
        jsonschema = None
        print("jsonschema is not installed: payloads are not checked against the schemas")

    def check(instance, schema_file):
        if jsonschema is None:
            return
        schema = json.loads((SCHEMAS / schema_file).read_text())
        jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(instance)

    # Check everything first, so a payload the schemas refuse leaves the committed vectors as they were.
    names = set()
    for vector in VALID + INVALID:
        assert vector["name"] not in names, vector["name"]
        names.add(vector["name"])
    for vector in VALID:
        payload = vector.pop("_payload")
        if payload:
            index, schema_file = payload
            check(json.loads(bytes.fromhex(vector["frames_hex"][index])), schema_file)
    sla_fields = {"request.sla_warning": {"target", "threshold", "due_at"},
                  "request.sla_breached": {"target", "due_at"}}
    for event in events:
        assert event["name"] not in names, event["name"]
        names.add(event["name"])
        assert event["event"]["type"] == event["topic"], event["name"]
        # target, threshold and due_at: on the SLA events exactly as PROTOCOL.md §13 lists them, nowhere else.
        assert sla_fields.get(event["topic"], set()) == {"target", "threshold", "due_at"} & event["event"].keys(), \
            event["name"]
        # Pause and resume (PROTOCOL.md §8, §13): the state after each, and a worker, which holds the request.
        pause_state = {"request.waiting_on_agent": "waiting_on_agent", "request.info_received": "accepted"}
        if event["topic"] in pause_state:
            assert event["event"]["state"] == pause_state[event["topic"]] and "worker" in event["event"], event["name"]
        check(event["event"], "event.schema.json")

    for vector in VALID:
        write(HERE / f"{vector['name']}.json", vector)
    for vector in INVALID:
        write(HERE / "invalid" / f"{vector['name']}.json", vector)
    for event in events:
        frames = [event["topic"].encode(), js(event["event"])]
        write(HERE / "events" / f"{event['name']}.json", {
            "name": event["name"], "description": event["description"],
            "frames_hex": [f.hex() for f in frames], "frames_text": [f.decode() for f in frames],
        })
    print(f"{len(VALID)} valid, {len(INVALID)} invalid, {len(events)} event vectors")


def write(path, value):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
