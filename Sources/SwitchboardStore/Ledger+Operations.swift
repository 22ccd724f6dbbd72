import GRDB
import SwitchboardSchema

/// The ledger's side of the ops surface: requests the broker no longer holds in memory (finished ones),
/// dead letters and breaches. Reads only; each runs on a snapshot reader, beside the writer.
extension Ledger {
    /// Requests matching the filter, one page, as a list shows them (never a body). Open requests here are
    /// as last committed; the broker's memory is the live view of those.
    public func requests(_ filter: RequestFilter, now: Timestamp) throws -> RequestPage {
        var conditions = ["r.state IN (\(filter.effectiveStates.map { _ in "?" }.joined(separator: ", ")))"]
        var arguments = StatementArguments(filter.effectiveStates.map(\.rawValue).sorted())
        if let department = filter.department {
            conditions.append("r.department = ?")
            arguments += [department]
        }
        if let priority = filter.priority {
            conditions.append("r.priority = ?")
            arguments += [priority.rawValue]
        }
        if let submitter = filter.submitter {
            conditions.append("r.agent = ?")
            arguments += [submitter]
        }
        if let via = filter.via {
            conditions.append("r.via = ?")
            arguments += [via]
        }
        if let requestID = filter.requestID {
            conditions.append("r.request_id = ?")
            arguments += [requestID]
        }
        if filter.breaching {
            conditions.append("EXISTS (SELECT 1 FROM request_event e WHERE e.ticket = r.ticket AND e.type IN (?, ?))")
            arguments += [EventType.requestSLABreached.rawValue, EventType.requestSLAWarning.rawValue]
        }
        let order = switch filter.order {
        case .newest: "r.submitted_at DESC, r.ticket DESC"
        case .deadline: "r.deadline ASC, r.ticket ASC"
        }
        return try page(
            where: conditions.joined(separator: " AND "), arguments: arguments, order: order, limit: filter.limit,
            offset: filter.offset, now: now)
    }

    /// Dead-lettered requests, most recently dead-lettered first.
    public func deadLetters(department: String?, limit: Int, offset: Int, now: Timestamp) throws -> RequestPage {
        var arguments: StatementArguments = [RequestState.deadLettered.rawValue]
        // finished_at IS NOT NULL lets SQLite use the index of finished requests.
        var condition = "r.finished_at IS NOT NULL AND r.state = ?"
        if let department {
            condition += " AND r.department = ?"
            arguments += [department]
        }
        return try page(
            where: condition, arguments: arguments, order: "r.finished_at DESC, r.ticket DESC", limit: limit,
            offset: offset, now: now)
    }

    /// The latest SLA breaches, newest first, with each request's state now.
    public func recentBreaches(limit: Int) throws -> [BreachSummary] {
        try reportingErrors {
            try writer.read { db in
                let rows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT e.ticket, e.at, e.target, r.department, r.priority, r.state
                        FROM request_event e JOIN request r ON r.ticket = e.ticket
                        WHERE e.type = ? ORDER BY e.id DESC LIMIT ?
                        """,
                    arguments: [EventType.requestSLABreached.rawValue, limit])
                var breaches: [BreachSummary] = []
                while let row = try rows.next() {
                    let ticket: String = row["ticket"]
                    breaches.append(BreachSummary(
                        ticket: ticket, department: row["department"],
                        priority: try known(Priority.self, row["priority"], "priority", ticket),
                        target: (row["target"] as String?).flatMap(SLATarget.init(rawValue:)),
                        at: Timestamp(milliseconds: row["at"]).iso8601,
                        state: try known(RequestState.self, row["state"], "state", ticket)))
                }
                return breaches
            }
        }
    }

    private func page(
        where condition: String, arguments: StatementArguments, order: String, limit: Int, offset: Int, now: Timestamp
    ) throws -> RequestPage {
        try reportingErrors {
            try writer.read { db in
                let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM request r WHERE \(condition)", arguments: arguments) ?? 0
                let rows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT r.ticket, r.request_id, r.department, r.priority, r.state, r.attempts, r.worker, r.reason,
                            r.failure, r.submitted_at, r.updated_at, r.deadline, r.finished_at,
                            CASE
                                WHEN EXISTS (SELECT 1 FROM request_event e WHERE e.ticket = r.ticket AND e.type = ?)
                                    THEN 'breached'
                                WHEN EXISTS (SELECT 1 FROM request_event e WHERE e.ticket = r.ticket AND e.type = ?)
                                    THEN 'warning'
                                WHEN r.sla IS NOT NULL AND json_array_length(r.sla, '$.clocks') > 0 THEN 'ok'
                                ELSE 'none'
                            END AS level
                        FROM request r WHERE \(condition) ORDER BY \(order) LIMIT ? OFFSET ?
                        """,
                    arguments: [EventType.requestSLABreached.rawValue, EventType.requestSLAWarning.rawValue]
                        + arguments + [limit, offset])
                var items: [RequestSummary] = []
                while let row = try rows.next() {
                    let ticket: String = row["ticket"]
                    let state = try known(RequestState.self, row["state"], "state", ticket)
                    let submittedAt = Timestamp(milliseconds: row["submitted_at"])
                    let deadline = Timestamp(milliseconds: row["deadline"])
                    items.append(RequestSummary(
                        ticket: ticket, requestID: row["request_id"], department: row["department"],
                        priority: try known(Priority.self, row["priority"], "priority", ticket), state: state,
                        attempts: row["attempts"], worker: row["worker"], reason: row["reason"], failure: row["failure"],
                        sla: SLALevel(rawValue: row["level"]) ?? .none, submittedAt: submittedAt.iso8601,
                        updatedAt: Timestamp(milliseconds: row["updated_at"]).iso8601, deadline: deadline.iso8601,
                        ageSeconds: (now - submittedAt).seconds,
                        dueInSeconds: state.isFinal ? nil : (deadline - now).seconds))
                }
                return RequestPage(items: items, total: total, offset: offset, limit: limit)
            }
        }
    }

    private func known<T: RawRepresentable<String>>(_ type: T.Type, _ value: String, _ column: String, _ ticket: String) throws -> T {
        guard let parsed = T(rawValue: value) else {
            throw LedgerError.unknownValue(path: path, column: column, value: value, ticket: ticket)
        }
        return parsed
    }
}
