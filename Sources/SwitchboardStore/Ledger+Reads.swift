import GRDB
import SwitchboardSchema

extension Ledger {
    /// Open requests (not finished), ordered by ticket (tickets sort by submission time), with their bodies:
    /// what recovery puts back in the queues.
    public func openRequests() throws -> [StoredRequest] {
        try reportingErrors {
            try writer.read { db in
                // Through the state index (request_state), then in ticket order.
                try RequestRow
                    .filter(RequestState.allCases.filter { !$0.isFinal }.map(\.rawValue).contains(RequestRow.Columns.state))
                    .filter(RequestRow.Columns.finishedAt == nil)
                    .fetchAll(db)
                    .map { try $0.stored(path: path) }
                    .sorted { $0.ticket < $1.ticket }
            }
        }
    }

    /// Request id → ticket and finish time of every finished request still in the ledger, oldest finished
    /// first: what recovery restores into the idempotency index.
    public func finishedIndex() throws -> [(requestID: String, ticket: Ticket, finishedAt: Timestamp)] {
        try reportingErrors {
            try writer.read { db in
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT request_id, ticket, finished_at FROM request
                    WHERE finished_at IS NOT NULL ORDER BY finished_at, ticket
                    """)
                var index: [(requestID: String, ticket: Ticket, finishedAt: Timestamp)] = []
                while let row = try rows.next() {
                    let text: String = row[1]
                    // A ticket this broker could not have issued (edited by hand) cannot be asked for again.
                    guard let ticket = Ticket(text) else { continue }
                    index.append((row[0], ticket, Timestamp(milliseconds: row[2])))
                }
                return index
            }
        }
    }

    /// The largest ticket in the ledger (nil on an empty one), so new tickets sort after it. Tickets grow
    /// with time, so one lost to pruning (finished longer ago than the retention) is far behind the clock.
    public func lastTicket() throws -> Ticket? {
        try reportingErrors {
            try writer.read { db in
                try String.fetchOne(db, sql: "SELECT MAX(ticket) FROM request").flatMap(Ticket.init)
            }
        }
    }

    /// One request with its answer, if it has one; nil if the ledger does not hold the ticket.
    public func request(ticket: String) throws -> StoredRequest? {
        try reportingErrors {
            try writer.read { db in
                try RequestRow.fetchOne(db, key: ticket)?.stored(path: path)
            }
        }
    }

    /// The ticket's history in the order it happened, without bodies; empty for an unknown ticket. The entries
    /// written as rows come first, then the routine events the request row still holds (see ``RequestWrite``).
    public func history(ticket: String) throws -> [StoredEvent] {
        try reportingErrors {
            try writer.read { db in
                var events = try RequestEventRow
                    .select(RequestEventRow.CodingKeys.allCases.filter { $0 != .body }.map { Column($0) })
                    .filter(RequestEventRow.Columns.ticket == ticket)
                    .order(RequestEventRow.Columns.id)
                    .fetchAll(db)
                    .map { try $0.stored(path: path) }
                guard let row = try Row.fetchOne(db, sql: """
                    SELECT trail, submitted_at, offered_at, accepted_at, answered_at, department, attempts, worker
                    FROM request WHERE ticket = ?
                    """, arguments: [ticket])
                else { return events }
                let trail = Trail(rawValue: UInt8(truncatingIfNeeded: row["trail"] as Int64))
                let department: String = row["department"], attempts: Int = row["attempts"], worker: String? = row["worker"]
                var id = events.last?.id ?? 0
                func add(_ type: EventType, _ column: String, _ state: RequestState, attempt: Int, worker: String?) {
                    guard let at: Int64 = row[column] else { return }
                    id += 1
                    events.append(StoredEvent(
                        id: id, type: type, at: Timestamp(milliseconds: at), department: department, state: state,
                        attempt: attempt, worker: worker))
                }
                if trail.contains(.submitted) { add(.requestSubmitted, "submitted_at", .queued, attempt: 0, worker: nil) }
                if trail.contains(.offered) { add(.requestOffered, "offered_at", .offered, attempt: attempts, worker: worker) }
                if trail.contains(.accepted) { add(.requestAccepted, "accepted_at", .accepted, attempt: attempts, worker: worker) }
                if trail.contains(.answered) { add(.requestAnswered, "answered_at", .answered, attempt: attempts, worker: worker) }
                return events
            }
        }
    }

    /// Requests by state, every state present (zero when none): for metrics, ops and tests.
    public func countsByState() throws -> [RequestState: Int] {
        try reportingErrors {
            try writer.read { db in
                var counts = Dictionary(uniqueKeysWithValues: RequestState.allCases.map { ($0, 0) })
                let rows = try Row.fetchCursor(db, sql: "SELECT state, COUNT(*) FROM request GROUP BY state")
                while let row = try rows.next() {
                    let name: String = row[0]
                    guard let state = RequestState(rawValue: name) else {
                        throw LedgerError(
                            path: path,
                            reason: "requests have state '\(name)', which this version does not know; "
                                + "was the ledger written by a newer switchboardd?")
                    }
                    counts[state] = row[1]
                }
                return counts
            }
        }
    }

    /// The worker log, oldest first (for tests and ops).
    func workerEvents() throws -> [WorkerEventRow] {
        try reportingErrors {
            try writer.read { db in try WorkerEventRow.order(WorkerEventRow.Columns.id).fetchAll(db) }
        }
    }
}
