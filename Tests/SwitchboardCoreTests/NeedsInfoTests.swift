import SwitchboardSchema
import Testing

@testable import SwitchboardCore

/// A worker asks the agent for more information: the request waits on the agent, its clocks paused.
@Suite("Waiting on the agent")
struct NeedsInfoTests {
    static let configuration = CoreConfiguration.with(SLATests.department("claims", answer: .seconds(2)))

    @Test("NEEDS_INFO pauses the clocks and asks the agent; INFO resumes them and reaches the worker")
    func askAndReply() throws {
        var h = Harness(Self.configuration)
        _ = h.ready(.w1, credit: 1)
        let ticket = try h.open("r-1")
        _ = h.advance(by: .milliseconds(500))
        let asked = h.core.needsInfo(from: .w1, ticket: ticket, question: bytes("date of service?"), now: h.now)
        #expect(asked.recordTypes == [.requestWaitingOnAgent])
        #expect(asked.toAgent(.agent) == [.question(ticket: ticket, body: bytes("date of service?"))])
        #expect(try h.status(ticket).info.state == .waitingOnAgent)
        #expect(try h.status(ticket).info.clocks?.first?.state == .paused)
        // Long past the 2 s target, nothing fires while the agent is being asked (the worker stays alive).
        for _ in 0..<30 {
            #expect(SLATests.slaEvents(h.advance(by: .seconds(2))).isEmpty)
            _ = h.heartbeat(.w1)
        }
        #expect(h.held(by: .w1) == [ticket])

        let replied = h.core.provideInfo(from: .agent, ticket: ticket, body: bytes("2026-11-02"), now: h.now)
        #expect(replied.recordTypes == [.requestInfoReceived])
        #expect(replied.toWorker(.w1) == [.info(ticket: ticket, body: bytes("2026-11-02"))])
        #expect(try replied.statuses(to: .agent).first?.info.state == .accepted)
        // 0.5 s were used before the pause: 50% is due 0.5 s after the reply.
        #expect(SLATests.slaEvents(h.advance(by: .milliseconds(499))).isEmpty)
        #expect(SLATests.slaEvents(h.advance(by: .milliseconds(1))) == ["warning answer 50"])
    }

    @Test("INFO for a request that is not waiting is refused with 409 not-waiting")
    func notWaiting() throws {
        var h = Harness(Self.configuration)
        let ticket = try h.open("r-1")
        let refused = h.core.provideInfo(from: .agent, ticket: ticket, body: bytes("x"), now: h.now)
        #expect(refused.agentErrors(to: .agent).map(\.status) == [.conflict])
        #expect(refused.agentErrors(to: .agent).first?.detail.error == "not-waiting")
        #expect(h.core.provideInfo(from: .agent, ticket: Ticket(rawValue: 0), body: [], now: h.now)
            .agentErrors(to: .agent).map(\.status) == [.notFound])
        // Only the holder may ask.
        _ = h.ready(.w1, credit: 1)
        #expect(h.core.needsInfo(from: .w2, ticket: ticket, question: [], now: h.now)
            .workerErrors(to: .w2).map(\.status) == [.conflict])
    }

    @Test("a worker lost while waiting on the agent: the request is requeued and its clocks run again")
    func lostWhileWaiting() throws {
        var h = Harness(Self.configuration)
        _ = h.ready(.w1, credit: 1)
        let ticket = try h.open("r-1")
        _ = h.core.needsInfo(from: .w1, ticket: ticket, question: bytes("?"), now: h.now)
        let lost = h.disconnect(.w1)
        #expect(lost.recordTypes == [.workerLeft, .requestRequeued])
        #expect(try h.status(ticket).info.state == .queued)
        #expect(try h.status(ticket).info.clocks?.first?.state == .running)
        #expect(SLATests.slaEvents(h.advance(by: .seconds(1))) == ["warning answer 50"])
    }
}

@Suite("Waiting on the agent: refusals")
struct NeedsInfoRefusalTests {
    @Test("a second NEEDS_INFO while waiting is refused with 409 already-waiting; with a ledger, INFO for a forgotten ticket is looked up")
    func refusals() throws {
        var h = Harness(.with(ledgerBacked: true))
        _ = h.ready(.w1, credit: 1)
        let ticket = try h.open("r-1")
        _ = h.core.needsInfo(from: .w1, ticket: ticket, question: bytes("?"), now: h.now)
        let again = h.core.needsInfo(from: .w1, ticket: ticket, question: bytes("??"), now: h.now)
        #expect(again.workerErrors(to: .w1).map(\.detail.error) == ["already-waiting"])
        #expect(again.records.isEmpty)
        #expect(h.core.provideInfo(from: .agent, ticket: Ticket(rawValue: 0), body: [], now: h.now)
            == [.lookUp(.info(agent: .agent, ticket: Ticket(rawValue: 0)))])
    }
}
