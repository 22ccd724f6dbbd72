import Foundation
import GRDB
import SwitchboardCore
import SwitchboardSchema

/// Writes changes inside one transaction with the connection's cached prepared statements: the hot path of
/// the ledger (no JSON, no reflection). One per group; it lives only inside ``Ledger/apply(_:)``.
struct ChangeWriter {
    let path: String
    private let insertRequest: Statement
    private let updateRequest: Statement
    private let insertEvent: Statement
    private let insertWorkerEvent: Statement

    init(_ db: Database, path: String) throws {
        self.path = path
        insertRequest = try db.cachedStatement(sql: ChangeWriter.insertRequestSQL)
        updateRequest = try db.cachedStatement(sql: ChangeWriter.updateRequestSQL)
        insertEvent = try db.cachedStatement(sql: ChangeWriter.insertEventSQL)
        insertWorkerEvent = try db.cachedStatement(sql: ChangeWriter.insertWorkerEventSQL)
    }

    func apply(_ change: Change) throws {
        switch change.type {
        case .requestSubmitted:
            try submit(change)
            try recordEvent(change, body: nil)
        case .requestDuplicateAnswer:
            // A late answer after the request is final: kept in the history, never in the request row.
            try recordEvent(change, body: change.body)
        case .requestUpdated, .requestWaitingOnAgent, .requestInfoReceived:
            // The update, the worker's question or the agent's reply is kept in the history.
            try update(change)
            try recordEvent(change, body: change.body)
        case .requestSLAWarning, .requestSLABreached:
            // Recorded with the request, in its history; the request row itself does not change.
            try recordEvent(change, body: nil)
        case .requestOffered, .requestAccepted, .requestTransferred, .requestRequeued, .requestAnswered,
            .requestCancelled, .requestDeadLettered, .requestEscalated:
            try update(change)
            try recordEvent(change, body: nil)
        case .workerJoined, .workerLeft, .workerLost, .workerDraining:
            try insertWorkerEvent.execute(arguments: [
                change.type.rawValue, change.at.rawValue, change.worker ?? "",
                (change.departments ?? []).joined(separator: ","), change.credit, change.reason,
            ])
        }
    }

    /// A new request. A request id (or ticket) already in the ledger leaves the ledger as it was: the broker
    /// guarantees uniqueness, and one bad change must not lose the rest of its group.
    private func submit(_ change: Change) throws {
        guard let requestID = change.requestID else { throw incomplete(change, "request id") }
        guard let department = change.department else { throw incomplete(change, "department") }
        guard let priority = change.priority else { throw incomplete(change, "priority") }
        guard let deadline = change.deadline else { throw incomplete(change, "deadline") }
        try insertRequest.execute(arguments: [
            try ticket(of: change), requestID, department, priority.rawValue,
            (change.state ?? .queued).rawValue, change.attempt ?? 0, change.submitter ?? "",
            Data(change.body ?? []), change.worker, change.reason, change.failure,
            change.at.rawValue, change.at.rawValue, deadline.rawValue, ChangeWriter.json(change.sla?.snapshot),
        ])
    }

    /// Every other change of a request, with one statement; a ticket the ledger does not know is left alone.
    private func update(_ change: Change) throws {
        let final: Int? = change.state.map { $0.isFinal ? 1 : 0 }
        let answered = change.type == .requestAnswered
        try updateRequest.execute(arguments: [
            change.department, change.priority?.rawValue, change.state?.rawValue, change.attempt,
            change.worker, change.reason, change.failure, change.at.rawValue, final,
            change.type == .requestUpdated ? 1 : 0, answered ? 1 : 0, answered ? Data(change.body ?? []) : nil,
            try ticket(of: change), ChangeWriter.json(change.sla?.snapshot), change.deadline?.rawValue,
        ])
    }

    /// The history entry; only for a ticket in the ledger (an unknown or pruned ticket gets none).
    private func recordEvent(_ change: Change, body: [UInt8]?) throws {
        try insertEvent.execute(arguments: [
            change.type.rawValue, change.at.rawValue, change.department, change.fromDepartment,
            change.state?.rawValue, change.attempt, change.worker, change.reason, body.map { Data($0) },
            change.slaTarget?.rawValue, try ticket(of: change),
        ])
    }

    private func ticket(of change: Change) throws -> String {
        guard let ticket = change.ticket else { throw incomplete(change, "ticket") }
        return ticket
    }

    private func incomplete(_ change: Change, _ field: String) -> LedgerError {
        LedgerError.incompleteChange(path, change.type, missing: field)
    }
}

extension ChangeWriter {
    /// The SLA snapshot as the JSON text the `sla` column holds.
    static func json(_ snapshot: SLASnapshot?) -> String? {
        snapshot?.jsonText
    }

    static let insertRequestSQL = """
        INSERT INTO request (ticket, request_id, department, priority, state, attempts, submitter, body,
            worker, reason, failure, updates, submitted_at, updated_at, deadline, sla)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)
        ON CONFLICT DO NOTHING
        """

    /// ?9 is 1 when the new state is final, 0 when it is not, NULL when the change carries no state.
    static let updateRequestSQL = """
        UPDATE request SET
            department = COALESCE(?1, department),
            priority = COALESCE(?2, priority),
            state = COALESCE(?3, state),
            attempts = COALESCE(?4, attempts),
            worker = ?5,
            reason = ?6,
            failure = ?7,
            updated_at = ?8,
            finished_at = CASE ?9 WHEN 1 THEN ?8 WHEN 0 THEN NULL ELSE finished_at END,
            updates = updates + ?10,
            answer = CASE WHEN ?11 THEN ?12 ELSE answer END,
            answered_at = CASE WHEN ?11 THEN ?8 ELSE answered_at END,
            sla = COALESCE(?14, sla),
            deadline = COALESCE(?15, deadline)
        WHERE ticket = ?13
        """

    static let insertEventSQL = """
        INSERT INTO request_event (ticket, type, at, department, from_department, state, attempt, worker, reason, body,
            target)
        SELECT ticket, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM request WHERE ticket = ?
        """

    static let insertWorkerEventSQL = """
        INSERT INTO worker_event (type, at, worker, departments, credit, reason) VALUES (?, ?, ?, ?, ?, ?)
        """
}
