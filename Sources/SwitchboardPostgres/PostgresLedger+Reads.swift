import Foundation
import PostgresNIO
import SwitchboardCore
import SwitchboardSchema
import SwitchboardStore

/// Recovery's reads and one ticket's: the SQLite ledger's queries, in PostgreSQL's dialect.
extension PostgresLedger {
    /// The columns ``storedRequest(_:)`` reads, in its order.
    static let requestColumns = """
        ticket, request_id, department, priority, state, attempts, submitter, body, worker, reason, failure, updates,
        submitted_at, updated_at, deadline, answered_at, answer, finished_at, sla, agent, via
        """

    func storedRequest(_ row: PostgresRow) throws -> StoredRequest {
        let cell = PostgresCells(row)
        let ticket: String = try cell(0)
        let priorityName: String = try cell(3), stateName: String = try cell(4)
        guard let priority = Priority(rawValue: priorityName) else {
            throw LedgerError.unknownValue(path: path, column: "priority", value: priorityName, ticket: ticket)
        }
        guard let state = RequestState(rawValue: stateName) else {
            throw LedgerError.unknownValue(path: path, column: "state", value: stateName, ticket: ticket)
        }
        let sla: String? = try cell(18)
        return StoredRequest(
            ticket: ticket, requestID: try cell(1), department: try cell(2), priority: priority, state: state,
            attempts: try cell(5), submitter: try cell(6), body: try cell.bytes(7) ?? [], worker: try cell(8),
            reason: try cell(9), failure: try cell(10), updates: try cell(11),
            submittedAt: Timestamp(milliseconds: try cell(12)), updatedAt: Timestamp(milliseconds: try cell(13)),
            deadline: Timestamp(milliseconds: try cell(14)),
            answeredAt: (try cell(15, as: Int64?.self)).map(Timestamp.init(milliseconds:)), answer: try cell.bytes(16),
            finishedAt: (try cell(17, as: Int64?.self)).map(Timestamp.init(milliseconds:)),
            sla: sla.flatMap { try? SLASnapshot.decode(json: Array($0.utf8)) }, agent: try cell(19), via: try cell(20))
    }

    public func openRequests() throws -> [StoredRequest] {
        let open = RequestState.allCases.filter { !$0.isFinal }.map { PostgresValue.text($0.rawValue) }
        let statement = PostgresStatement(
            "SELECT \(Self.requestColumns) FROM request WHERE state IN (\(open.map { _ in "?" }.joined(separator: ", "))) AND finished_at IS NULL ORDER BY ticket",
            open)
        let query = statement.query
        let rows = try reading { connection, logger in try connection.query(query, logger: logger).wait().rows }
        return try rows.map(storedRequest)
    }

    public func finishedIndex() throws -> [(requestID: String, ticket: Ticket, finishedAt: Timestamp)] {
        let rows = try reading { connection, logger in
            try connection.query(
                "SELECT request_id, ticket, finished_at FROM request WHERE finished_at IS NOT NULL ORDER BY finished_at, ticket",
                logger: logger
            ).wait().rows
        }
        var index: [(requestID: String, ticket: Ticket, finishedAt: Timestamp)] = []
        index.reserveCapacity(rows.count)
        for row in rows {
            let cell = PostgresCells(row)
            // A ticket this broker could not have issued (edited by hand) cannot be asked for again.
            guard let ticket = Ticket(try cell(1, as: String.self)) else { continue }
            index.append((try cell(0), ticket, Timestamp(milliseconds: try cell(2))))
        }
        return index
    }

    public func lastTicket() throws -> Ticket? {
        let rows = try reading { connection, logger in
            try connection.query("SELECT MAX(ticket) FROM request", logger: logger).wait().rows
        }
        return try rows.first.flatMap { try PostgresCells($0)(0, as: String?.self) }.flatMap(Ticket.init)
    }

    public func request(ticket: String) throws -> StoredRequest? {
        let query = PostgresStatement("SELECT \(Self.requestColumns) FROM request WHERE ticket = ?", [.text(ticket)]).query
        let rows = try reading { connection, logger in try connection.query(query, logger: logger).wait().rows }
        return try rows.first.map(storedRequest)
    }

    public func history(ticket: String) throws -> [StoredEvent] {
        let query = PostgresStatement(
            """
            SELECT id, type, at, department, from_department, state, attempt, worker, reason FROM request_event
            WHERE ticket = ? ORDER BY id
            """, [.text(ticket)]).query
        let rows = try reading { connection, logger in try connection.query(query, logger: logger).wait().rows }
        return try rows.map { row in
            let cell = PostgresCells(row)
            let typeName: String = try cell(1)
            guard let type = EventType(rawValue: typeName) else {
                throw LedgerError.unknownValue(path: path, column: "type", value: typeName, ticket: ticket)
            }
            var state: RequestState?
            if let name = try cell(5, as: String?.self) {
                guard let known = RequestState(rawValue: name) else {
                    throw LedgerError.unknownValue(path: path, column: "state", value: name, ticket: ticket)
                }
                state = known
            }
            return StoredEvent(
                id: try cell(0), type: type, at: Timestamp(milliseconds: try cell(2)), department: try cell(3),
                fromDepartment: try cell(4), state: state, attempt: try cell(6), worker: try cell(7), reason: try cell(8))
        }
    }

    public func messages(ticket: String) throws -> [(type: EventType, at: Timestamp, body: [UInt8])] {
        let query = PostgresStatement(
            "SELECT type, at, body FROM request_event WHERE ticket = ? AND type IN (?, ?, ?) ORDER BY id",
            [
                .text(ticket), .text(EventType.requestUpdated.rawValue), .text(EventType.requestWaitingOnAgent.rawValue),
                .text(EventType.requestInfoReceived.rawValue),
            ]).query
        let rows = try reading { connection, logger in try connection.query(query, logger: logger).wait().rows }
        return try rows.compactMap { row in
            let cell = PostgresCells(row)
            guard let type = EventType(rawValue: try cell(0)) else { return nil }
            return (type, Timestamp(milliseconds: try cell(1)), try cell.bytes(2) ?? [])
        }
    }

    public func countsByState() throws -> [RequestState: Int] {
        let rows = try reading { connection, logger in
            try connection.query("SELECT state, COUNT(*) FROM request GROUP BY state", logger: logger).wait().rows
        }
        var counts = Dictionary(uniqueKeysWithValues: RequestState.allCases.map { ($0, 0) })
        for row in rows {
            let cell = PostgresCells(row)
            let name: String = try cell(0)
            guard let state = RequestState(rawValue: name) else {
                throw LedgerError(
                    path: path,
                    reason: "requests have state '\(name)', which this version does not know; was the ledger written by a newer switchboardd?")
            }
            counts[state] = try cell(1)
        }
        return counts
    }

    public func audit(ticket: String?, principal: String?, limit: Int) throws -> [AuditRecord] {
        var statement = PostgresStatement("SELECT at, principal, kind, action, ticket, department, outcome, reason FROM audit")
        var conditions: [(String, PostgresValue)] = []
        if let ticket { conditions.append(("ticket = ?", .text(ticket))) }
        if let principal { conditions.append(("principal = ?", .text(principal))) }
        for (index, condition) in conditions.enumerated() {
            statement.append((index == 0 ? " WHERE " : " AND ") + condition.0, [condition.1])
        }
        statement.append(" ORDER BY id LIMIT ?", [.int(limit)])
        let query = statement.query
        let rows = try reading { connection, logger in try connection.query(query, logger: logger).wait().rows }
        return try rows.map { row in
            let cell = PostgresCells(row)
            return AuditRecord(
                at: Timestamp(milliseconds: try cell(0)), principal: try cell(1), kind: try cell(2), action: try cell(3),
                ticket: try cell(4), department: try cell(5),
                outcome: AuditRecord.Outcome(rawValue: try cell(6)) ?? .refused, reason: try cell(7))
        }
    }
}
