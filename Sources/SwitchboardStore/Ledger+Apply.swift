import GRDB
import SwitchboardCore
import SwitchboardSchema

extension Ledger {
    /// Applies `changes` in order in ONE transaction (group commit), and returns once it is durable per the
    /// ``Durability`` setting: after an fsync with `.fsync`, once in the OS with `.os`.
    ///
    /// Change by change: `request.submitted` inserts the request (a request id already in the ledger is
    /// ignored); `request.duplicate_answer` only adds to the history; every other request change updates the
    /// request row (state, attempts, worker, reason, failure; the answer for `request.answered`; the update
    /// count for `request.updated`; the finish time when the state becomes final) and adds a history entry;
    /// `worker.*` changes go to the worker log. Changes of a ticket the ledger does not hold are skipped.
    ///
    /// Throws (and writes nothing of the group) on a database error, or on a request change without the
    /// fields it needs (a ticket; for a submission also request id, department, priority and deadline).
    /// `audits` go to the audit trail in the same transaction.
    public func apply(_ changes: [Change], audits: [AuditRecord] = []) throws {
        guard !changes.isEmpty || !audits.isEmpty else { return }
        try reportingErrors {
            try writer.write { db in
                let changeWriter = try ChangeWriter(db, path: path)
                for change in changes {
                    try changeWriter.apply(change)
                }
                if !audits.isEmpty {
                    let insert = try db.cachedStatement(sql: Ledger.insertAuditSQL)
                    for audit in audits {
                        try insert.execute(arguments: [
                            audit.at.rawValue, audit.principal, audit.kind, audit.action, audit.ticket, audit.department,
                            audit.outcome.rawValue, audit.reason,
                        ])
                    }
                }
            }
        }
    }

    static let insertAuditSQL = """
        INSERT INTO audit (at, principal, kind, action, ticket, department, outcome, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// The audit trail, oldest first (optionally of one ticket or principal), for operators and tests.
    public func audit(ticket: String? = nil, principal: String? = nil, limit: Int = 10_000) throws -> [AuditRecord] {
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
