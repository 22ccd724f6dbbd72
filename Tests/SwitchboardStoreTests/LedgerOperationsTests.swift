import SwitchboardCore
import SwitchboardSchema
import Testing

@testable import SwitchboardStore

/// The ledger's reads for the ops surface: finished requests, dead letters and breaches.
@Suite("Ledger: operations reads")
struct LedgerOperationsTests {
    /// Three requests: answered (after a warning), dead-lettered (rejected), and open with a breach.
    func fill(_ ledger: any LedgerStore) throws -> (answered: String, rejected: String, open: String) {
        let answered = ticket(0), rejected = ticket(1), open = ticket(2)
        let warning = Changes.request(.requestSLAWarning, answered, at: 5, state: .offered, attempt: 1, target: .answer)
        let breach = Changes.request(
            .requestSLABreached, open, at: 50, state: .queued, attempt: 0, department: "pharmacy", target: .firstResponse)
        try ledger.apply(
            Changes.answered(answered, requestID: "r-1", at: 0, after: 10) + [
                warning,
                Changes.submitted(rejected, requestID: "r-2", at: 1, priority: .urgent),
                Changes.request(
                    .requestDeadLettered, rejected, at: 20, state: .deadLettered, attempt: 1, priority: .urgent,
                    worker: "w1", reason: "rejected by claims: no", failure: "rejected"),
                Changes.submitted(open, requestID: "r-3", at: 2, department: "pharmacy"),
                breach,
            ])
        return (answered, rejected, open)
    }

    @Test("lists filter by state, department and priority, order by age or deadline, page, and name SLA levels",
          arguments: Backend.allCases)
    func requestLists(backend: Backend) throws {
        try withLedger(backend) { ledger in
            let (answered, rejected, open) = try fill(ledger)
            var filter = RequestFilter()
            filter.states = [.answered, .deadLettered, .queued]
            let all = try ledger.requests(filter, now: at(100))
            #expect(all.items.map(\.ticket) == [open, rejected, answered])
            #expect(all.total == 3)
            #expect(all.items.map(\.sla) == [.breached, .none, .warning])
            #expect(all.items.first?.dueInSeconds != nil, "an open request has a countdown")
            #expect(all.items.last?.dueInSeconds == nil, "a finished one has none")
            #expect(all.items.last?.ageSeconds == 0.1)

            filter.priority = .urgent
            #expect(try ledger.requests(filter, now: at(100)).items.map(\.ticket) == [rejected])
            filter.priority = nil
            filter.department = "pharmacy"
            #expect(try ledger.requests(filter, now: at(100)).items.map(\.ticket) == [open])
            filter.department = nil
            filter.breaching = true
            #expect(Set(try ledger.requests(filter, now: at(100)).items.map(\.ticket)) == [open, answered])
            filter.breaching = false
            filter.limit = 1
            filter.offset = 1
            let page = try ledger.requests(filter, now: at(100))
            #expect(page.items.map(\.ticket) == [rejected])
            #expect(page.total == 3)
        }
    }

    @Test("dead letters, newest first, with their failure and reason", arguments: Backend.allCases)
    func deadLetters(backend: Backend) throws {
        try withLedger(backend) { ledger in
            let (_, rejected, _) = try fill(ledger)
            let page = try ledger.deadLetters(department: nil, limit: 10, offset: 0, now: at(100))
            #expect(page.items.map(\.ticket) == [rejected])
            #expect(page.items.first?.failure == "rejected")
            #expect(page.items.first?.reason == "rejected by claims: no")
            #expect(try ledger.deadLetters(department: "pharmacy", limit: 10, offset: 0, now: at(100)).total == 0)
        }
    }

    @Test("recent breaches name the clock and the request's state now", arguments: Backend.allCases)
    func breaches(backend: Backend) throws {
        try withLedger(backend) { ledger in
            let (_, _, open) = try fill(ledger)
            let breaches = try ledger.recentBreaches(limit: 5)
            #expect(breaches == [
                BreachSummary(
                    ticket: open, department: "pharmacy", priority: .normal, target: .firstResponse,
                    at: at(50).iso8601, state: .queued)
            ])
        }
    }
}

@Suite("Ledger: an operator's requeue")
struct LedgerRequeueTests {
    @Test("a requeued dead letter is open again in the ledger, with its new deadline and no failure", arguments: Backend.allCases)
    func requeue(backend: Backend) throws {
        try withLedger(backend) { ledger in
            let t = ticket(0)
            try ledger.apply([
                Changes.submitted(t, requestID: "r-1", at: 0),
                Changes.request(.requestDeadLettered, t, at: 10, state: .deadLettered, attempt: 1, reason: "no", failure: "rejected"),
            ])
            let requeued = Changes.request(
                .requestRequeued, t, at: 20, state: .queued, attempt: 0, reason: "requeued by an operator", deadline: at(99_000))
            try ledger.apply([requeued])
            let stored = try #require(try ledger.request(ticket: t))
            #expect(stored.state == .queued)
            #expect(stored.finishedAt == nil)
            #expect(stored.failure == nil)
            #expect(stored.attempts == 0)
            #expect(stored.deadline == at(99_000))
            #expect(try ledger.openRequests().map(\.ticket) == [t])
        }
    }
}
