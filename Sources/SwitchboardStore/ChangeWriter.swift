import GRDB
import SwitchboardCore
import SwitchboardSchema

/// Writes a group's changes inside one transaction: one row write per request (see ``RequestWrite``), history
/// rows only for what is not routine, parameters bound straight to SQLite. The hot path of the ledger.
struct ChangeWriter {
    private let db: Database
    private let insertRequest: RawStatement
    private let updateRequest: RawStatement
    private let insertEvent: RawStatement
    private let storedTrail: RawStatement
    private let insertWorkerEvent: RawStatement
    /// The SLA snapshot's JSON, written into one buffer reused for every row.
    private var json: [UInt8] = []

    init(_ db: Database) throws {
        self.db = db
        insertRequest = try RawStatement(db, Self.insertRequestSQL)
        updateRequest = try RawStatement(db, Self.updateRequestSQL)
        insertEvent = try RawStatement(db, Self.insertEventSQL)
        storedTrail = try RawStatement(db, Self.storedTrailSQL)
        insertWorkerEvent = try RawStatement(db, Self.insertWorkerEventSQL)
        json.reserveCapacity(512)
    }

    mutating func write(_ changes: [Change]) throws {
        let (requests, workers, types) = RequestWrite.fold(changes)
        for request in requests { try write(request) }
        for (facts, type) in zip(workers, types) {
            let statement = insertWorkerEvent
            statement.bind(1, type.rawValue)
            statement.bind(2, facts.at)
            statement.bind(3, facts.name)
            statement.bind(4, facts.departments.joined(separator: ","))
            statement.bind(5, facts.credit)
            statement.bind(6, facts.reason)
            try statement.execute(db)
        }
    }

    private mutating func write(_ request: RequestWrite) throws {
        if let submission = request.submission {
            try insert(submission, request)
        } else {
            if request.materializesStoredTrail {
                // The routine events the row still holds come first in the history.
                storedTrail.bind(1, ticket: request.ticket)
                try storedTrail.execute(db)
            }
            if !request.patch.isEmpty || request.materializesStoredTrail { try update(request) }
        }
        for row in request.history { try insert(row, ticket: request.ticket) }
    }

    /// A new request. A request id (or ticket) already in the ledger leaves the ledger as it was: the broker
    /// guarantees uniqueness, and one bad change must not lose the rest of its group.
    private mutating func insert(_ submission: Change.Submission, _ request: RequestWrite) throws {
        let facts = submission.facts, patch = request.patch
        let updatedAt = patch.updatedAt ?? facts.at
        let statement = insertRequest
        statement.bind(1, ticket: facts.ticket)
        statement.bind(2, facts.requestID)
        statement.bind(3, patch.department ?? facts.department)
        statement.bind(4, (patch.priority ?? facts.priority).rawValue)
        statement.bind(5, (patch.state ?? facts.state).rawValue)
        statement.bind(6, patch.attempts ?? facts.attempt)
        statement.bind(7, submission.submitter.text)
        statement.bind(8, blob: submission.body)
        statement.bind(9, patch.worker ?? facts.worker)
        statement.bind(10, patch.reason ?? nil)
        statement.bind(11, patch.failure ?? nil)
        statement.bind(12, patch.updates)
        statement.bind(13, facts.at)
        statement.bind(14, updatedAt)
        statement.bind(15, patch.deadline ?? submission.deadline)
        statement.bind(16, utf8: snapshotJSON(patch.sla ?? facts.sla))
        statement.bind(17, patch.answeredAt)
        statement.bind(18, blob: patch.answer)
        statement.bind(19, patch.finished == true ? updatedAt : nil)
        statement.bind(20, patch.offeredAt)
        statement.bind(21, patch.acceptedAt)
        statement.bind(22, Int(request.trail.rawValue))
        try statement.execute(db)
    }

    /// Every later write of a request, with one statement; a ticket the ledger does not hold is left alone.
    private mutating func update(_ request: RequestWrite) throws {
        let patch = request.patch
        let statement = updateRequest
        statement.bind(1, patch.department)
        statement.bind(2, patch.priority?.rawValue)
        statement.bind(3, patch.state?.rawValue)
        statement.bind(4, patch.attempts)
        statement.bind(5, patch.worker != nil)
        statement.bind(6, patch.worker ?? nil)
        statement.bind(7, patch.reason != nil)
        statement.bind(8, patch.reason ?? nil)
        statement.bind(9, patch.failure != nil)
        statement.bind(10, patch.failure ?? nil)
        statement.bind(11, patch.updatedAt)
        statement.bind(12, patch.finished.map { $0 ? 1 : 0 })
        statement.bind(13, patch.updates)
        statement.bind(14, blob: patch.answer)
        statement.bind(15, patch.answeredAt)
        statement.bind(16, utf8: snapshotJSON(patch.sla))
        statement.bind(17, patch.deadline)
        statement.bind(18, patch.offeredAt)
        statement.bind(19, patch.acceptedAt)
        statement.bind(20, request.keepsStoredTrail)
        statement.bind(21, Int(request.trail.rawValue))
        statement.bind(22, ticket: request.ticket)
        try statement.execute(db)
    }

    /// A history entry; only for a ticket in the ledger (an unknown or pruned ticket gets none).
    private func insert(_ row: HistoryRow, ticket: Ticket) throws {
        let statement = insertEvent
        statement.bind(1, row.type.rawValue)
        statement.bind(2, row.at)
        statement.bind(3, row.department)
        statement.bind(4, row.fromDepartment)
        statement.bind(5, row.state?.rawValue)
        statement.bind(6, row.attempt)
        statement.bind(7, row.worker)
        statement.bind(8, row.reason)
        statement.bind(9, blob: row.body)
        statement.bind(10, row.target?.rawValue)
        statement.bind(11, ticket: ticket)
        try statement.execute(db)
    }

    private mutating func snapshotJSON(_ sla: SLAState?) -> [UInt8]? {
        guard let sla else { return nil }
        json.removeAll(keepingCapacity: true)
        sla.writeJSON(into: &json)
        return json
    }
}

extension ChangeWriter {
    static let insertRequestSQL = """
        INSERT INTO request (ticket, request_id, department, priority, state, attempts, submitter, body,
            worker, reason, failure, updates, submitted_at, updated_at, deadline, sla, answered_at, answer, finished_at,
            offered_at, accepted_at, trail)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT DO NOTHING
        """

    /// A NULL leaves a column as it is; ?5, ?7 and ?9 say whether worker, reason and failure are set (they may
    /// be set to NULL); ?12 is 1 when the request finished, 0 when it is open, NULL when that did not change;
    /// ?20 says whether the row's trail stays (else it has just become history rows).
    static let updateRequestSQL = """
        UPDATE request SET
            department = COALESCE(?1, department),
            priority = COALESCE(?2, priority),
            state = COALESCE(?3, state),
            attempts = COALESCE(?4, attempts),
            worker = CASE WHEN ?5 THEN ?6 ELSE worker END,
            reason = CASE WHEN ?7 THEN ?8 ELSE reason END,
            failure = CASE WHEN ?9 THEN ?10 ELSE failure END,
            updated_at = COALESCE(?11, updated_at),
            finished_at = CASE ?12 WHEN 1 THEN COALESCE(?11, updated_at) WHEN 0 THEN NULL ELSE finished_at END,
            updates = updates + ?13,
            answer = COALESCE(?14, answer),
            answered_at = COALESCE(?15, answered_at),
            sla = COALESCE(?16, sla),
            deadline = COALESCE(?17, deadline),
            offered_at = COALESCE(?18, offered_at),
            accepted_at = COALESCE(?19, accepted_at),
            trail = CASE WHEN ?20 THEN trail | ?21 ELSE ?21 END
        WHERE ticket = ?22
        """

    static let insertEventSQL = """
        INSERT INTO request_event (ticket, type, at, department, from_department, state, attempt, worker, reason, body,
            target)
        SELECT ticket, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10 FROM request WHERE ticket = ?11
        """

    /// The routine events a row holds (its `trail`) as history rows, in their order.
    static let storedTrailSQL = """
        INSERT INTO request_event (ticket, type, at, department, state, attempt, worker)
        SELECT ticket, type, at, department, state, attempt, worker FROM (
            SELECT 1 AS k, ticket, 'request.submitted' AS type, submitted_at AS at, department, 'queued' AS state,
                0 AS attempt, NULL AS worker FROM request WHERE ticket = ?1 AND trail & 1
            UNION ALL SELECT 2, ticket, 'request.offered', offered_at, department, 'offered', attempts, worker
                FROM request WHERE ticket = ?1 AND trail & 2
            UNION ALL SELECT 3, ticket, 'request.accepted', accepted_at, department, 'accepted', attempts, worker
                FROM request WHERE ticket = ?1 AND trail & 4
            UNION ALL SELECT 4, ticket, 'request.answered', answered_at, department, 'answered', attempts, worker
                FROM request WHERE ticket = ?1 AND trail & 8
        ) ORDER BY k
        """

    static let insertWorkerEventSQL = """
        INSERT INTO worker_event (type, at, worker, departments, credit, reason) VALUES (?, ?, ?, ?, ?, ?)
        """
}
