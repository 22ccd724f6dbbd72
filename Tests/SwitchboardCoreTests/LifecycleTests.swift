import SwitchboardSchema
import Testing

@testable import SwitchboardCore

/// Submit → offer → accept → update → answer; reject; cancel; status.
@Suite("Request lifecycle")
struct LifecycleTests {
    @Test("the whole happy path, with the records and the messages in order")
    func happyPath() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 1)

        let submitted = h.submit("r-1", priority: .high, body: bytes("where is my claim?"))
        let ticket = try #require(submitted.acceptance?.ticket)
        #expect(submitted.recordTypes == [.requestSubmitted, .requestOffered])
        let record = try #require(submitted.records.first)
        #expect(record.requestID == "r-1")
        #expect(record.department == "claims")
        #expect(record.priority == .high)
        #expect(record.state == .queued)
        #expect(record.body == bytes("where is my claim?"))
        #expect(record.deadline == TestClock.start + .seconds(3600))
        #expect(submitted.toAgent(.agent) == [.accepted(requestID: "r-1", ticket: ticket, status: .created)])
        #expect(
            submitted.toWorker(.w1) == [
                .dispatch(
                    ticket: ticket, department: "claims", priority: .high, attempt: 1,
                    body: bytes("where is my claim?"))
            ])
        #expect(submitted.records(.requestOffered).first?.worker == "w1")
        #expect(submitted.records(.requestOffered).first?.attempt == 1)

        h.clock.advance(by: .seconds(2))
        let accepted = h.accept(.w1, ticket)
        #expect(accepted.recordTypes == [.requestAccepted])
        #expect(accepted.agentMessageCount == 0)
        // A second ACCEPT changes nothing.
        #expect(h.accept(.w1, ticket).isEmpty)

        h.clock.advance(by: .seconds(2))
        let updated = h.update(.w1, ticket, body: "looking")
        #expect(updated.recordTypes == [.requestUpdated])
        #expect(updated.records.first?.body == bytes("looking"))
        #expect(updated.toAgent(.agent) == [.update(ticket: ticket, body: bytes("looking"))])
        #expect(try h.status(ticket).info.updates == 1)

        h.clock.advance(by: .seconds(2))
        let answered = h.answer(.w1, ticket, body: "paid on Monday")
        #expect(answered.recordTypes == [.requestAnswered])
        let answerRecord = try #require(answered.records.first)
        #expect(answerRecord.state == .answered)
        #expect(answerRecord.worker == "w1")
        #expect(answerRecord.body == bytes("paid on Monday"))
        #expect(answered.toAgent(.agent) == [.answer(ticket: ticket, body: bytes("paid on Monday"))])
        #expect(answered.toWorker(.w1).isEmpty)
        #expect(h.core.state(of: ticket) == .answered)
        #expect(h.core.openRequests == 0)
        #expect(h.held(by: .w1).isEmpty)
    }

    // MARK: Reject

    @Test("reject: dead_lettered, the agent gets ERROR 422 with the reason")
    func rejectDeadLetters() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 1)
        let ticket = try h.open("r-1")
        _ = h.accept(.w1, ticket)
        let actions = h.reject(.w1, ticket, reason: "not a claims question")

        #expect(actions.recordTypes == [.requestDeadLettered])
        let record = try #require(actions.records.first)
        #expect(record.state == .deadLettered)
        #expect(record.reason == "rejected by claims: not a claims question")
        let errors = actions.agentErrors(to: .agent)
        #expect(errors.count == 1)
        let error = try #require(errors.first)
        #expect(error.status == .rejected)
        #expect(error.status.rawValue == 422)
        #expect(error.reference == ticket.text)
        #expect(error.detail.error == "rejected")
        #expect(error.detail.message == "rejected by claims: not a claims question")
        #expect(error.detail.requestId == "r-1")
        #expect(actions.answers(to: .agent).isEmpty)

        let status = try h.status(ticket).info
        #expect(status.state == .deadLettered)
        #expect(status.reason == "rejected by claims: not a claims question")
        #expect(h.held(by: .w1).isEmpty)
        #expect(h.core.openRequests == 0)
    }

    @Test("an offered (not yet accepted) request can be rejected too; a non-holder cannot")
    func rejectRules() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 1)
        _ = h.ready(.w2, credit: 1)
        let ticket = try h.open("r-1")
        let refused = h.reject(.w2, ticket)
        #expect(refused.workerErrors(to: .w2).map(\.status) == [.conflict])
        #expect(refused.records.isEmpty)
        #expect(h.core.state(of: ticket) == .offered)

        #expect(h.reject(.w1, ticket).recordTypes == [.requestDeadLettered])
        // Rejecting again: it is finished.
        #expect(h.reject(.w1, ticket).workerErrors(to: .w1).map(\.status) == [.conflict])
    }

    // MARK: Cancel

    @Test("cancelling a queued request: cancelled, out of the queue, never offered")
    func cancelQueued() throws {
        var h = Harness()
        let ticket = try h.open("r-1")
        let other = try h.open("r-2")
        #expect(h.core.queuedCount(department: "claims") == 2)

        let actions = h.cancel(ticket)
        #expect(actions.recordTypes == [.requestCancelled])
        #expect(actions.records.first?.state == .cancelled)
        #expect(actions.records.first?.reason == "cancelled by the agent")
        let reply = try #require(try actions.statuses(to: .agent).first)
        #expect(reply.info.state == .cancelled)
        #expect(reply.info.ticket == ticket.text)
        #expect(reply.answer == nil)
        #expect(actions.cancelCount == 0)
        #expect(h.core.queuedCount(department: "claims") == 1)
        #expect(h.core.openRequests == 1)

        #expect(h.ready(.w1, credit: 2).offers == [Offer(.w1, other, attempt: 1)])
        #expect(h.core.state(of: ticket) == .cancelled)
    }

    @Test("cancelling a held request: its holder gets CANCEL", arguments: [false, true])
    func cancelHeld(accepted: Bool) throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 1)
        let ticket = try h.open("r-1")
        if accepted { _ = h.accept(.w1, ticket) }

        let actions = h.cancel(ticket)
        #expect(actions.recordTypes == [.requestCancelled])
        #expect(actions.toWorker(.w1) == [.cancel(ticket: ticket)])
        #expect(try actions.statuses(to: .agent).map(\.info.state) == [.cancelled])
        #expect(h.held(by: .w1).isEmpty)
        #expect(h.core.state(of: ticket) == .cancelled)

        // The worker's answer, sent before it saw CANCEL, is recorded but not delivered.
        let late = h.answer(.w1, ticket)
        #expect(late.recordTypes == [.requestDuplicateAnswer])
        #expect(late.agentMessageCount == 0)
        #expect(late.workerErrors(to: .w1).isEmpty)
    }

    @Test("cancelling a finished request: 409", arguments: ["answered", "cancelled", "dead_lettered"])
    func cancelFinished(final: String) throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 1)
        let ticket = try h.open("r-1")
        switch final {
        case "answered": _ = h.answer(.w1, ticket)
        case "cancelled": _ = h.cancel(ticket)
        default: _ = h.reject(.w1, ticket)
        }
        #expect(h.core.state(of: ticket)?.rawValue == final)

        let actions = h.cancel(ticket)
        #expect(actions.records.isEmpty)
        #expect(actions.toWorker(.w1).isEmpty)
        let error = try #require(actions.agentErrors(to: .agent).first)
        #expect(error.status == .conflict)
        #expect(error.reference == ticket.text)
        #expect(error.detail.error == "already-final")
        #expect(h.core.state(of: ticket)?.rawValue == final)
    }

    @Test("cancelling an unknown ticket: 404")
    func cancelUnknown() throws {
        var h = Harness()
        let actions = h.cancel(Ticket(rawValue: 0))
        let error = try #require(actions.agentErrors(to: .agent).first)
        #expect(error.status == .notFound)
        #expect(error.reference == Ticket(rawValue: 0).text)
        #expect(error.detail.error == "unknown-ticket")
        #expect(actions.records.isEmpty)
    }

    // MARK: Status

    @Test("STATUS follows the request from queued to answered and then carries the answer")
    func statusThroughTheLifecycle() throws {
        var h = Harness()
        let ticket = try h.open("r-1", priority: .normal)

        var (info, answer) = try h.status(ticket)
        #expect(info.ticket == ticket.text)
        #expect(info.requestId == "r-1")
        #expect(info.department == "claims")
        #expect(info.priority == .normal)
        #expect(info.state == .queued)
        #expect(info.attempts == 0)
        #expect(info.worker == nil)
        #expect(info.updates == 0)
        #expect(info.submittedAt == "2026-01-01T00:00:00.000Z")
        #expect(info.updatedAt == "2026-01-01T00:00:00.000Z")
        #expect(info.deadline == "2026-01-01T04:00:00.000Z")
        #expect(info.answeredAt == nil)
        #expect(answer == nil)

        h.clock.advance(by: .seconds(60))
        _ = h.ready(.w1, credit: 1)
        (info, answer) = try h.status(ticket)
        #expect(info.state == .offered)
        #expect(info.attempts == 1)
        #expect(info.worker == "w1")
        #expect(info.updatedAt == iso(.seconds(60)))

        h.clock.advance(by: .seconds(60))
        _ = h.accept(.w1, ticket)
        #expect(try h.status(ticket).info.state == .accepted)

        h.clock.advance(by: .seconds(180))
        _ = h.answer(.w1, ticket, body: "approved")
        (info, answer) = try h.status(ticket)
        #expect(info.state == .answered)
        #expect(info.attempts == 1)
        #expect(info.worker == nil)
        #expect(info.answeredAt == iso(.seconds(300)))
        #expect(info.updatedAt == iso(.seconds(300)))
        #expect(answer == bytes("approved"))
    }

    @Test("the STATUS JSON uses snake_case keys and dead_lettered")
    func statusJSON() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 1)
        let ticket = try h.open("r-1")
        _ = h.reject(.w1, ticket)
        let actions = h.core.status(from: .agent, ticket: ticket, now: h.now)
        guard case let .sendToAgent(_, .status(replyTicket, info, answer)) = try #require(actions.first) else {
            Issue.record("expected a STATUS reply, got \(actions)")
            return
        }
        #expect(replyTicket == ticket)
        #expect(answer == nil)
        let json = String(decoding: info, as: UTF8.self)
        #expect(json.contains("\"state\":\"dead_lettered\""))
        #expect(json.contains("\"request_id\":\"r-1\""))
        #expect(!json.contains("question"))  // the request body never appears in STATUS
    }

    @Test("STATUS of an unknown ticket: 404")
    func statusUnknown() throws {
        var h = Harness()
        let actions = h.core.status(from: .agent, ticket: Ticket(rawValue: .max), now: h.now)
        #expect(actions.agentErrors(to: .agent).map(\.status) == [.notFound])
        #expect(actions.agentErrors(to: .agent).first?.detail.error == "unknown-ticket")
    }

    @Test("an agent that asks for STATUS of an open ticket receives its answer")
    func statusRedirectsTheAnswer() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 1)
        let ticket = try h.open("r-1", from: .agent)
        _ = try h.status(ticket, from: .otherAgent)
        let answered = h.answer(.w1, ticket)
        #expect(answered.answers(to: .otherAgent).map(\.ticket) == [ticket])
        #expect(answered.toAgent(.agent).isEmpty)
    }

    @Test("UPDATE and ANSWER reach the agent; UPDATE from a non-holder gets 409")
    func updatesOnlyFromTheHolder() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 1)
        _ = h.ready(.w2, credit: 1)
        let ticket = try h.open("r-1")
        let refused = h.update(.w2, ticket)
        #expect(refused.workerErrors(to: .w2).map(\.status) == [.conflict])
        #expect(refused.agentMessageCount == 0)
        #expect(h.update(.w1, ticket).toAgent(.agent) == [.update(ticket: ticket, body: bytes("working on it"))])
        #expect(h.update(.w1, ticket).toAgent(.agent).count == 1)
        #expect(try h.status(ticket).info.updates == 2)
    }

    @Test("handing back at shutdown sends DISCONNECT to every worker")
    func shutdownDisconnectsWorkers() {
        var h = Harness()
        _ = h.ready(.w1)
        _ = h.ready(.w2, ["billing"])
        let (actions, handedBack) = h.core.handBack(reason: "stopping", now: h.clock.now)
        #expect(handedBack == 0)
        #expect(actions.count == 2)
        #expect(Set(actions.compactMap { action -> Peer? in
            guard case let .sendToWorker(peer, .disconnect) = action else { return nil }
            return peer
        }) == [.w1, .w2])
    }
}
