import GRDB
import SwitchboardSchema

extension Ledger {
    /// Deletes up to `limit` requests finished before `cutoff` (oldest first), with their history, and up to
    /// `limit` worker-log entries older than `cutoff`, in one short transaction. Returns the request ids
    /// deleted (oldest finished first), for the idempotency index. Call it repeatedly with a small `limit`
    /// (say 500) until it returns fewer than `limit`, so it never holds the writer for long.
    public func prune(finishedBefore cutoff: Timestamp, limit: Int) throws -> [String] {
        guard limit > 0 else { return [] }
        return try reportingErrors {
            try writer.write { db in
                let rows = try Row.fetchAll(db, sql: """
                    SELECT ticket, request_id FROM request
                    WHERE finished_at IS NOT NULL AND finished_at < ? ORDER BY finished_at, ticket LIMIT ?
                    """, arguments: [cutoff.rawValue, limit])
                // The history goes with it: request_event.ticket is ON DELETE CASCADE.
                let delete = try db.cachedStatement(sql: "DELETE FROM request WHERE ticket = ?")
                for row in rows {
                    try delete.execute(arguments: [row[0] as String])
                }
                try db.execute(sql: """
                    DELETE FROM worker_event WHERE id IN (SELECT id FROM worker_event WHERE at < ? ORDER BY at LIMIT ?)
                    """, arguments: [cutoff.rawValue, limit])
                // The audit trail is kept as long as the requests it speaks of.
                try db.execute(sql: """
                    DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE at < ? ORDER BY at LIMIT ?)
                    """, arguments: [cutoff.rawValue, limit])
                // Agents' events and webhook deliveries (ON DELETE CASCADE) as old as the retention; the floor
                // lets a stream resumed from before it know it missed some.
                if let through = try Int64.fetchOne(db, sql: """
                    SELECT max(id) FROM (SELECT id FROM notification WHERE at < ? ORDER BY id LIMIT ?)
                    """, arguments: [cutoff.rawValue, limit]) {
                    try db.execute(sql: "DELETE FROM notification WHERE id <= ?", arguments: [through])
                    try db.execute(sql: """
                        INSERT INTO ledger_meta (key, value) VALUES ('notifications_pruned_through', ?)
                        ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)
                        """, arguments: [through])
                }
                return rows.map { $0[1] }
            }
        }
    }
}
