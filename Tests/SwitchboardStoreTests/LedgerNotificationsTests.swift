import Foundation
import SwitchboardCore
import SwitchboardSchema
import Testing

@testable import SwitchboardStore

/// The agents' event streams and the webhooks' outbox, written in the changes' own transactions.
@Suite("Ledger notifications: agents' streams and the webhooks' outbox")
struct LedgerNotificationsTests {
    static let hook = NotificationPolicy.Route(name: "crm", types: [.requestAnswered], departments: ["claims"])
    static let policy = NotificationPolicy(agentStreams: true, webhooks: [hook])

    @Test("an agent's stream holds its tickets' stream types, numbered in order; others' and ZeroMQ agents' are not in it",
          arguments: Backend.allCases)
    func streams(backend: Backend) throws {
        try withLedger(backend) { ledger in
            #expect(try ledger.apply(Changes.answered(ticket(1), requestID: "zmq", at: 1), notifications: .none) == nil)
            let last = try ledger.apply(
                Changes.answered(ticket(2), requestID: "a", at: 2, owner: "alice")
                    + Changes.answered(ticket(3), requestID: "c", at: 3, owner: "carol", via: "crm"),
                notifications: Self.policy)
            let alice = try ledger.notifications(for: .agent("alice"), after: 0)
            // Submitted and answered, not the offer (not a stream type).
            #expect(alice.map(\.type) == [.requestSubmitted, .requestAnswered])
            #expect(alice.allSatisfy { $0.ticket == ticket(2) && $0.agent == "alice" })
            #expect(alice.last?.body == "answer to a")
            let ids = alice.compactMap(\.id)
            #expect(ids.count == 2 && ids[0] < ids[1])
            #expect(try ledger.notifications(for: .agent("alice"), after: ids[0]).map(\.id) == [ids[1]])
            #expect(try ledger.notifications(for: .integration("crm"), after: 0).map(\.ticket) == [ticket(3), ticket(3)])
            #expect(try ledger.notifications(for: .agent("bob"), after: 0).isEmpty)
            let bounds = try ledger.notificationBounds()
            #expect(bounds.floor == 0)
            #expect(bounds.latest == (try #require(last)))
        }
    }

    @Test("a webhook's deliveries: only its types and departments, any submitter; attempts, retries and counts",
          arguments: Backend.allCases)
    func deliveries(backend: Backend) throws {
        try withLedger(backend) { ledger in
            try ledger.apply(Changes.answered(ticket(1), requestID: "zmq", at: 1), notifications: Self.policy)
            try ledger.apply(Changes.answered(ticket(2), requestID: "b", at: 2, department: "billing", owner: "alice"),
                             notifications: Self.policy)
            let pending = try ledger.pendingDeliveries()
            #expect(pending.map(\.event.ticket) == [ticket(1)], "claims' answer only, even a ZeroMQ agent's")
            let delivery = try #require(pending.first)
            #expect(delivery.webhook == "crm" && delivery.state == .pending && delivery.attempts == 0)
            #expect(delivery.event.type == .requestAnswered && delivery.event.body == "answer to zmq")

            try ledger.recordAttempts([
                .init(id: delivery.id, state: .pending, at: at(100), nextAttemptAt: at(1_100), status: 500, error: "HTTP 500"),
            ])
            let retried = try #require(try ledger.deliveries(webhook: "crm").first)
            #expect(retried.attempts == 1 && retried.state == .pending && retried.lastStatus == 500)
            #expect(retried.nextAttemptAt == at(1_100))
            #expect(try ledger.deliveryCounts()["crm"]?.pending == 1)

            try ledger.recordAttempts([
                .init(id: delivery.id, state: .delivered, at: at(1_200), nextAttemptAt: at(1_200), status: 204, error: nil),
            ])
            #expect(try ledger.pendingDeliveries().isEmpty)
            let delivered = try #require(try ledger.deliveries(webhook: "crm", state: .delivered).first)
            #expect(delivered.attempts == 2 && delivered.deliveredAt == at(1_200) && delivered.lastStatus == 204)
            let counts = try #require(try ledger.deliveryCounts()["crm"])
            #expect(counts.pending == 0 && counts.delivered == 1 && counts.failed == 0)
            #expect(try ledger.deliveries(webhook: "crm", state: .failed).isEmpty)
        }
    }

    @Test("pruning removes old events and their deliveries and raises the floor a resumed stream is checked against",
          arguments: Backend.allCases)
    func pruneRaisesTheFloor(backend: Backend) throws {
        try withLedger(backend) { ledger in
            try ledger.apply(Changes.answered(ticket(1), requestID: "old", at: 1, owner: "alice"), notifications: Self.policy)
            let old = try ledger.notifications(for: .agent("alice"), after: 0)
            try ledger.apply(Changes.answered(ticket(5_000), requestID: "new", at: 5_000, owner: "alice"), notifications: Self.policy)
            let latest = try ledger.notificationBounds().latest
            #expect(try ledger.prune(finishedBefore: at(1_000), limit: 100) == ["old"])
            let bounds = try ledger.notificationBounds()
            #expect(bounds.floor == old.last?.id, "everything up to the old ticket's last event is gone")
            #expect(bounds.latest == latest, "ids are never reused")
            #expect(try ledger.notifications(for: .agent("alice"), after: 0).map(\.ticket) == [ticket(5_000), ticket(5_000)])
            #expect(try ledger.pendingDeliveries().map(\.event.ticket) == [ticket(5_000)], "the old delivery went with its event")
        }
    }
}
