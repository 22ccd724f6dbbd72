"""Bot and Agent against a real switchboardd (tests/conftest.py), with 200 ms heartbeats."""

from __future__ import annotations

import threading
import time

import pytest

from conftest import HEARTBEAT
from switchboard_client import Agent, Bot, Refused, Reject, RequestFailed, Transfer


def serving(daemon, handler, departments=("claims",), capacity=2, name="test-bot") -> Bot:
    bot = Bot(daemon.endpoint, list(departments), capacity=capacity, name=name, heartbeat=HEARTBEAT, handler=handler)
    bot.start()
    assert bot.wait_until_registered(10), "the broker never answered the bot's READY"
    return bot


def test_a_question_is_answered(daemon):
    bot = serving(daemon, lambda request: f"re: {request.text} ({request.department}, attempt {request.attempt})")
    try:
        with Agent(daemon.endpoint, timeout=20) as agent:
            submission = agent.submit("claims", "Status of claim C-1001?", request_id="case-1")
            assert submission.status in (201, 202) and submission.ticket.startswith("T-")
            assert agent.submit("claims", "Status of claim C-1001?", request_id="case-1").ticket == submission.ticket
            answer = agent.wait(submission.ticket)
            assert answer.text == "re: Status of claim C-1001? (claims, attempt 1)"
            status = agent.status(submission.ticket)
            assert status.state == "answered" and status.answer == answer.body
    finally:
        bot.stop(wait=10)


def test_a_handler_slower_than_the_heartbeats_keeps_the_bot_alive(daemon):
    # A slow lookup: five times the silence limit (3 heartbeats), on the handler's thread, while the bot's own
    # thread keeps heartbeating. Had the broker declared the bot lost, the request would come back as attempt 2.
    work = 5 * 3 * HEARTBEAT
    attempts = []

    def slow(request):
        attempts.append(request.attempt)
        time.sleep(work)  # the handler's own work, not a wait for a condition
        return "done slowly"

    bot = serving(daemon, slow, capacity=1)
    try:
        with Agent(daemon.endpoint, timeout=30) as agent:
            started = time.monotonic()
            assert agent.ask("claims", "a long lookup").text == "done slowly"
            assert time.monotonic() - started >= work
        assert attempts == [1], "the request was requeued: the bot was declared lost"
    finally:
        bot.stop(wait=10)
    log = (daemon.log.name and open(daemon.log.name, encoding="utf-8", errors="replace").read())
    assert "worker.lost" not in log


def test_updates_and_a_question_to_the_agent(daemon):
    def handler(request):
        request.update("looking into it")
        member = request.ask("Which member id?", timeout=20)
        return f"Paid on 3 Dec ({member})"

    bot = serving(daemon, handler)
    try:
        questions = []
        with Agent(daemon.endpoint, timeout=30) as agent:
            answer = agent.ask(
                "claims", "Is claim 123 paid?", on_question=lambda q: questions.append(q) or "M-7")
        assert answer.text == "Paid on 3 Dec (M-7)"
        assert answer.updates == [b"looking into it"]
        assert questions == ["Which member id?"]

        # Replying later, with reply(): the wait stops at the question, the agent replies, and waits again.
        class Asked(Exception):
            pass

        def stop_at(question):
            raise Asked(question)

        with Agent(daemon.endpoint, timeout=30) as agent:
            ticket = agent.submit("claims", "Is claim 456 paid?").ticket
            with pytest.raises(Asked):
                agent.wait(ticket, on_question=stop_at)
            assert agent.status(ticket).state == "waiting_on_agent"
            assert agent.reply(ticket, "M-8").ticket == ticket
            assert agent.wait(ticket).text == "Paid on 3 Dec (M-8)"
    finally:
        bot.stop(wait=10)


def test_reject_transfer_and_a_failing_handler(daemon):
    def claims(request):
        if "billing" in request.text:
            raise Transfer("billing", "a billing question")
        if "C-9999" in request.text:
            raise Reject("claim C-9999 is not on file")
        raise KeyError("a bug in the bot")

    claims_bot = serving(daemon, claims, name="claims-bot")
    billing_bot = serving(daemon, lambda request: "billing says: paid", departments=("billing",), name="billing-bot")
    try:
        with Agent(daemon.endpoint, timeout=20) as agent:
            assert agent.ask("claims", "a billing question about the invoice").text == "billing says: paid"
            with pytest.raises(RequestFailed) as rejected:
                agent.ask("claims", "Claim C-9999?")
            assert rejected.value.state == "dead_lettered" and "not on file" in (rejected.value.reason or "")
            # A failing handler gives the request back: retried until the department's attempts (5) are used up.
            with pytest.raises(RequestFailed) as failed:
                agent.ask("claims", "something the bot trips on")
            reason = failed.value.reason or ""
            assert "gave up after 5 attempts" in reason and "the handler failed (KeyError)" in reason, reason
            assert "a bug" not in reason, "the exception's message may quote the request"
    finally:
        claims_bot.stop(wait=10)
        billing_bot.stop(wait=10)


def test_cancel_reaches_the_handler(daemon):
    started, saw_cancel = threading.Event(), threading.Event()

    def waiting(request):
        started.set()
        if request.cancelled.wait(20):
            saw_cancel.set()
        return "too late"

    bot = serving(daemon, waiting)
    try:
        with Agent(daemon.endpoint, timeout=20) as agent:
            ticket = agent.submit("claims", "cancel me").ticket
            assert started.wait(20)
            assert agent.cancel(ticket).state == "cancelled"
            assert saw_cancel.wait(20)
            with pytest.raises(RequestFailed) as ended:
                agent.wait(ticket, timeout=5, poll=0.5)
            assert ended.value.state == "cancelled"
    finally:
        bot.stop(wait=10)


def test_refusals_carry_the_protocol_status_and_reason(daemon):
    with Agent(daemon.endpoint, timeout=10) as agent:
        with pytest.raises(Refused) as unknown:
            agent.submit("dental", "anything")
        assert unknown.value.status == 404 and unknown.value.error == "unknown-department"
        with pytest.raises(Refused) as missing:
            agent.status("T-0000000000000")
        assert missing.value.status in (400, 404)
