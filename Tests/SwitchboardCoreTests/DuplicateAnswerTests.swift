import SwitchboardSchema
import Testing

@testable import SwitchboardCore

/// The first answer wins and is delivered once; later ones are recorded, never delivered.
@Suite("Duplicate answers")
struct DuplicateAnswerTests {
    static let configuration = CoreConfiguration.with(
        DepartmentPolicy(name: "claims", offerTimeout: .seconds(10)), heartbeatInterval: .seconds(60))

    /// r-1 offered to w1, timed out, now offered to w2.
    static func requeued() throws -> (Harness, Ticket) {
        var h = Harness(configuration)
        _ = h.ready(.w1, credit: 1)
        _ = h.ready(.w2, credit: 1)
        let ticket = try h.open("r-1")
        let timedOut = h.advance(by: .seconds(10))
        #expect(timedOut.offers == [Offer(.w2, ticket, attempt: 2)])
        return (h, ticket)
    }

    @Test("the earlier holder answers first: delivered once; the new holder is cancelled; its answer is a duplicate")
    func earlierHolderWins() throws {
        var (h, ticket) = try Self.requeued()

        let first = h.answer(.w1, ticket, body: "from w1")
        #expect(first.answers(to: .agent).map(\.body) == [bytes("from w1")])
        #expect(first.recordTypes == [.requestAnswered])
        #expect(first.records.first?.worker == "w1")
        #expect(first.toWorker(.w2) == [.cancel(ticket: ticket)])
        #expect(first.workerErrors(to: .w1).isEmpty)
        #expect(h.held(by: .w2).isEmpty)

        let second = h.answer(.w2, ticket, body: "from w2")
        #expect(second.agentMessageCount == 0)
        #expect(second.recordTypes == [.requestDuplicateAnswer])
        let duplicate = try #require(second.records.first)
        #expect(duplicate.ticket == ticket)
        #expect(duplicate.worker == "w2")
        #expect(duplicate.reason == "request already answered")
        #expect(duplicate.body == bytes("from w2"))
        #expect(second.workerErrors(to: .w2).isEmpty)

        let (info, answer) = try h.status(ticket)
        #expect(info.state == .answered)
        #expect(answer == bytes("from w1"))
        #expect(info.worker == nil)
    }

    @Test("the new holder answers first: delivered once; the earlier holder's answer is a duplicate")
    func newHolderWins() throws {
        var (h, ticket) = try Self.requeued()
        let first = h.answer(.w2, ticket, body: "from w2")
        #expect(first.answers(to: .agent).map(\.body) == [bytes("from w2")])
        #expect(first.cancelCount == 0)

        let second = h.answer(.w1, ticket, body: "from w1")
        #expect(second.recordTypes == [.requestDuplicateAnswer])
        #expect(second.agentMessageCount == 0)
        #expect(try h.status(ticket).answer == bytes("from w2"))
    }

    @Test("the same worker answering twice: the second is a duplicate")
    func sameWorkerTwice() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 1)
        let ticket = try h.open("r-1")
        #expect(h.answer(.w1, ticket).answers(to: .agent).count == 1)
        let again = h.answer(.w1, ticket)
        #expect(again.recordTypes == [.requestDuplicateAnswer])
        #expect(again.agentMessageCount == 0)
    }

    @Test("a lost worker's late answer, while the request waits in the queue, is delivered once and empties the queue")
    func lostWorkersAnswerWhileQueued() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 1)
        let ticket = try h.open("r-1")
        _ = h.accept(.w1, ticket)
        _ = h.advance(by: .milliseconds(7500))  // w1 lost; nobody else to take r-1
        #expect(h.core.state(of: ticket) == .queued)
        #expect(h.core.queuedCount(department: "claims") == 1)

        let late = h.answer(.w1, ticket, body: "late but right")
        #expect(late.answers(to: .agent).map(\.body) == [bytes("late but right")])
        #expect(late.recordTypes == [.requestAnswered])
        // It is told to register again.
        #expect(late.toWorker(.w1) == [.disconnect])
        #expect(h.core.state(of: ticket) == .answered)
        #expect(h.core.queuedCount(department: "claims") == 0)

        // Nobody is offered the answered request later.
        #expect(h.ready(.w2, credit: 1).offers.isEmpty)
        let next = try h.open("r-2")
        #expect(h.held(by: .w2) == [next])
    }

    @Test("an answer from a worker that never held the ticket: ERROR 409, not delivered")
    func answerFromANonHolder() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 1)
        _ = h.ready(.w2, credit: 1)
        let ticket = try h.open("r-1")
        #expect(h.held(by: .w1) == [ticket])

        let actions = h.answer(.w2, ticket, body: "not mine")
        #expect(actions.agentMessageCount == 0)
        #expect(actions.records.isEmpty)
        let error = try #require(actions.workerErrors(to: .w2).first)
        #expect(error.status == .conflict)
        #expect(error.reference == ticket.text)
        #expect(error.detail.error == "not-held")
        #expect(h.core.state(of: ticket) == .offered)

        // The real holder's answer still goes through.
        #expect(h.answer(.w1, ticket).answers(to: .agent).count == 1)
    }

    @Test("after the answer, a worker that never held the ticket still gets 409, and nothing is recorded")
    func answerFromANonHolderAfterTheAnswer() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 1)
        _ = h.ready(.w2, ["billing"], credit: 1)
        let ticket = try h.open("r-1")
        _ = h.answer(.w1, ticket)

        let actions = h.answer(.w2, ticket, body: "not mine")
        #expect(actions.records.isEmpty)
        #expect(actions.agentMessageCount == 0)
        #expect(actions.workerErrors(to: .w2).map(\.status) == [.conflict])
    }

    @Test("an answer for an unknown ticket: ERROR 404")
    func answerForUnknownTicket() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 1)
        let actions = h.answer(.w1, Ticket(rawValue: 0))
        let error = try #require(actions.workerErrors(to: .w1).first)
        #expect(error.status == .notFound)
        #expect(error.detail.error == "unknown-ticket")
        #expect(actions.records.isEmpty)
    }
}
