import Foundation
import PostgresNIO
import SwitchboardCore
import SwitchboardSchema
import SwitchboardStore

/// The ops surface's reads of the ledger (lists, dead letters, breaches, the SLA report): the SQLite ledger's
/// queries in PostgreSQL's dialect.
extension PostgresLedger {
    public func requests(_ filter: RequestFilter, now: Timestamp) throws -> RequestPage {
        let states = filter.effectiveStates.map(\.rawValue).sorted()
        var conditions: [(String, [PostgresValue])] = [
            ("r.state IN (\(states.map { _ in "?" }.joined(separator: ", ")))", states.map { .text($0) }),
        ]
        if let department = filter.department { conditions.append(("r.department = ?", [.text(department)])) }
        if let priority = filter.priority { conditions.append(("r.priority = ?", [.text(priority.rawValue)])) }
        if let submitter = filter.submitter { conditions.append(("r.agent = ?", [.text(submitter)])) }
        if let via = filter.via { conditions.append(("r.via = ?", [.text(via)])) }
        if let requestID = filter.requestID { conditions.append(("r.request_id = ?", [.text(requestID)])) }
        if filter.breaching {
            conditions.append((
                "EXISTS (SELECT 1 FROM request_event e WHERE e.ticket = r.ticket AND e.type IN (?, ?))",
                [.text(EventType.requestSLABreached.rawValue), .text(EventType.requestSLAWarning.rawValue)]))
        }
        let order = switch filter.order {
        case .newest: "r.submitted_at DESC, r.ticket DESC"
        case .deadline: "r.deadline ASC, r.ticket ASC"
        }
        return try page(conditions, order: order, limit: filter.limit, offset: filter.offset, now: now)
    }

    public func deadLetters(department: String?, limit: Int, offset: Int, now: Timestamp) throws -> RequestPage {
        var conditions: [(String, [PostgresValue])] = [
            ("r.finished_at IS NOT NULL AND r.state = ?", [.text(RequestState.deadLettered.rawValue)]),
        ]
        if let department { conditions.append(("r.department = ?", [.text(department)])) }
        return try page(conditions, order: "r.finished_at DESC, r.ticket DESC", limit: limit, offset: offset, now: now)
    }

    public func recentBreaches(limit: Int) throws -> [BreachSummary] {
        let query = PostgresStatement(
            """
            SELECT e.ticket, e.at, e.target, r.department, r.priority, r.state
            FROM request_event e JOIN request r ON r.ticket = e.ticket
            WHERE e.type = ? ORDER BY e.id DESC LIMIT ?
            """, [.text(EventType.requestSLABreached.rawValue), .int(limit)]).query
        let rows = try reading { connection, logger in try connection.query(query, logger: logger).wait().rows }
        return try rows.map { row in
            let cell = PostgresCells(row)
            let ticket: String = try cell(0)
            return BreachSummary(
                ticket: ticket, department: try cell(3), priority: try known(Priority.self, try cell(4), "priority", ticket),
                target: (try cell(2, as: String?.self)).flatMap(SLATarget.init(rawValue:)),
                at: Timestamp(milliseconds: try cell(1)).iso8601,
                state: try known(RequestState.self, try cell(5), "state", ticket))
        }
    }

    public func slaReport(since: Timestamp, department: String?) throws -> [SLAReportRow] {
        var finished = PostgresStatement(
            "SELECT department, priority, state, sla FROM request WHERE finished_at >= ?", [.bigint(since.rawValue)])
        var breaches = PostgresStatement(
            """
            SELECT request.department, request.priority, COUNT(*) FROM request_event
            JOIN request ON request.ticket = request_event.ticket
            WHERE request_event.type = ? AND request_event.at >= ?
            """, [.text(EventType.requestSLABreached.rawValue), .bigint(since.rawValue)])
        if let department {
            finished.append(" AND department = ?", [.text(department)])
            breaches.append(" AND request.department = ?", [.text(department)])
        }
        breaches.append(" GROUP BY request.department, request.priority")
        let queries = (finished.query, breaches.query)
        let (finishedRows, breachRows) = try reading { connection, logger in
            (try connection.query(queries.0, logger: logger).wait().rows,
             try connection.query(queries.1, logger: logger).wait().rows)
        }
        var report = SLAReportBuilder()
        for row in finishedRows {
            let cell = PostgresCells(row)
            report.addFinished(department: try cell(0), priority: try cell(1), state: try cell(2), sla: try cell(3))
        }
        for row in breachRows {
            let cell = PostgresCells(row)
            report.setBreachEvents(department: try cell(0), priority: try cell(1), count: try cell(2))
        }
        return report.rows()
    }

    private func page(
        _ conditions: [(String, [PostgresValue])], order: String, limit: Int, offset: Int, now: Timestamp
    ) throws -> RequestPage {
        var count = PostgresStatement("SELECT COUNT(*) FROM request r WHERE ")
        var select = PostgresStatement(
            """
            SELECT r.ticket, r.request_id, r.department, r.priority, r.state, r.attempts, r.worker, r.reason,
                r.failure, r.submitted_at, r.updated_at, r.deadline, r.finished_at,
                CASE
                    WHEN EXISTS (SELECT 1 FROM request_event e WHERE e.ticket = r.ticket AND e.type = ?) THEN 'breached'
                    WHEN EXISTS (SELECT 1 FROM request_event e WHERE e.ticket = r.ticket AND e.type = ?) THEN 'warning'
                    WHEN r.sla IS NOT NULL AND jsonb_array_length((r.sla::jsonb) -> 'clocks') > 0 THEN 'ok'
                    ELSE 'none'
                END
            FROM request r WHERE\u{20}
            """, [.text(EventType.requestSLABreached.rawValue), .text(EventType.requestSLAWarning.rawValue)])
        for (index, condition) in conditions.enumerated() {
            count.append((index == 0 ? "" : " AND ") + condition.0, condition.1)
            select.append((index == 0 ? "" : " AND ") + condition.0, condition.1)
        }
        select.append(" ORDER BY \(order) LIMIT ? OFFSET ?", [.int(limit), .int(offset)])
        let queries = (count.query, select.query)
        let (countRows, rows) = try reading { connection, logger in
            (try connection.query(queries.0, logger: logger).wait().rows,
             try connection.query(queries.1, logger: logger).wait().rows)
        }
        let total = try countRows.first.map { try PostgresCells($0)(0, as: Int.self) } ?? 0
        let items = try rows.map { row -> RequestSummary in
            let cell = PostgresCells(row)
            let ticket: String = try cell(0)
            let state = try known(RequestState.self, try cell(4), "state", ticket)
            let submittedAt = Timestamp(milliseconds: try cell(9))
            let deadline = Timestamp(milliseconds: try cell(11))
            return RequestSummary(
                ticket: ticket, requestID: try cell(1), department: try cell(2),
                priority: try known(Priority.self, try cell(3), "priority", ticket), state: state,
                attempts: try cell(5), worker: try cell(6), reason: try cell(7), failure: try cell(8),
                sla: SLALevel(rawValue: try cell(13)) ?? .none, submittedAt: submittedAt.iso8601,
                updatedAt: Timestamp(milliseconds: try cell(10)).iso8601, deadline: deadline.iso8601,
                ageSeconds: (now - submittedAt).seconds, dueInSeconds: state.isFinal ? nil : (deadline - now).seconds)
        }
        return RequestPage(items: items, total: total, offset: offset, limit: limit)
    }

    private func known<T: RawRepresentable<String>>(_ type: T.Type, _ value: String, _ column: String, _ ticket: String) throws -> T {
        guard let parsed = T(rawValue: value) else {
            throw LedgerError.unknownValue(path: path, column: column, value: value, ticket: ticket)
        }
        return parsed
    }
}
