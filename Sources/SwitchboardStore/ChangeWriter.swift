import GRDB
import SwitchboardCore
import SwitchboardSchema

/// Writes a group's changes inside one transaction: one row write per request (see ``RequestWrite``), history
/// rows only for what is not routine, parameters bound straight to SQLite. The hot path of the ledger.
struct ChangeWriter {
    private let db: Database
    private let insertRequest: RawStatement
    /// UPDATE statements by the columns they set (see ``updateStatement(_:)``).
    private var updates: [UInt32: RawStatement] = [:]
    private let insertEvent: RawStatement
    private let storedTrail: RawStatement
    private let insertWorkerEvent: RawStatement
    /// The SLA snapshot's JSON, written into one buffer reused for every row.
    private var json: [UInt8] = []

    init(_ db: Database) throws {
        self.db = db
        insertRequest = try RawStatement(db, Self.insertRequestSQL)
        insertEvent = try RawStatement(db, Self.insertEventSQL)
        storedTrail = try RawStatement(db, Self.storedTrailSQL)
        insertWorkerEvent = try RawStatement(db, Self.insertWorkerEventSQL)
        json.reserveCapacity(512)
    }

    mutating func write(_ changes: [Change]) throws {
        let (requests, workers) = RequestWrite.fold(changes)
        for index in requests.indices { try write(requests[index], changes) }
        for position in workers {
            let facts = changes[position].workerFacts!, type = changes[position].type
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

    private mutating func write(_ request: borrowing RequestWrite, _ changes: [Change]) throws {
        if let position = request.submission, case .submitted(let submission) = changes[position] {
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
    private mutating func insert(_ submission: borrowing Change.Submission, _ request: borrowing RequestWrite) throws {
        let updatedAt = request.patch.updatedAt ?? submission.facts.at
        let statement = insertRequest
        statement.bind(1, ticket: submission.facts.ticket)
        statement.bind(2, submission.facts.requestID)
        statement.bind(3, request.patch.department ?? submission.facts.department)
        statement.bind(4, (request.patch.priority ?? submission.facts.priority).rawValue)
        statement.bind(5, (request.patch.state ?? submission.facts.state).rawValue)
        statement.bind(6, request.patch.attempts ?? submission.facts.attempt)
        statement.bind(7, submission.submitter.text)
        statement.bind(8, blob: submission.body)
        statement.bind(9, request.patch.worker ?? submission.facts.worker)
        statement.bind(10, request.patch.reason ?? nil)
        statement.bind(11, request.patch.failure ?? nil)
        statement.bind(12, request.patch.updates)
        statement.bind(13, submission.facts.at)
        statement.bind(14, updatedAt)
        statement.bind(15, request.patch.deadline ?? submission.deadline)
        statement.bind(16, utf8: snapshotJSON(request.patch.sla ?? submission.facts.sla))
        statement.bind(17, request.patch.answeredAt)
        statement.bind(18, blob: request.patch.answer)
        statement.bind(19, request.patch.finished == true ? updatedAt : nil)
        statement.bind(20, request.patch.offeredAt)
        statement.bind(21, request.patch.acceptedAt)
        statement.bind(22, Int(request.trail.rawValue))
        if case .principal(let name) = submission.submitter { statement.bind(23, name) } else { statement.bind(23, nil as String?) }
        statement.bind(24, submission.facts.via)
        try statement.execute(db)
    }

    /// Every later write of a request: one UPDATE setting just the columns the group changed (statements are
    /// prepared once per set of columns); a ticket the ledger does not hold is left alone.
    private mutating func update(_ request: borrowing RequestWrite) throws {
        var columns = UpdateColumns()
        if request.patch.department != nil { columns.insert(.department) }
        if request.patch.priority != nil { columns.insert(.priority) }
        if request.patch.state != nil { columns.insert(.state) }
        if request.patch.attempts != nil { columns.insert(.attempts) }
        if request.patch.worker != nil { columns.insert(.worker) }
        if request.patch.reason != nil { columns.insert(.reason) }
        if request.patch.failure != nil { columns.insert(.failure) }
        if request.patch.updatedAt != nil { columns.insert(.updatedAt) }
        if request.patch.finished != nil { columns.insert(.finishedAt) }
        if request.patch.updates != 0 { columns.insert(.updates) }
        if request.patch.answer != nil { columns.insert(.answer) }
        if request.patch.answeredAt != nil { columns.insert(.answeredAt) }
        if request.patch.sla != nil { columns.insert(.sla) }
        if request.patch.deadline != nil { columns.insert(.deadline) }
        if request.patch.offeredAt != nil { columns.insert(.offeredAt) }
        if request.patch.acceptedAt != nil { columns.insert(.acceptedAt) }
        if !request.keepsStoredTrail { columns.insert(.replacesTrail) }
        let changed = try bindAndRun(try updateStatement(columns), request, extendingTrail: request.keepsStoredTrail)
        if request.keepsStoredTrail && changed == 0 {
            // The row's trail already holds an event of this write's kind or a later one (an offer after an offer,
            // across groups), or there is no such row: the stored trail becomes rows first, then this trail
            // replaces it.
            storedTrail.bind(1, ticket: request.ticket)
            try storedTrail.execute(db)
            try bindAndRun(try updateStatement(columns.union(.replacesTrail)), request, extendingTrail: false)
        }
    }

    /// Binds a request's changed columns, its trail and its ticket to an UPDATE from ``updateStatement(_:)``
    /// and runs it: the rows changed.
    @discardableResult
    private mutating func bindAndRun(
        _ statement: RawStatement, _ request: borrowing RequestWrite, extendingTrail: Bool
    ) throws -> Int {
        var index: Int32 = 0
        func next() -> Int32 {
            index += 1
            return index
        }
        if let department = request.patch.department { statement.bind(next(), department) }
        if let priority = request.patch.priority { statement.bind(next(), priority.rawValue) }
        if let state = request.patch.state { statement.bind(next(), state.rawValue) }
        if let attempts = request.patch.attempts { statement.bind(next(), attempts) }
        if let worker = request.patch.worker { statement.bind(next(), worker) }
        if let reason = request.patch.reason { statement.bind(next(), reason) }
        if let failure = request.patch.failure { statement.bind(next(), failure) }
        if let updatedAt = request.patch.updatedAt { statement.bind(next(), updatedAt) }
        if let finished = request.patch.finished {
            // finished_at: the change's time when it finished, NULL when the request is open (again).
            statement.bind(next(), finished ? request.patch.updatedAt : nil)
        }
        if request.patch.updates != 0 { statement.bind(next(), request.patch.updates) }
        if let answer = request.patch.answer { statement.bind(next(), blob: answer) }
        if let answeredAt = request.patch.answeredAt { statement.bind(next(), answeredAt) }
        if request.patch.sla != nil { statement.bind(next(), utf8: snapshotJSON(request.patch.sla)) }
        if let deadline = request.patch.deadline { statement.bind(next(), deadline) }
        if let offeredAt = request.patch.offeredAt { statement.bind(next(), offeredAt) }
        if let acceptedAt = request.patch.acceptedAt { statement.bind(next(), acceptedAt) }
        statement.bind(next(), Int(request.trail.rawValue))
        statement.bind(next(), ticket: request.ticket)
        if extendingTrail {
            // The stored trail is kept only if all of it comes before this write's first event.
            let first = request.trail.rawValue & (0 &- request.trail.rawValue)
            statement.bind(next(), Int(first == 0 ? 16 : first))
        }
        return try statement.execute(db)
    }

    /// The UPDATE for a set of columns, with `trail` (kept and extended, or replaced) and the ticket last.
    private mutating func updateStatement(_ columns: UpdateColumns) throws -> RawStatement {
        if let statement = updates[columns.rawValue] { return statement }
        let set = columns.subtracting(.replacesTrail)
        var assignments: [String] = []
        for (column, name, expression) in UpdateColumns.all where set.contains(column) {
            assignments.append("\(name) = \(expression)")
        }
        let columnsSet = assignments.map { $0 + ", " }.joined()
        // Extending the stored trail only if all of it comes before this write's first event: else no row changes.
        let statement = try RawStatement(
            db, "UPDATE request SET \(columnsSet)trail = trail | ? WHERE ticket = ? AND trail < ?")
        let replacing = try RawStatement(db, "UPDATE request SET \(columnsSet)trail = ? WHERE ticket = ?")
        updates[set.rawValue] = statement
        updates[set.union(.replacesTrail).rawValue] = replacing
        return updates[columns.rawValue]!
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
            offered_at, accepted_at, trail, agent, via)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT DO NOTHING
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

/// The request columns an UPDATE may set.
struct UpdateColumns: OptionSet {
    let rawValue: UInt32

    static let department = UpdateColumns(rawValue: 1 << 0)
    static let priority = UpdateColumns(rawValue: 1 << 1)
    static let state = UpdateColumns(rawValue: 1 << 2)
    static let attempts = UpdateColumns(rawValue: 1 << 3)
    static let worker = UpdateColumns(rawValue: 1 << 4)
    static let reason = UpdateColumns(rawValue: 1 << 5)
    static let failure = UpdateColumns(rawValue: 1 << 6)
    static let updatedAt = UpdateColumns(rawValue: 1 << 7)
    static let finishedAt = UpdateColumns(rawValue: 1 << 8)
    static let updates = UpdateColumns(rawValue: 1 << 9)
    static let answer = UpdateColumns(rawValue: 1 << 10)
    static let answeredAt = UpdateColumns(rawValue: 1 << 11)
    static let sla = UpdateColumns(rawValue: 1 << 12)
    static let deadline = UpdateColumns(rawValue: 1 << 13)
    static let offeredAt = UpdateColumns(rawValue: 1 << 14)
    static let acceptedAt = UpdateColumns(rawValue: 1 << 15)
    /// Not a column: the row's trail is replaced (it has just become history rows), not extended.
    static let replacesTrail = UpdateColumns(rawValue: 1 << 31)

    /// Each column, its name, and what it is set to (in the order parameters are bound).
    static let all: [(UpdateColumns, String, String)] = [
        (.department, "department", "?"), (.priority, "priority", "?"), (.state, "state", "?"),
        (.attempts, "attempts", "?"), (.worker, "worker", "?"), (.reason, "reason", "?"), (.failure, "failure", "?"),
        (.updatedAt, "updated_at", "?"), (.finishedAt, "finished_at", "?"), (.updates, "updates", "updates + ?"),
        (.answer, "answer", "?"), (.answeredAt, "answered_at", "?"), (.sla, "sla", "?"), (.deadline, "deadline", "?"),
        (.offeredAt, "offered_at", "?"), (.acceptedAt, "accepted_at", "?"),
    ]
}
