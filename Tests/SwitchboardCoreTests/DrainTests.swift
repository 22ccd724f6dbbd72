import SwitchboardSchema
import Testing

@testable import SwitchboardCore

/// A graceful stop: intake closes, workers finish what they hold, the rest is handed back to the queue.
@Suite("Drain")
struct DrainTests {
    @Test("while draining a new submission gets 503 unavailable; a resubmitted request id still gets its ticket")
    func intakeCloses() throws {
        var h = Harness()
        let ticket = try h.open("before")
        _ = h.core.beginDrain(now: h.now)
        let refused = h.submit("during")
        #expect(refused.agentErrors(to: .agent).map(\.status) == [.unavailable])
        #expect(refused.agentErrors(to: .agent).first?.detail.error == "unavailable")
        #expect(refused.records.isEmpty, "nothing is recorded for a refused submission")
        #expect(h.submit("before").acceptance?.ticket == ticket)
    }

    @Test("while draining nothing new is offered, but workers finish and answer what they hold")
    func workersFinish() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 1)
        let held = try h.open("held")
        _ = h.accept(.w1, held)
        let queued = try h.open("queued")
        _ = h.core.beginDrain(now: h.now)
        #expect(h.core.heldByWorkers == 1)
        let answered = h.answer(.w1, held)
        #expect(answered.answers(to: .agent).map(\.ticket) == [held])
        #expect(answered.offers.isEmpty, "the freed credit is not used while draining")
        _ = h.ready(.w2, credit: 5)
        #expect(h.core.heldByWorkers == 0)
        #expect(h.core.state(of: queued) == .queued)
    }

    @Test("hand back: what workers still hold goes back to its queue without counting the attempt, workers are cancelled and told to disconnect")
    func handBack() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 2)
        let accepted = try h.open("accepted")
        let offered = try h.open("offered")
        _ = h.accept(.w1, accepted)
        _ = h.core.beginDrain(now: h.now)
        #expect(h.core.heldByWorkers == 2)
        let (actions, count) = h.core.handBack(reason: "the broker stopped", now: h.now)
        #expect(count == 2)
        #expect(Set(actions.cancelledTickets(to: .w1)) == [accepted, offered])
        #expect(actions.toWorker(.w1).contains(.disconnect))
        let requeued = actions.records(.requestRequeued)
        #expect(Set(requeued.map(\.ticket)) == [accepted, offered])
        #expect(requeued.allSatisfy { $0.attempt == 0 && $0.reason == "the broker stopped" })
        #expect(h.core.state(of: accepted) == .queued && h.core.state(of: offered) == .queued)
        #expect(h.core.heldByWorkers == 0)
        #expect(actions.offers.isEmpty)
    }

    @Test("a request waiting on its agent does not hold the drain up")
    func waitingOnAgentIsNotHeld() throws {
        var h = Harness()
        _ = h.ready(.w1)
        let ticket = try h.open("asks")
        _ = h.accept(.w1, ticket)
        _ = h.core.needsInfo(from: .w1, ticket: ticket, question: bytes("which member?"), now: h.now)
        #expect(h.core.state(of: ticket) == .waitingOnAgent)
        _ = h.core.beginDrain(now: h.now)
        #expect(h.core.heldByWorkers == 0)
    }
}
