import Testing
import Foundation
import GRDB
import SwitchboardCore
import SwitchboardSchema
import Logging
import SwitchboardPostgres
@testable import SwitchboardStore

/// A base time for tests: 2026-05-28, in milliseconds.
let base: Int64 = 1_780_000_000_000

func at(_ offset: Int64) -> Timestamp { Timestamp(milliseconds: base + offset) }

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The ticket Core would issue at `base + offset` (tickets sort by submission time).
func ticket(_ offset: Int64) -> String {
    var issuer = TicketIssuer()
    return issuer.next(at: at(offset)).text
}

/// Changes shaped like the ones BrokerCore emits.
enum Changes {
    static func facts(
        _ ticket: String, requestID: String = "", at offset: Int64, state: RequestState, attempt: Int,
        department: String = "claims", priority: Priority = .normal, worker: String? = nil, sla: SLAState? = nil,
        owner: String? = nil, via: String? = nil
    ) -> Change.RequestFacts {
        Change.RequestFacts(
            ticket: Ticket(ticket)!, requestID: requestID, department: department, priority: priority, state: state,
            attempt: attempt, worker: worker, at: at(offset), sla: sla, owner: owner, via: via)
    }

    static func submitted(
        _ ticket: String, requestID: String, at offset: Int64, department: String = "claims",
        priority: Priority = .normal, body: String = "question", submitter: String = "a1b2", sla: SLAState? = nil,
        owner: String? = nil, via: String? = nil
    ) -> Change {
        .submitted(Change.Submission(
            facts: facts(
                ticket, requestID: requestID, at: offset, state: .queued, attempt: 0, department: department,
                priority: priority, sla: sla, owner: owner, via: via),
            body: bytes(body), submitter: .principal(submitter), deadline: at(offset + 3_600_000)))
    }

    static func request(
        _ type: EventType, _ ticket: String, at offset: Int64, state: RequestState, attempt: Int,
        department: String = "claims", priority: Priority = .normal, worker: String? = nil, reason: String? = nil,
        failure: String? = nil, fromDepartment: String? = nil, body: String? = nil, sla: SLAState? = nil,
        target: SLATarget = .answer, fromEarlierHolder: Bool = false, deadline: Timestamp? = nil,
        owner: String? = nil, via: String? = nil
    ) -> Change {
        let facts = facts(
            ticket, at: offset, state: state, attempt: attempt, department: department, priority: priority,
            worker: worker, sla: sla, owner: owner, via: via)
        let response = Change.Response(first: false, submittedAt: facts.at)
        let body = body.map(bytes) ?? []
        switch type {
        case .requestOffered: return .offered(facts)
        case .requestAccepted: return .accepted(facts, response)
        case .requestAnswered:
            return .answered(Change.Answered(facts: facts, body: body, submittedAt: at(0), fromEarlierHolder: fromEarlierHolder))
        case .requestUpdated: return .updated(facts, response, body: body)
        case .requestWaitingOnAgent: return .waitingOnAgent(facts, response, question: body)
        case .requestInfoReceived: return .infoReceived(facts, info: body)
        case .requestTransferred: return .transferred(facts, from: fromDepartment ?? "", reason: reason ?? "")
        case .requestEscalated: return .escalated(facts, from: fromDepartment, reason: reason ?? "")
        case .requestRequeued: return .requeued(facts, reason: reason ?? "", deadline: deadline)
        case .requestCancelled: return .cancelled(facts, reason: reason ?? "")
        case .requestDeadLettered:
            return .deadLettered(facts, reason: reason ?? "", failure: Change.Failure(rawValue: failure ?? "max_attempts")!)
        case .requestDuplicateAnswer: return .duplicateAnswer(facts, reason: reason ?? "", body: body)
        case .requestSLAWarning:
            return .slaWarning(facts, Change.SLANotice(target: target, threshold: 50, dueAt: nil, reason: reason ?? "warning"))
        case .requestSLABreached:
            return .slaBreached(facts, Change.SLANotice(target: target, threshold: nil, dueAt: nil, reason: reason ?? "breached"))
        case .requestSubmitted, .workerJoined, .workerLeft, .workerLost, .workerDraining:
            fatalError("use submitted(...) or worker(...) for \(type)")
        }
    }

    static func worker(
        _ type: EventType, _ name: String, at offset: Int64, departments: [String], credit: Int, reason: String? = nil
    ) -> Change {
        let facts = Change.WorkerFacts(name: name, departments: departments, credit: credit, reason: reason, at: at(offset))
        switch type {
        case .workerJoined: return .workerJoined(facts)
        case .workerLeft: return .workerLeft(facts)
        case .workerLost: return .workerLost(facts)
        case .workerDraining: return .workerDraining(facts)
        default: fatalError("not a worker change: \(type)")
        }
    }

    /// A request submitted at `offset` and answered `after` milliseconds later.
    static func answered(
        _ ticket: String, requestID: String, at offset: Int64, after: Int64 = 10, department: String = "claims",
        owner: String? = nil, via: String? = nil
    ) -> [Change] {
        [
            submitted(ticket, requestID: requestID, at: offset, department: department, owner: owner, via: via),
            request(.requestOffered, ticket, at: offset + 1, state: .offered, attempt: 1, department: department, worker: "w1",
                owner: owner, via: via),
            request(.requestAnswered, ticket, at: offset + after, state: .answered, attempt: 1, department: department,
                worker: "w1", body: "answer to \(requestID)", owner: owner, via: via),
        ]
    }
}

/// A fresh directory under the system's temporary directory, removed after `body`.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("switchboard-store-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// Where a test's ledger lives: all must behave the same.
enum Backend: String, CaseIterable, CustomTestStringConvertible {
    case memory, file, postgres
    var testDescription: String { rawValue }
}

/// Runs `body` on a fresh ledger of the given kind, closed and removed afterwards.
func withLedger<T>(_ backend: Backend, _ body: (any LedgerStore) throws -> T) throws -> T {
    switch backend {
    case .memory:
        return try body(try Ledger(inMemoryForTesting: ()))
    case .postgres:
        // A fresh database on the test process's one private PostgreSQL server.
        let server = try TestPostgres.server.get()
        let name = "ledger_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
        let url = try server.createDatabase(name)
        let ledger = try PostgresLedger(location: try PostgresLocation(url: url), logger: Logger(label: "test-ledger"))
        defer { try? ledger.close() }
        return try body(ledger)
    case .file:
        return try withTemporaryDirectory { directory in
            let ledger = try Ledger(directory: directory + "/data", durability: .os)
            defer { try? ledger.close() }
            return try body(ledger)
        }
    }
}

/// The test process's private PostgreSQL (see ScratchPostgres), started at its first use and stopped when the
/// process exits.
enum TestPostgres {
    static let server: Result<ScratchPostgres, any Error> = Result {
        let server = try ScratchPostgres()
        atexit { try? TestPostgres.server.get().stop() }
        return server
    }
}

/// Rows of an SQL query on whichever backend `ledger` is, every value as text (blobs as UTF-8): `sqlite` runs on
/// a SQLite ledger, `postgres` (default: the same text) on PostgreSQL, whose columns the query casts to text.
func rawRows(_ ledger: any LedgerStore, sqlite: String, postgres: String? = nil) throws -> [[String?]] {
    if let postgresLedger = ledger as? PostgresLedger { return try postgresLedger.rawRows(postgres ?? sqlite) }
    let sqliteLedger = ledger as! Ledger
    return try sqliteLedger.writer.read { db in
        try Row.fetchAll(db, sql: sqlite).map { row in
            row.databaseValues.map { value -> String? in
                switch value.storage {
                case .null: nil
                case .int64(let number): String(number)
                case .double(let number): String(number)
                case .string(let text): text
                case .blob(let data): String(decoding: data, as: UTF8.self)
                }
            }
        }
    }
}

/// Statements on whichever backend `ledger` is.
func rawExecute(_ ledger: any LedgerStore, sqlite: String, postgres: String) throws {
    if let postgresLedger = ledger as? PostgresLedger { return try postgresLedger.rawExecute(postgres) }
    try (ledger as! Ledger).writer.write { db in try db.execute(sql: sqlite) }
}
