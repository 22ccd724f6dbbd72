import Foundation
import GRDB
import SwitchboardCore
import SwitchboardSchema
import Testing
@testable import SwitchboardStore

@Suite("Ledger.apply")
struct LedgerApplyTests {
    @Test("migrations create the tables and indexes", arguments: Backend.allCases)
    func migrationsCreateTables(backend: Backend) throws {
        try withLedger(backend) { ledger in
            let names = try rawRows(
                ledger, sqlite: "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
                postgres: """
                    SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'
                    UNION SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public'
                    """
            ).compactMap(\.first).compactMap { $0 }
            for name in ["request", "request_event", "worker_event", "request_finished", "request_state",
                         "request_event_ticket", "request_event_type", "request_agent", "notification",
                         "webhook_delivery", "ledger_meta", "audit", "notification_agent", "webhook_delivery_pending"] {
                #expect(names.contains(name), "missing \(name) in \(names)")
            }
            // v5 dropped the index of open requests: request_state finds them.
            #expect(!names.contains("request_open"))
            guard let sqlite = ledger as? Ledger else {
                let versions = try rawRows(ledger, sqlite: "", postgres: "SELECT version::text FROM switchboard_schema ORDER BY version")
                #expect(versions == [["1"]])
                return
            }
            #expect(names.contains("grdb_migrations"))
            let applied = try sqlite.writer.read { db in try LedgerSchema.migrator.appliedMigrations(db) }
            #expect(applied == [
                "v1: requests and events", "v2: service levels", "v3: operations", "v4: audit trail", "v5: compact history",
                "v6: agents over HTTP",
            ])
        }
    }

    @Test("a full lifecycle gives the right rows and an ordered history", arguments: Backend.allCases)
    func fullLifecycle(backend: Backend) throws {
        let t1 = ticket(0), t2 = ticket(1), t3 = ticket(2)
        try withLedger(backend) { ledger in
            try ledger.apply([
                Changes.worker(.workerJoined, "w1", at: 0, departments: ["billing", "claims"], credit: 2),
                Changes.submitted(t1, requestID: "r-1", at: 0, priority: .high, body: "member 123: claim status?"),
            ])
            // One change per group and several per group must come to the same thing.
            try ledger.apply([
                Changes.request(.requestOffered, t1, at: 10, state: .offered, attempt: 1, priority: .high, worker: "w1")
            ])
            try ledger.apply([
                Changes.request(
                    .requestAccepted, t1, at: 20, state: .accepted, attempt: 1, priority: .high, worker: "w1"),
                Changes.request(
                    .requestUpdated, t1, at: 30, state: .accepted, attempt: 1, priority: .high, worker: "w1",
                    body: "looking into it"),
                Changes.request(.requestTransferred, t1, at: 40, state: .queued, attempt: 0, department: "eligibility",
                    priority: .high, worker: "w1", reason: "needs eligibility", fromDepartment: "claims"),
                Changes.request(.requestOffered, t1, at: 50, state: .offered, attempt: 1, department: "eligibility",
                    priority: .high, worker: "w2"),
                Changes.worker(
                    .workerLost, "w2", at: 60, departments: ["eligibility"], credit: 1, reason: "missed heartbeats"),
                Changes.request(.requestRequeued, t1, at: 60, state: .queued, attempt: 1, department: "eligibility",
                    priority: .high, reason: "w2: missed heartbeats"),
                Changes.request(.requestOffered, t1, at: 70, state: .offered, attempt: 2, department: "eligibility",
                    priority: .high, worker: "w3"),
                Changes.request(.requestAnswered, t1, at: 80, state: .answered, attempt: 2, department: "eligibility",
                    priority: .high, worker: "w3", body: "claim paid on May 2"),
            ])
            try ledger.apply([
                Changes.request(.requestDuplicateAnswer, t1, at: 90, state: .answered, attempt: 2,
                    department: "eligibility", priority: .high, worker: "w2", reason: "request already answered",
                    body: "late answer"),
                Changes.submitted(t2, requestID: "r-2", at: 1),
                Changes.request(
                    .requestCancelled, t2, at: 100, state: .cancelled, attempt: 0, reason: "cancelled by the agent"),
                Changes.submitted(t3, requestID: "r-3", at: 2),
                Changes.request(.requestOffered, t3, at: 110, state: .offered, attempt: 1, worker: "w1"),
                Changes.request(.requestDeadLettered, t3, at: 120, state: .deadLettered, attempt: 1, worker: "w1",
                    reason: "rejected by claims: not a claim", failure: "rejected"),
            ])

            let answered = try #require(try ledger.request(ticket: t1))
            #expect(answered == StoredRequest(
                ticket: t1, requestID: "r-1", department: "eligibility", priority: .high, state: .answered,
                attempts: 2, submitter: "a1b2", body: bytes("member 123: claim status?"), worker: "w3", reason: nil,
                failure: nil, updates: 1, submittedAt: at(0), updatedAt: at(80), deadline: at(3_600_000),
                answeredAt: at(80), answer: bytes("claim paid on May 2"), finishedAt: at(80), agent: "a1b2"))

            let cancelled = try #require(try ledger.request(ticket: t2))
            #expect(cancelled.state == .cancelled)
            #expect(cancelled.reason == "cancelled by the agent")
            #expect(cancelled.finishedAt == at(100))
            #expect(cancelled.answer == nil && cancelled.answeredAt == nil)

            let deadLettered = try #require(try ledger.request(ticket: t3))
            #expect(deadLettered.state == .deadLettered)
            #expect(deadLettered.failure == "rejected")
            #expect(deadLettered.reason == "rejected by claims: not a claim")
            #expect(deadLettered.finishedAt == at(120))
            #expect(deadLettered.attempts == 1)

            let history = try ledger.history(ticket: t1)
            #expect(history.map(\.type) == [
                .requestSubmitted, .requestOffered, .requestAccepted, .requestUpdated, .requestTransferred,
                .requestOffered, .requestRequeued, .requestOffered, .requestAnswered, .requestDuplicateAnswer,
            ])
            #expect(history.map(\.at) == [0, 10, 20, 30, 40, 50, 60, 70, 80, 90].map(at))
            #expect(zip(history, history.dropFirst()).allSatisfy { $0.id < $1.id })
            let transfer = history[4]
            #expect(transfer.department == "eligibility")
            #expect(transfer.fromDepartment == "claims")
            #expect(transfer.state == .queued)
            #expect(transfer.attempt == 0)
            #expect(transfer.reason == "needs eligibility")
            #expect(history[6].reason == "w2: missed heartbeats")
            #expect(history[6].worker == nil)
            #expect(history[9].worker == "w2")
            #expect(history[9].state == .answered)
            #expect(try ledger.history(ticket: t2).map(\.type) == [.requestSubmitted, .requestCancelled])
            let deadLetterHistory = try ledger.history(ticket: t3).map(\.type)
            #expect(deadLetterHistory == [.requestSubmitted, .requestOffered, .requestDeadLettered])

            // Bodies of updates and duplicate answers are kept in the history, and only those.
            let bodies = try rawRows(
                ledger, sqlite: "SELECT type, body FROM request_event WHERE body IS NOT NULL ORDER BY id",
                postgres: "SELECT type, convert_from(body, 'UTF8') FROM request_event WHERE body IS NOT NULL ORDER BY id"
            ).map { "\($0[0] ?? "")=\($0[1] ?? "")" }
            #expect(bodies == ["request.updated=looking into it", "request.duplicate_answer=late answer"])

            let workers = try rawRows(
                ledger, sqlite: "SELECT type, departments, credit, reason, at FROM worker_event ORDER BY id",
                postgres: "SELECT type, departments, credit::text, reason, at::text FROM worker_event ORDER BY id")
            #expect(workers.map { $0[0] } == ["worker.joined", "worker.lost"])
            #expect(workers[0][1] == "billing,claims")
            #expect(workers[0][2] == "2")
            #expect(workers[1][3] == "missed heartbeats")
            #expect(workers[1][4] == String(base + 60))
        }
    }

    @Test("a duplicate answer never touches the request row", arguments: Backend.allCases)
    func duplicateAnswerLeavesRow(backend: Backend) throws {
        let t1 = ticket(0)
        try withLedger(backend) { ledger in
            try ledger.apply(Changes.answered(t1, requestID: "r-1", at: 0))
            let before = try ledger.request(ticket: t1)
            try ledger.apply([
                Changes.request(.requestDuplicateAnswer, t1, at: 500, state: .answered, attempt: 7,
                    department: "billing", priority: .urgent, worker: "w9", reason: "request already answered",
                    body: "second answer"),
            ])
            #expect(try ledger.request(ticket: t1) == before)
            #expect(try ledger.history(ticket: t1).last?.type == .requestDuplicateAnswer)
        }
    }

    @Test("a submission whose request id exists is ignored without failing its group", arguments: Backend.allCases)
    func duplicateRequestID(backend: Backend) throws {
        let t1 = ticket(0), t2 = ticket(1), t3 = ticket(2)
        try withLedger(backend) { ledger in
            try ledger.apply([Changes.submitted(t1, requestID: "r-1", at: 0, body: "first")])
            try ledger.apply([
                Changes.submitted(t2, requestID: "r-1", at: 1, body: "second"),
                Changes.request(.requestOffered, t2, at: 2, state: .offered, attempt: 1, worker: "w1"),
                Changes.submitted(t3, requestID: "r-3", at: 3),
            ])
            #expect(try ledger.request(ticket: t1)?.body == bytes("first"))
            #expect(try ledger.request(ticket: t2) == nil)
            #expect(try ledger.history(ticket: t2).isEmpty)
            #expect(try ledger.request(ticket: t3) != nil)
            #expect(try ledger.history(ticket: t1).map(\.type) == [.requestSubmitted])
        }
    }

    @Test("changes of a ticket the ledger does not hold are skipped", arguments: Backend.allCases)
    func unknownTicket(backend: Backend) throws {
        try withLedger(backend) { ledger in
            try ledger.apply([
                Changes.request(.requestOffered, "T-0NKNQWN000000", at: 0, state: .offered, attempt: 1),
                Changes.request(.requestDuplicateAnswer, "T-0NKNQWN000000", at: 1, state: .answered, attempt: 1,
                    body: "late"),
            ])
            let events = try rawRows(
                ledger, sqlite: "SELECT COUNT(*) FROM request_event", postgres: "SELECT COUNT(*)::text FROM request_event"
            ).first?.first.flatMap { $0 }.flatMap { Int($0) }
            #expect(events == 0)
        }
    }

    @Test("a database error while writing a group fails the whole group", arguments: Backend.allCases)
    func failedGroupRollsBack(backend: Backend) throws {
        let t1 = ticket(0), t2 = ticket(1)
        try withLedger(backend) { ledger in
            try ledger.apply([Changes.submitted(t1, requestID: "r-1", at: 0)])
            // The database refuses one of the group's history rows: nothing of the group may remain.
            try rawExecute(
                ledger,
                sqlite: """
                    CREATE TRIGGER refuse_cancel BEFORE INSERT ON request_event WHEN NEW.type = 'request.cancelled'
                    BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
                    """,
                postgres: """
                    CREATE FUNCTION refuse_cancel() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN IF NEW.type = 'request.cancelled' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$;
                    CREATE TRIGGER refuse_cancel BEFORE INSERT ON request_event FOR EACH ROW EXECUTE FUNCTION refuse_cancel()
                    """)
            #expect(throws: LedgerError.self) {
                try ledger.apply([
                    Changes.request(.requestOffered, t1, at: 1, state: .offered, attempt: 1, worker: "w1"),
                    Changes.submitted(t2, requestID: "r-2", at: 2),
                    Changes.request(.requestCancelled, t2, at: 3, state: .cancelled, attempt: 0, reason: "cancelled"),
                ])
            }
            #expect(try ledger.request(ticket: t2) == nil)
            #expect(try ledger.request(ticket: t1)?.state == .queued)
            #expect(try ledger.history(ticket: t1).map(\.type) == [.requestSubmitted])
        }
    }

    @Test("a group of thousands of requests is one transaction that reads back whole", arguments: Backend.allCases)
    func largeGroup(backend: Backend) throws {
        try withLedger(backend) { ledger in
            var changes: [Change] = []
            for index in 0..<3000 {
                let t = ticket(Int64(index))
                changes += Changes.answered(t, requestID: "big-\(index)", at: Int64(index), via: index % 2 == 0 ? "crm" : nil)
                if index % 3 == 0 {
                    changes.append(Changes.request(.requestDuplicateAnswer, t, at: Int64(index) + 20, state: .answered, attempt: 1,
                        worker: "w2", reason: "late", body: "again"))
                }
            }
            try ledger.apply(changes)
            #expect(try ledger.countsByState()[.answered] == 3000)
            let sample = try #require(try ledger.request(ticket: ticket(2997)))
            #expect(sample.requestID == "big-2997" && sample.answer == bytes("answer to big-2997") && sample.via == nil)
            #expect(try ledger.request(ticket: ticket(2998))?.via == "crm")
            #expect(try ledger.history(ticket: ticket(2997)).map(\.type)
                == [.requestSubmitted, .requestOffered, .requestAnswered, .requestDuplicateAnswer])
            #expect(try ledger.history(ticket: ticket(2998)).map(\.type) == [.requestSubmitted, .requestOffered, .requestAnswered])
        }
    }
}
