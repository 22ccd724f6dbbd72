import SwitchboardSchema
import Testing

@testable import SwitchboardCore

/// After the department's maxAttempts offers a request is dead-lettered, never retried forever.
@Suite("Max attempts")
struct MaxAttemptsTests {
    @Test("three worker losses with maxAttempts 3: dead-lettered, agent gets ERROR 504")
    func deadLetteredAfterWorkerLosses() throws {
        var h = Harness(.with(DepartmentPolicy(name: "claims", maxAttempts: 3)))
        let submitted = h.submit("r-1")
        #expect(submitted.acceptance?.status == .acceptedNoWorker)
        let ticket = try #require(submitted.acceptance?.ticket)

        for (index, worker) in [Peer.w1, .w2].enumerated() {
            #expect(h.ready(worker, credit: 1).offers == [Offer(worker, ticket, attempt: index + 1)])
            _ = h.accept(worker, ticket)
            let gone = h.disconnect(worker)
            #expect(gone.recordTypes == [.workerLeft, .requestRequeued])
            #expect(gone.records(.requestRequeued).first?.attempt == index + 1)
            #expect(gone.toAgent(.agent).isEmpty)
        }
        #expect(h.ready(.w3, credit: 1).offers == [Offer(.w3, ticket, attempt: 3)])
        let last = h.disconnect(.w3)

        #expect(last.recordTypes == [.workerLeft, .requestDeadLettered])
        let dead = try #require(last.records(.requestDeadLettered).first)
        let reason = "gave up after 3 attempts; last: w3: worker disconnected"
        #expect(dead.reason == reason)
        #expect(dead.state == .deadLettered)
        #expect(dead.attempt == 3)
        let error = try #require(last.agentErrors(to: .agent).first)
        #expect(error.reference == ticket.text)
        #expect(error.status == .deadLettered)
        #expect(error.status.rawValue == 504)
        #expect(error.detail.error == "dead-lettered")
        #expect(error.detail.message == reason)
        #expect(error.detail.ticket == ticket.text)
        #expect(error.detail.requestId == "r-1")

        let status = try h.status(ticket).info
        #expect(status.state == .deadLettered)
        #expect(status.attempts == 3)
        #expect(status.reason == reason)
        #expect(h.core.openRequests == 0)
        #expect(h.core.queuedCount(department: "claims") == 0)
        // Never retried: a new worker gets nothing.
        #expect(h.ready(.w4, credit: 1).offers.isEmpty)
    }

    @Test("heartbeat losses count too")
    func deadLetteredAfterHeartbeatLosses() throws {
        var h = Harness(.with(DepartmentPolicy(name: "claims", maxAttempts: 2)))
        _ = h.ready(.w1, credit: 1)
        let ticket = try h.open("r-1")
        let firstLoss = h.advance(by: .milliseconds(7500))
        #expect(firstLoss.recordTypes == [.workerLost, .requestRequeued])

        #expect(h.ready(.w2, credit: 1).offers == [Offer(.w2, ticket, attempt: 2)])
        let secondLoss = h.advance(by: .milliseconds(7500))
        #expect(secondLoss.recordTypes == [.workerLost, .requestDeadLettered])
        let reason = try #require(secondLoss.records(.requestDeadLettered).first?.reason)
        #expect(reason.hasPrefix("gave up after 2 attempts; last: w2: no heartbeat for"))
        #expect(secondLoss.agentErrors(to: .agent).map(\.status) == [.deadLettered])
        #expect(h.core.state(of: ticket) == .deadLettered)
    }

    @Test("offer timeouts count too; the worker is told to drop the request each time")
    func deadLetteredAfterOfferTimeouts() throws {
        var h = Harness(
            .with(DepartmentPolicy(name: "claims", maxAttempts: 2, offerTimeout: .seconds(10)),
                heartbeatInterval: .seconds(60)))
        _ = h.ready(.w1, credit: 1)
        let ticket = try h.open("r-1")
        let first = h.advance(by: .seconds(10))
        #expect(first.cancelledTickets(to: .w1) == [ticket])
        #expect(first.offers == [Offer(.w1, ticket, attempt: 2)])

        let second = h.advance(by: .seconds(10))
        #expect(second.cancelledTickets(to: .w1) == [ticket])
        #expect(second.offers.isEmpty)
        #expect(second.recordTypes == [.requestDeadLettered])
        #expect(second.records.first?.reason?.hasPrefix("gave up after 2 attempts; last: offer not accepted") == true)
        #expect(second.agentErrors(to: .agent).map(\.status) == [.deadLettered])
        #expect(h.held(by: .w1).isEmpty)
    }

    @Test("maxAttempts 1: the first loss dead-letters")
    func singleAttempt() throws {
        var h = Harness(.with(DepartmentPolicy(name: "claims", maxAttempts: 1)))
        _ = h.ready(.w1, credit: 1)
        _ = h.ready(.w2, credit: 1)
        let ticket = try h.open("r-1")
        let gone = h.disconnect(.w1)
        #expect(gone.recordTypes == [.workerLeft, .requestDeadLettered])
        #expect(gone.offers.isEmpty)
        #expect(h.held(by: .w2).isEmpty)
        #expect(h.core.state(of: ticket) == .deadLettered)
    }

    @Test("attempts count per department: a transfer starts again at 1")
    func transferResetsAttempts() throws {
        var h = Harness(.with(DepartmentPolicy(name: "claims", maxAttempts: 2)))
        _ = h.ready(.w1, ["claims"], credit: 1)
        let ticket = try h.open("r-1")
        _ = h.disconnect(.w1)
        #expect(h.ready(.w2, ["claims"], credit: 1).offers == [Offer(.w2, ticket, attempt: 2)])
        _ = h.ready(.w3, ["billing"], credit: 1)
        #expect(h.transfer(.w2, ticket, to: "billing").offers == [Offer(.w3, ticket, attempt: 1)])
        // Billing allows the default 5 attempts.
        #expect(h.disconnect(.w3).recordTypes == [.workerLeft, .requestRequeued])
        #expect(h.core.state(of: ticket) == .queued)
    }
}
