import SwitchboardSchema
import Testing

@testable import SwitchboardCore

/// RELEASE: a worker gives a request back without an answer (its work failed, not the request).
@Suite("Release")
struct ReleaseTests {
    @Test("a released request is requeued with the attempt counted and offered to another worker first")
    func requeuedToAnotherWorker() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 1)
        let ticket = try h.open("r-1")
        _ = h.accept(.w1, ticket)
        _ = h.ready(.w2, credit: 1)

        let released = h.core.release(from: .w1, ticket: ticket, reason: "timed out after 30s", now: h.clock.now)
        #expect(released.recordTypes == [.requestRequeued, .requestOffered])
        let requeued = try #require(released.records(.requestRequeued).first)
        #expect(requeued.reason == "given back by w1: timed out after 30s")
        #expect(requeued.attempt == 1)
        #expect(released.offers == [Offer(.w2, ticket, attempt: 2)], "to the other worker, as attempt 2")
        #expect(released.toAgent(.agent).isEmpty, "nothing for the agent: the request goes on")
        #expect(h.held(by: .w1).isEmpty)
    }

    @Test("released as often as the department allows, the request is dead-lettered; a non-holder is refused")
    func deadLetteredAfterMaxAttempts() throws {
        var h = Harness(.with(DepartmentPolicy(name: "claims", maxAttempts: 2)))
        _ = h.ready(.w1, credit: 1)
        let ticket = try h.open("r-1")
        let refused = h.core.release(from: .w2, ticket: ticket, reason: "not mine", now: h.clock.now)
        #expect(refused.records.isEmpty)
        #expect(refused.toWorker(.w2).isEmpty == false)

        let first = h.core.release(from: .w1, ticket: ticket, reason: "crashed", now: h.clock.now)
        #expect(first.offers == [Offer(.w1, ticket, attempt: 2)], "the only worker gets it again")
        let second = h.core.release(from: .w1, ticket: ticket, reason: "crashed again", now: h.clock.now)
        #expect(second.recordTypes == [.requestDeadLettered])
        #expect(second.records.first?.reason == "gave up after 2 attempts; last: given back by w1: crashed again")
        #expect(second.agentErrors(to: .agent).map(\.status) == [.deadLettered])
        #expect(h.core.openRequests == 0)
    }
}
