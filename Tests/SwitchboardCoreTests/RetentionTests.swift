import SwitchboardSchema
import Testing

@testable import SwitchboardCore

/// Finished requests are kept for STATUS up to retainedFinishedRequests, oldest forgotten first.
@Suite("Retention of finished requests")
struct RetentionTests {
    @Test("with room for 2, the oldest finished request leaves memory but its request id keeps its ticket until the retention ends")
    func oldestFinishedIsForgotten() throws {
        var h = Harness(.with(retainedFinishedRequests: 2, retention: .seconds(3600)))
        _ = h.ready(.w1, credit: 1)
        let tickets = try (1...3).map { index -> Ticket in
            let ticket = try h.open("r-\(index)")
            _ = h.answer(.w1, ticket, body: "answer \(index)")
            return ticket
        }

        let forgotten = h.core.status(from: .agent, ticket: tickets[0], now: h.now)
        #expect(forgotten.agentErrors(to: .agent).map(\.status) == [.notFound])
        #expect(h.core.state(of: tickets[0]) == nil)
        #expect(try h.status(tickets[1]).answer == bytes("answer 2"))
        #expect(try h.status(tickets[2]).answer == bytes("answer 3"))

        // Within the retention, r-1 still means its ticket: never a second request.
        let again = h.submit("r-1")
        #expect(again.acceptance?.status == .ok)
        #expect(again.acceptance?.ticket == tickets[0])
        #expect(again.records.isEmpty)
        // A late answer for the forgotten ticket is for an unknown ticket.
        #expect(h.answer(.w1, tickets[0]).workerErrors(to: .w1).map(\.status) == [.notFound])

        // After the retention, the heartbeat timer prunes the index and r-1 is a new request.
        _ = h.advance(by: .seconds(3601))
        let reused = h.submit("r-1")
        // (w1 went silent during that hour and was lost, hence "no worker".)
        #expect(reused.acceptance?.status == .acceptedNoWorker)
        #expect(reused.recordTypes.first == .requestSubmitted)
        #expect(reused.acceptance?.ticket != tickets[0])
    }

    @Test("with a ledger, what Core forgot is looked up there instead of refused")
    func ledgerLookups() throws {
        var h = Harness(.with(retainedFinishedRequests: 1, ledgerBacked: true))
        _ = h.ready(.w1, credit: 1)
        let first = try h.open("r-1")
        _ = h.answer(.w1, first)
        let second = try h.open("r-2")
        _ = h.answer(.w1, second)
        #expect(h.core.state(of: first) == nil)
        #expect(h.core.status(from: .agent, ticket: first, now: h.now) == [.lookUp(.status(agent: .agent, ticket: first))])
        #expect(h.core.cancel(from: .agent, ticket: first, now: h.now) == [.lookUp(.cancel(agent: .agent, ticket: first))])
        // What Core still holds is answered from memory.
        #expect(try h.status(second).info.state == .answered)
    }

    @Test("open requests are never forgotten, however many others finish")
    func openRequestsStay() throws {
        var h = Harness(.with(retainedFinishedRequests: 1))
        let waiting = try h.open("waiting", to: "billing")
        _ = h.ready(.w1, credit: 1)
        for index in 0..<5 {
            let ticket = try h.open("r-\(index)")
            _ = h.answer(.w1, ticket)
        }
        #expect(try h.status(waiting).info.state == .queued)
        #expect(h.submit("waiting", to: "billing").acceptance?.status == .ok)
        #expect(h.core.openRequests == 1)
    }

    @Test("retaining none still finishes requests cleanly", arguments: [0, 1])
    func retainNothing(retained: Int) throws {
        var h = Harness(.with(retainedFinishedRequests: retained))
        _ = h.ready(.w1, credit: 1)
        let answered = try h.open("r-1")
        let delivered = h.answer(.w1, answered, body: "done")
        #expect(delivered.answers(to: .agent).map(\.body) == [bytes("done")])
        #expect(delivered.recordTypes == [.requestAnswered])

        let cancelled = try h.open("r-2")
        let cancel = h.cancel(cancelled)
        #expect(cancel.recordTypes == [.requestCancelled])
        #expect(cancel.toWorker(.w1) == [.cancel(ticket: cancelled)])

        let rejected = try h.open("r-3")
        let reject = h.reject(.w1, rejected)
        #expect(reject.agentErrors(to: .agent).map(\.status) == [.rejected])

        // Only the most recent finished ticket can still be there.
        #expect(h.core.state(of: answered) == nil)
        #expect(h.core.state(of: cancelled) == nil)
        #expect(h.core.openRequests == 0)
        #expect(h.submit("r-1").acceptance?.status == .ok)
    }
}
