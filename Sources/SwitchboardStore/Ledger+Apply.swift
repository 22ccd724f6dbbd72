import GRDB
import SwitchboardCore
import SwitchboardSchema

extension Ledger {
    /// Applies `changes` in order in ONE transaction (group commit), and returns once it is durable per the
    /// ``Durability`` setting: after an fsync with `.fsync`, once in the OS with `.os`.
    ///
    /// The changes of one request become one row write: an INSERT if it was submitted in this group (a request
    /// id already in the ledger is ignored), else one UPDATE (state, attempts, worker, reason, failure; the
    /// answer; the update count; the finish time when the state becomes final). Its routine course (submitted,
    /// offered, accepted, answered) is kept in the row's columns; everything else (updates, questions,
    /// transfers, requeues, SLA warnings, duplicate answers, ...) adds a history entry (see ``RequestWrite``).
    /// `worker.*` changes go to the worker log. Changes of a ticket the ledger does not hold are skipped.
    ///
    /// Throws (and writes nothing of the group) on a database error. `audits` go to the audit trail in the
    /// same transaction, and so do the notifications `notifications` asks for (agents' streams, webhooks'
    /// outbox); returns the last notification id written, if any.
    @discardableResult
    public func apply(
        _ changes: [Change], audits: [AuditRecord], notifications: NotificationPolicy
    ) throws -> Int64? {
        guard !changes.isEmpty || !audits.isEmpty else { return nil }
        return try reportingErrors {
            try writer.write { db in
                var changeWriter = try ChangeWriter(db)
                try changeWriter.write(changes)
                let lastNotification = try Ledger.writeNotifications(changes, policy: notifications, db)
                if !audits.isEmpty {
                    let insert = try db.cachedStatement(sql: Ledger.insertAuditSQL)
                    for audit in audits {
                        try insert.execute(arguments: [
                            audit.at.rawValue, audit.principal, audit.kind, audit.action, audit.ticket, audit.department,
                            audit.outcome.rawValue, audit.reason,
                        ])
                    }
                }
                return lastNotification
            }
        }
    }

    static let insertAuditSQL = """
        INSERT INTO audit (at, principal, kind, action, ticket, department, outcome, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// The audit trail, oldest first (optionally of one ticket or principal), for operators and tests.
    public func audit(ticket: String?, principal: String?, limit: Int) throws -> [AuditRecord] {
        try reportingErrors {
            try writer.read { db in
                var conditions: [String] = []
                var arguments: StatementArguments = []
                if let ticket { conditions.append("ticket = ?"); arguments += [ticket] }
                if let principal { conditions.append("principal = ?"); arguments += [principal] }
                let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
                let rows = try Row.fetchAll(
                    db, sql: "SELECT * FROM audit\(filter) ORDER BY id LIMIT ?", arguments: arguments + [limit])
                return rows.map { row in
                    AuditRecord(
                        at: Timestamp(milliseconds: row["at"]), principal: row["principal"], kind: row["kind"],
                        action: row["action"], ticket: row["ticket"], department: row["department"],
                        outcome: AuditRecord.Outcome(rawValue: row["outcome"]) ?? .refused, reason: row["reason"])
                }
            }
        }
    }
}
