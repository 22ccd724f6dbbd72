import Foundation
import PostgresNIO
import SwitchboardCore
import SwitchboardSchema
import SwitchboardStore

/// One group commit as multi-row statements (issue 16): the new requests in one INSERT, every other request
/// row write in one UPDATE … FROM unnest(…), the history in one INSERT, and the worker log, the audit lines,
/// the notifications and the webhook deliveries in one each. Each column goes as one array parameter
/// (``PostgresColumn``), so the statements' text does not change with the number of rows. The same
/// row folding as the SQLite ledger's (``RequestWrite``), except that every event, the routine ones too,
/// becomes a history row: PostgreSQL writes them in the same statement anyway, so the SQLite ledger's
/// `trail` shortcut would buy nothing here (`trail` stays 0, which both ledgers read as "all in the rows").
///
/// ``run(on:logger:)`` sends it inside the caller's transaction.
struct PostgresGroupWrite {
    private var statements: [PostgresQuery] = []
    /// The notifications' rows, with the webhooks each one goes to: inserted last, as their ids are needed.
    private var notifications: PostgresQuery?
    private var deliveries: [[String]] = []
    private var notificationTimes: [Int64] = []

    init(_ changes: [Change], audits: [AuditRecord], policy: NotificationPolicy) {
        let (requests, workers) = RequestWrite.fold(changes)
        var inserts = PostgresColumns()
        var updates = PostgresColumns()
        var events = PostgresColumns()
        var json: [UInt8] = []
        func snapshot(_ sla: SLAState?) -> PostgresValue {
            guard let sla else { return .text(nil) }
            json.removeAll(keepingCapacity: true)
            sla.writeJSON(into: &json)
            return .text(String(decoding: json, as: UTF8.self))
        }
        for request in requests {
            let patch = request.patch
            if let position = request.submission, case .submitted(let submission) = changes[position] {
                let facts = submission.facts
                let updatedAt = patch.updatedAt ?? facts.at
                var agent: String?
                if case .principal(let name) = submission.submitter { agent = name }
                inserts.append([
                    .text(facts.ticket.text), .text(facts.requestID), .text(patch.department ?? facts.department),
                    .text((patch.priority ?? facts.priority).rawValue), .text((patch.state ?? facts.state).rawValue),
                    .int(patch.attempts ?? facts.attempt), .text(submission.submitter.text), .bytes(submission.body),
                    .text(patch.worker ?? facts.worker), .text(patch.reason ?? nil), .text(patch.failure ?? nil),
                    .int(patch.updates), .bigint(facts.at.rawValue), .bigint(updatedAt.rawValue),
                    .bigint((patch.deadline ?? submission.deadline).rawValue), snapshot(patch.sla ?? facts.sla),
                    .bigint(patch.answeredAt?.rawValue), .bytes(patch.answer),
                    .bigint(patch.finished == true ? updatedAt.rawValue : nil), .bigint(patch.offeredAt?.rawValue),
                    .bigint(patch.acceptedAt?.rawValue), .text(agent), .text(facts.via),
                ])
            } else if !patch.isEmpty {
                updates.append([
                    .text(request.ticket.text), .text(patch.department), .text(patch.priority?.rawValue),
                    .text(patch.state?.rawValue), .int(patch.attempts), .boolean(patch.worker != nil), .text(patch.worker ?? nil),
                    .boolean(patch.reason != nil), .text(patch.reason ?? nil), .boolean(patch.failure != nil),
                    .text(patch.failure ?? nil), .bigint(patch.updatedAt?.rawValue), .boolean(patch.finished),
                    .int(patch.updates), .bytes(patch.answer), .bigint(patch.answeredAt?.rawValue), snapshot(patch.sla),
                    .bigint(patch.deadline?.rawValue), .bigint(patch.offeredAt?.rawValue), .bigint(patch.acceptedAt?.rawValue),
                ])
            }
            for row in request.fullHistory(changes) {
                events.append([
                    .text(request.ticket.text), .text(row.type.rawValue), .bigint(row.at.rawValue),
                    .text(row.department), .text(row.fromDepartment), .text(row.state?.rawValue), .int(row.attempt),
                    .text(row.worker), .text(row.reason), .bytes(row.body), .text(row.target?.rawValue),
                ])
            }
        }
        add(Self.insertRequests, inserts, Self.insertRequestsTail)
        add(Self.updateRequestsHead, updates, Self.updateRequestsTail)
        add(Self.insertEventsHead, events, Self.insertEventsTail)
        var workerRows = PostgresColumns()
        for position in workers {
            let facts = changes[position].workerFacts!
            workerRows.append([
                .text(changes[position].type.rawValue), .bigint(facts.at.rawValue), .text(facts.name),
                .text(facts.departments.joined(separator: ",")), .int(facts.credit), .text(facts.reason),
            ])
        }
        add(Self.insertWorkerEvents, workerRows)
        var auditRows = PostgresColumns()
        for audit in audits {
            auditRows.append([
                .bigint(audit.at.rawValue), .text(audit.principal), .text(audit.kind), .text(audit.action),
                .text(audit.ticket), .text(audit.department), .text(audit.outcome.rawValue), .text(audit.reason),
            ])
        }
        add(Self.insertAudits, auditRows)
        let rows = NotificationRow.rows(for: changes, policy: policy)
        if !rows.isEmpty {
            var columns = PostgresColumns()
            for row in rows {
                columns.append([
                    .text(row.ticket), .text(row.type), .bigint(row.at), .text(row.agent), .text(row.via),
                    .text(row.department), .bytes(row.payload),
                ])
            }
            notifications = Self.statement(Self.insertNotifications, columns, Self.insertNotificationsTail)
            deliveries = rows.map(\.webhooks)
            notificationTimes = rows.map(\.at)
        }
    }

    /// `head` + `unnest(...)` of the columns + `tail`, if there is any row.
    private mutating func add(_ head: String, _ columns: PostgresColumns, _ tail: String = "") {
        guard !columns.isEmpty else { return }
        statements.append(Self.statement(head, columns, tail))
    }

    private static func statement(_ head: String, _ columns: PostgresColumns, _ tail: String) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: columns.columns.count)
        let source = columns.unnest(binding: &bindings)
        return PostgresQuery(unsafeSQL: head + source + tail, binds: bindings)
    }

    /// Sends the statements inside the caller's transaction; returns the last notification id written.
    func run(on connection: PostgresConnection, logger: Logger) throws -> Int64? {
        // All queued at once (the connection runs them in order), so no statement waits for this thread to wake
        // up after the one before; the first failure is the one thrown (the others fail with the transaction).
        let pending = statements.map { connection.query($0, logger: logger) }
        var failure: (any Error)?
        for future in pending {
            do { _ = try future.wait() } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
        guard let notifications else { return nil }
        let ids = try connection.query(notifications, logger: logger).wait().rows.map { try PostgresCells($0)(0, as: Int64.self) }
        var columns = PostgresColumns()
        for (index, id) in ids.enumerated() where index < deliveries.count {
            for hook in deliveries[index] {
                columns.append([.text(hook), .bigint(id), .bigint(notificationTimes[index]), .bigint(notificationTimes[index])])
            }
        }
        if !columns.isEmpty {
            _ = try connection.query(Self.statement(Self.insertDeliveries, columns, ""), logger: logger).wait()
        }
        return ids.last
    }

    static let insertRequests = """
        INSERT INTO request (ticket, request_id, department, priority, state, attempts, submitter, body, worker, reason,
            failure, updates, submitted_at, updated_at, deadline, sla, answered_at, answer, finished_at, offered_at,
            accepted_at, agent, via)
        SELECT * FROM\u{20}
        """
    static let insertRequestsTail = " ON CONFLICT DO NOTHING"

    /// The changed columns of each request; a column whose value is NULL is left as it is (the nullable ones
    /// that may be cleared carry a flag), and a ticket the ledger does not hold is left alone.
    static let updateRequestsHead = """
        UPDATE request AS r SET
            department = COALESCE(u.department, r.department), priority = COALESCE(u.priority, r.priority),
            state = COALESCE(u.state, r.state), attempts = COALESCE(u.attempts, r.attempts),
            worker = CASE WHEN u.set_worker THEN u.worker ELSE r.worker END,
            reason = CASE WHEN u.set_reason THEN u.reason ELSE r.reason END,
            failure = CASE WHEN u.set_failure THEN u.failure ELSE r.failure END,
            updated_at = COALESCE(u.updated_at, r.updated_at),
            finished_at = CASE WHEN u.finished IS NULL THEN r.finished_at WHEN u.finished THEN u.updated_at ELSE NULL END,
            updates = r.updates + u.updates, answer = COALESCE(u.answer, r.answer),
            answered_at = COALESCE(u.answered_at, r.answered_at), sla = COALESCE(u.sla, r.sla),
            deadline = COALESCE(u.deadline, r.deadline), offered_at = COALESCE(u.offered_at, r.offered_at),
            accepted_at = COALESCE(u.accepted_at, r.accepted_at)
        FROM\u{20}
        """
    static let updateRequestsTail = """
         AS u(ticket, department, priority, state, attempts, set_worker, worker, set_reason, reason, set_failure,
            failure, updated_at, finished, updates, answer, answered_at, sla, deadline, offered_at, accepted_at)
        WHERE r.ticket = u.ticket
        """

    /// History rows in the group's order, only for tickets the ledger holds (an unknown or pruned one gets none).
    static let insertEventsHead = """
        INSERT INTO request_event (ticket, type, at, department, from_department, state, attempt, worker, reason, body,
            target)
        SELECT v.ticket, v.type, v.at, v.department, v.from_department, v.state, v.attempt, v.worker, v.reason, v.body,
            v.target
        FROM\u{20}
        """
    static let insertEventsTail = """
         WITH ORDINALITY AS v(ticket, type, at, department, from_department, state, attempt, worker, reason, body, target, ord)
        WHERE EXISTS (SELECT 1 FROM request r WHERE r.ticket = v.ticket) ORDER BY v.ord
        """

    static let insertWorkerEvents = "INSERT INTO worker_event (type, at, worker, departments, credit, reason) SELECT * FROM "
    static let insertAudits = "INSERT INTO audit (at, principal, kind, action, ticket, department, outcome, reason) SELECT * FROM "
    /// In the group's order (the ids, returned in that order, number the stream).
    static let insertNotifications = """
        INSERT INTO notification (ticket, type, at, agent, via, department, payload)
        SELECT n.ticket, n.type, n.at, n.agent, n.via, n.department, n.payload FROM\u{20}
        """
    static let insertNotificationsTail = """
         WITH ORDINALITY AS n(ticket, type, at, agent, via, department, payload, ord) ORDER BY n.ord RETURNING id
        """
    static let insertDeliveries = "INSERT INTO webhook_delivery (webhook, notification, created_at, next_attempt_at) SELECT * FROM "
}

extension PostgresLedger {
    @discardableResult
    public func apply(_ changes: [Change], audits: [AuditRecord], notifications: NotificationPolicy) throws -> Int64? {
        guard !changes.isEmpty || !audits.isEmpty else { return nil }
        let write = PostgresGroupWrite(changes, audits: audits, policy: notifications)
        return try writing { connection, logger in try write.run(on: connection, logger: logger) }
    }
}
