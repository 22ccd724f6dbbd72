import Testing
import Foundation
import SwitchboardCore
import SwitchboardSchema
@testable import SwitchboardStore

/// A base time for tests: 2026-05-28, in milliseconds.
let base: Int64 = 1_780_000_000_000

func at(_ offset: Int64) -> Timestamp { Timestamp(milliseconds: base + offset) }

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The ticket Core would issue at `base + offset` (tickets sort by submission time).
func ticket(_ offset: Int64) -> String {
    var issuer = TicketIssuer()
    return issuer.next(at: at(offset))
}

/// Changes shaped like the ones BrokerCore emits.
enum Changes {
    static func submitted(
        _ ticket: String, requestID: String, at offset: Int64, department: String = "claims",
        priority: Priority = .normal, body: String = "question", submitter: String = "a1b2"
    ) -> Change {
        var change = Change(type: .requestSubmitted, at: at(offset))
        change.ticket = ticket
        change.requestID = requestID
        change.department = department
        change.priority = priority
        change.state = .queued
        change.attempt = 0
        change.deadline = at(offset + 3_600_000)
        change.submitter = submitter
        change.body = bytes(body)
        return change
    }

    static func request(
        _ type: EventType, _ ticket: String, at offset: Int64, state: RequestState, attempt: Int,
        department: String = "claims", priority: Priority = .normal, worker: String? = nil, reason: String? = nil,
        failure: String? = nil, fromDepartment: String? = nil, body: String? = nil
    ) -> Change {
        var change = Change(type: type, at: at(offset))
        change.ticket = ticket
        change.department = department
        change.priority = priority
        change.state = state
        change.attempt = attempt
        change.worker = worker
        change.reason = reason
        change.failure = failure
        change.fromDepartment = fromDepartment
        change.body = body.map(bytes)
        return change
    }

    static func worker(
        _ type: EventType, _ name: String, at offset: Int64, departments: [String], credit: Int, reason: String? = nil
    ) -> Change {
        var change = Change(type: type, at: at(offset))
        change.worker = name
        change.departments = departments
        change.credit = credit
        change.reason = reason
        return change
    }

    /// A request submitted at `offset` and answered `after` milliseconds later.
    static func answered(_ ticket: String, requestID: String, at offset: Int64, after: Int64 = 10) -> [Change] {
        [
            submitted(ticket, requestID: requestID, at: offset),
            request(.requestOffered, ticket, at: offset + 1, state: .offered, attempt: 1, worker: "w1"),
            request(.requestAnswered, ticket, at: offset + after, state: .answered, attempt: 1, worker: "w1",
                body: "answer to \(requestID)"),
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

/// Where a test's ledger lives: both must behave the same.
enum Backend: String, CaseIterable, CustomTestStringConvertible {
    case memory, file
    var testDescription: String { rawValue }
}

/// Runs `body` on a fresh ledger of the given kind, closed and removed afterwards.
func withLedger<T>(_ backend: Backend, _ body: (Ledger) throws -> T) throws -> T {
    switch backend {
    case .memory:
        return try body(try Ledger(inMemoryForTesting: ()))
    case .file:
        return try withTemporaryDirectory { directory in
            let ledger = try Ledger(directory: directory + "/data", durability: .os)
            defer { try? ledger.close() }
            return try body(ledger)
        }
    }
}
