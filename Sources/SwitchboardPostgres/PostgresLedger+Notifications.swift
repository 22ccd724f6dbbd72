import Foundation
import PostgresNIO
import SwitchboardCore
import SwitchboardSchema
import SwitchboardStore

/// Agents' streams, the webhooks' outbox, and pruning.
extension PostgresLedger {
    public func notifications(for audience: StreamAudience, after id: Int64, limit: Int) throws -> [AgentEvent] {
        let (column, value) = switch audience {
        case .agent(let name): ("agent", name)
        case .integration(let name): ("via", name)
        }
        let query = PostgresStatement(
            "SELECT id, payload FROM notification WHERE \(column) = ? AND id > ? ORDER BY id LIMIT ?",
            [.text(value), .bigint(id), .int(limit)]).query
        let rows = try reading { connection, logger in try connection.query(query, logger: logger).wait().rows }
        return try rows.compactMap { row -> AgentEvent? in
            let cell = PostgresCells(row)
            guard var event = try? JSONCoding.decode(AgentEvent.self, from: try cell.bytes(1) ?? []) else { return nil }
            event.id = try cell(0)
            return event
        }
    }

    public func notificationBounds() throws -> (floor: Int64, latest: Int64) {
        let rows = try reading { connection, logger in
            try connection.query(
                """
                SELECT (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM notification_id_seq),
                    COALESCE((SELECT value FROM ledger_meta WHERE key = 'notifications_pruned_through'), 0)
                """, logger: logger
            ).wait().rows
        }
        guard let row = rows.first else { return (0, 0) }
        let cell = PostgresCells(row)
        return (try cell(1), try cell(0))
    }

    static let selectDeliveries = """
        SELECT d.id, d.webhook, n.id, n.payload, d.state, d.attempts, d.created_at, d.next_attempt_at, d.delivered_at,
            d.last_status, d.last_error
        FROM webhook_delivery d JOIN notification n ON n.id = d.notification
        """

    private func deliveries(_ statement: PostgresStatement) throws -> [WebhookDelivery] {
        let query = statement.query
        let rows = try reading { connection, logger in try connection.query(query, logger: logger).wait().rows }
        return try rows.map { row in
            let cell = PostgresCells(row)
            return try WebhookDelivery(
                id: try cell(0), webhook: try cell(1), notification: try cell(2), payload: try cell.bytes(3) ?? [],
                state: try cell(4), attempts: try cell(5), createdAt: try cell(6), nextAttemptAt: try cell(7),
                deliveredAt: try cell(8), lastStatus: try cell(9), lastError: try cell(10))
        }
    }

    public func pendingDeliveries(after id: Int64, limit: Int) throws -> [WebhookDelivery] {
        try deliveries(PostgresStatement(
            Self.selectDeliveries + " WHERE d.state = 'pending' AND d.id > ? ORDER BY d.id LIMIT ?", [.bigint(id), .int(limit)]))
    }

    public func deliveries(webhook: String, state: WebhookDelivery.State?, limit: Int) throws -> [WebhookDelivery] {
        var statement = PostgresStatement(Self.selectDeliveries + " WHERE d.webhook = ?", [.text(webhook)])
        if let state { statement.append(" AND d.state = ?", [.text(state.rawValue)]) }
        statement.append(" ORDER BY d.id DESC LIMIT ?", [.int(limit)])
        return try deliveries(statement)
    }

    public func deliveryCounts() throws -> [String: WebhookDelivery.Counts] {
        let (byState, delivered, errors) = try reading { connection, logger in
            (try connection.query("SELECT webhook, state, count(*) FROM webhook_delivery GROUP BY webhook, state", logger: logger).wait().rows,
             try connection.query(
                "SELECT webhook, max(delivered_at) FROM webhook_delivery WHERE delivered_at IS NOT NULL GROUP BY webhook",
                logger: logger).wait().rows,
             try connection.query(
                """
                SELECT webhook, last_error FROM webhook_delivery
                WHERE id IN (SELECT max(id) FROM webhook_delivery WHERE last_error IS NOT NULL GROUP BY webhook)
                """, logger: logger).wait().rows)
        }
        var counts: [String: WebhookDelivery.Counts] = [:]
        for row in byState {
            let cell = PostgresCells(row)
            let name: String = try cell(0), count: Int = try cell(2)
            switch WebhookDelivery.State(rawValue: try cell(1)) {
            case .pending: counts[name, default: .init()].pending = count
            case .delivered: counts[name, default: .init()].delivered = count
            case .failed: counts[name, default: .init()].failed = count
            case nil: break
            }
        }
        for row in delivered {
            let cell = PostgresCells(row)
            counts[try cell(0, as: String.self), default: .init()].lastDeliveredAt = Timestamp(milliseconds: try cell(1))
        }
        for row in errors {
            let cell = PostgresCells(row)
            counts[try cell(0, as: String.self), default: .init()].lastError = try cell(1)
        }
        return counts
    }

    public func recordAttempts(_ attempts: [WebhookDelivery.Attempt]) throws {
        guard !attempts.isEmpty else { return }
        var statement = PostgresStatement("UPDATE webhook_delivery AS d SET state = a.state, attempts = d.attempts + 1, next_attempt_at = a.next_attempt_at, delivered_at = a.delivered_at, last_status = a.last_status, last_error = a.last_error FROM (VALUES ")
        for (index, attempt) in attempts.enumerated() {
            statement.append(index == 0 ? "(?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?)", [
                .bigint(attempt.id), .text(attempt.state.rawValue), .bigint(attempt.nextAttemptAt.rawValue),
                .bigint(attempt.state == .delivered ? attempt.at.rawValue : nil), .int(attempt.status), .text(attempt.error),
            ])
        }
        statement.append(") AS a(id, state, next_attempt_at, delivered_at, last_status, last_error) WHERE d.id = a.id")
        let query = statement.query
        try writing { connection, logger in _ = try connection.query(query, logger: logger).wait().rows }
    }

    public func prune(finishedBefore cutoff: Timestamp, limit: Int) throws -> [String] {
        guard limit > 0 else { return [] }
        let values: [PostgresValue] = [.bigint(cutoff.rawValue), .int(limit)]
        let requests = PostgresStatement(
            """
            WITH doomed AS (
                SELECT ticket FROM request WHERE finished_at IS NOT NULL AND finished_at < ?
                ORDER BY finished_at, ticket LIMIT ?
            )
            DELETE FROM request r USING doomed d WHERE r.ticket = d.ticket RETURNING r.request_id, r.finished_at, r.ticket
            """, values).query
        let workers = PostgresStatement(
            "DELETE FROM worker_event WHERE id IN (SELECT id FROM worker_event WHERE at < ? ORDER BY at LIMIT ?)", values).query
        // The audit trail is kept as long as the requests it speaks of.
        let audits = PostgresStatement(
            "DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE at < ? ORDER BY at LIMIT ?)", values).query
        // Agents' events and webhook deliveries (ON DELETE CASCADE) as old as the retention; the floor lets a
        // stream resumed from before it know it missed some.
        let notifications = PostgresStatement(
            """
            WITH through AS (SELECT max(id) AS id FROM (SELECT id FROM notification WHERE at < ? ORDER BY id LIMIT ?) s),
            gone AS (DELETE FROM notification WHERE id <= (SELECT id FROM through) RETURNING id)
            INSERT INTO ledger_meta (key, value)
            SELECT 'notifications_pruned_through', id FROM through WHERE id IS NOT NULL AND EXISTS (SELECT 1 FROM gone)
            ON CONFLICT (key) DO UPDATE SET value = GREATEST(ledger_meta.value, EXCLUDED.value)
            """, values).query
        let deleted = try writing { connection, logger in
            let rows = try connection.query(requests, logger: logger).wait().rows
            _ = try connection.query(workers, logger: logger).wait().rows
            _ = try connection.query(audits, logger: logger).wait().rows
            _ = try connection.query(notifications, logger: logger).wait().rows
            return rows
        }
        var pruned: [(requestID: String, finishedAt: Int64, ticket: String)] = []
        for row in deleted {
            let cell = PostgresCells(row)
            pruned.append((try cell(0), try cell(1), try cell(2)))
        }
        return pruned.sorted { ($0.finishedAt, $0.ticket) < ($1.finishedAt, $1.ticket) }.map(\.requestID)
    }
}
