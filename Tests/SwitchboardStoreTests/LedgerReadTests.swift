import SwitchboardCore
import SwitchboardSchema
import Testing
@testable import SwitchboardStore

@Suite("Ledger reads")
struct LedgerReadTests {
    @Test("openRequests returns only unfinished requests, with bodies, in ticket order", arguments: Backend.allCases)
    func openRequests(backend: Backend) throws {
        let early = ticket(0), middle = ticket(5), late = ticket(9), done = ticket(3)
        try withLedger(backend) { ledger in
            // Applied out of ticket order, so only ORDER BY can put them right.
            try ledger.apply([
                Changes.submitted(late, requestID: "r-late", at: 9, body: "late body"),
                Changes.submitted(early, requestID: "r-early", at: 0, department: "billing", priority: .urgent,
                    body: "early body"),
            ])
            try ledger.apply(Changes.answered(done, requestID: "r-done", at: 3))
            try ledger.apply([
                Changes.submitted(middle, requestID: "r-middle", at: 5, body: "middle body"),
                Changes.request(.requestOffered, middle, at: 6, state: .offered, attempt: 1, worker: "w1"),
                Changes.request(.requestAccepted, middle, at: 7, state: .accepted, attempt: 1, worker: "w1"),
                Changes.request(
                    .requestUpdated, middle, at: 8, state: .accepted, attempt: 1, worker: "w1", body: "soon"),
            ])
            let open = try ledger.openRequests()
            #expect(open.map(\.ticket) == [early, middle, late])
            #expect(open.map(\.body) == [bytes("early body"), bytes("middle body"), bytes("late body")])
            #expect(open[0].department == "billing")
            #expect(open[0].priority == .urgent)
            #expect(open[1].state == .accepted)
            #expect(open[1].worker == "w1")
            #expect(open[1].attempts == 1)
            #expect(open[1].updates == 1)
            #expect(open.allSatisfy { $0.finishedAt == nil })
        }
    }

    @Test("finishedIndex lists finished requests, oldest finished first", arguments: Backend.allCases)
    func finishedIndex(backend: Backend) throws {
        let first = ticket(0), second = ticket(1), open = ticket(2), third = ticket(3)
        try withLedger(backend) { ledger in
            try ledger.apply(Changes.answered(first, requestID: "r-first", at: 0, after: 500))
            try ledger.apply(Changes.answered(second, requestID: "r-second", at: 1, after: 100))
            try ledger.apply([Changes.submitted(open, requestID: "r-open", at: 2)])
            try ledger.apply([
                Changes.submitted(third, requestID: "r-third", at: 3),
                Changes.request(.requestCancelled, third, at: 300, state: .cancelled, attempt: 0),
            ])
            let index = try ledger.finishedIndex()
            #expect(index.map(\.requestID) == ["r-second", "r-third", "r-first"])
            #expect(index.map(\.ticket.text) == [second, third, first])
            #expect(index.map(\.finishedAt) == [at(101), at(300), at(500)])
        }
    }

    @Test("lastTicket is nil on an empty ledger, then the largest ticket", arguments: Backend.allCases)
    func lastTicket(backend: Backend) throws {
        try withLedger(backend) { ledger in
            #expect(try ledger.lastTicket() == nil)
            try ledger.apply([
                Changes.submitted(ticket(7), requestID: "r-7", at: 7),
                Changes.submitted(ticket(2), requestID: "r-2", at: 2),
            ])
            try ledger.apply(Changes.answered(ticket(9), requestID: "r-9", at: 9))
            #expect(try ledger.lastTicket()?.text == ticket(9))
        }
    }

    @Test("request(ticket:) carries the answer; nil for an unknown ticket", arguments: Backend.allCases)
    func requestCarriesAnswer(backend: Backend) throws {
        let t1 = ticket(0)
        try withLedger(backend) { ledger in
            try ledger.apply([Changes.submitted(t1, requestID: "r-1", at: 0)])
            let pending = try #require(try ledger.request(ticket: t1))
            #expect(pending.answer == nil)
            #expect(pending.answeredAt == nil)
            try ledger.apply(Array(Changes.answered(t1, requestID: "r-1", at: 0, after: 42).dropFirst()))
            let answered = try #require(try ledger.request(ticket: t1))
            #expect(answered.answer == bytes("answer to r-1"))
            #expect(answered.answeredAt == at(42))
            #expect(answered.state == .answered)
            #expect(answered.worker == "w1")
            #expect(try ledger.request(ticket: ticket(1)) == nil)
            #expect(try ledger.history(ticket: ticket(1)).isEmpty)
        }
    }

    @Test("countsByState counts every state, zero included", arguments: Backend.allCases)
    func countsByState(backend: Backend) throws {
        try withLedger(backend) { ledger in
            let zero = Dictionary(uniqueKeysWithValues: RequestState.allCases.map { ($0, 0) })
            #expect(try ledger.countsByState() == zero)
            try ledger.apply([
                Changes.submitted(ticket(0), requestID: "r-0", at: 0),
                Changes.submitted(ticket(1), requestID: "r-1", at: 1),
                Changes.submitted(ticket(2), requestID: "r-2", at: 2),
                Changes.request(.requestOffered, ticket(2), at: 3, state: .offered, attempt: 1, worker: "w1"),
            ])
            try ledger.apply(Changes.answered(ticket(3), requestID: "r-3", at: 3))
            #expect(try ledger.countsByState() == [
                .queued: 2, .offered: 1, .accepted: 0, .waitingOnAgent: 0, .answered: 1, .cancelled: 0, .deadLettered: 0,
            ])
        }
    }
}

@Suite("The ledger keeps each request's service-level state")
struct LedgerSLATests {
    static var snapshot: SLASnapshot {
        SLASnapshot(
            targets: ["answer": 4000, "first_response": 1000], warnings: [0.5, 0.75],
            calendar: .init(timeZone: "America/Chicago", weekly: ["1": [[540, 1020]]], holidays: ["2026-12-25"]),
            escalation: "transfer", escalationDepartment: "billing",
            clocks: [
                .init(target: .firstResponse, budgetMs: 1000, usedMs: 300, runningSince: nil, passed: 0, outcome: "met", stopped: true),
                .init(target: .answer, budgetMs: 4000, usedMs: 0, runningSince: 1_767_225_600_000, passed: 1, outcome: nil, stopped: false),
            ])
    }

    @Test("the snapshot of the last change is read back with the request, open or not", arguments: Backend.allCases)
    func snapshotRoundTrip(backend: Backend) throws {
        try withLedger(backend) { ledger in
            let submitted = Changes.submitted("T-0000000000001", requestID: "r-1", at: 0, sla: SLAState(Self.snapshot))
            try ledger.apply([submitted])
            #expect(try ledger.openRequests().first?.sla == Self.snapshot)

            var later = Self.snapshot
            later.clocks[1].passed = 2
            let warned = Changes.request(
                .requestOffered, "T-0000000000001", at: 5, state: .offered, attempt: 1, worker: "w1", sla: SLAState(later))
            // A change without a snapshot leaves the stored one as it was.
            let plain = Changes.request(.requestAccepted, "T-0000000000001", at: 6, state: .accepted, attempt: 1, worker: "w1")
            try ledger.apply([warned, plain])
            #expect(try ledger.request(ticket: "T-0000000000001")?.sla == later)
        }
    }
}

@Suite("SLA report")
struct LedgerSLAReportTests {
    /// An answered request whose answer clock used `usedMs` of a 1 s target.
    static func answered(_ index: Int64, department: String = "claims", usedMs: Int64) -> [Change] {
        let sla = SLAState(SLASnapshot(
            targets: ["answer": 1000], warnings: [0.5], calendar: nil, escalation: "notify", escalationDepartment: nil,
            clocks: [.init(target: .answer, budgetMs: 1000, usedMs: usedMs, runningSince: nil, passed: usedMs > 1000 ? 2 : 0,
                           outcome: usedMs > 1000 ? "breached" : "met", stopped: true)]))
        let submitted = Changes.submitted(ticket(index), requestID: "r-\(index)", at: index, department: department, sla: sla)
        let answer = Changes.request(
            .requestAnswered, ticket(index), at: index + 1, state: .answered, attempt: 1, department: department,
            worker: "w1", sla: sla)
        return [submitted, answer]
    }

    @Test("share met, breaches and the median and 90th percentile time to answer, per department and priority")
    func report() throws {
        try withLedger(.memory) { ledger in
            let times: [Int64] = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1500]
            for (index, used) in times.enumerated() {
                try ledger.apply(Self.answered(Int64(index * 10), usedMs: used))
            }
            try ledger.apply(Self.answered(1000, department: "billing", usedMs: 50))
            let breach = Changes.request(.requestSLABreached, ticket(90), at: 95, state: .accepted, attempt: 1, worker: "w1")
            try ledger.apply([breach])

            let rows = try ledger.slaReport(since: at(0))
            #expect(rows.map(\.department) == ["billing", "claims"])
            let claims = try #require(rows.last)
            #expect(claims.finished == 10)
            #expect(claims.answered == 10)
            #expect(claims.met == 9)
            #expect(claims.breached == 1)
            #expect(claims.metShare == 0.9)
            #expect(claims.medianAnswerMs == 500)
            #expect(claims.p90AnswerMs == 900)
            #expect(claims.breachEvents == 1)
            // The period and the department filter.
            #expect(try ledger.slaReport(since: at(51)).first { $0.department == "claims" }?.finished == 5)
            #expect(try ledger.slaReport(since: at(0), department: "billing").map(\.department) == ["billing"])
        }
    }
}
