import Foundation
import GRDB
import SwitchboardCore
import SwitchboardSchema

/// The agents' event streams and the webhooks' outbox (`notification`, `webhook_delivery`; migration v6).
extension Ledger {
    static let insertNotificationSQL = """
        INSERT INTO notification (ticket, type, at, agent, via, department, payload) VALUES (?, ?, ?, ?, ?, ?, ?)
        """
    static let insertDeliverySQL = """
        INSERT INTO webhook_delivery (webhook, notification, created_at, next_attempt_at) VALUES (?, ?, ?, ?)
        """

    /// Writes the notifications `changes` call for under `policy`, inside the caller's transaction. Returns
    /// the last notification id written (nil: none).
    static func writeNotifications(_ changes: [Change], policy: NotificationPolicy, _ db: Database) throws -> Int64? {
        var last: Int64?
        for row in NotificationRow.rows(for: changes, policy: policy) {
            try db.cachedStatement(sql: insertNotificationSQL).execute(arguments: [
                row.ticket, row.type, row.at, row.agent, row.via, row.department, Data(row.payload),
            ])
            let id = db.lastInsertedRowID
            last = id
            for hook in row.webhooks {
                try db.cachedStatement(sql: insertDeliverySQL).execute(arguments: [hook, id, row.at, row.at])
            }
        }
        return last
    }

    /// Events of `audience` after `id`, oldest first, with their ids.
    public func notifications(for audience: StreamAudience, after id: Int64, limit: Int) throws -> [AgentEvent] {
        try reportingErrors {
            try writer.read { db in
                let (column, value) = switch audience {
                case .agent(let name): ("agent", name)
                case .integration(let name): ("via", name)
                }
                let rows = try Row.fetchAll(
                    db, sql: "SELECT id, payload FROM notification WHERE \(column) = ? AND id > ? ORDER BY id LIMIT ?",
                    arguments: [value, id, limit])
                return rows.compactMap { row -> AgentEvent? in
                    let payload: Data = row[1]
                    guard var event = try? JSONCoding.decode(AgentEvent.self, from: [UInt8](payload)) else { return nil }
                    event.id = row[0]
                    return event
                }
            }
        }
    }

    /// The range of event ids a stream may resume from: `floor` (events up to it were pruned: a resume from
    /// before it would miss some) and `latest` (the last id ever written; 0 if none).
    public func notificationBounds() throws -> (floor: Int64, latest: Int64) {
        try reportingErrors {
            try writer.read { db in
                let latest = try Int64.fetchOne(
                    db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'notification'") ?? 0
                let floor = try Int64.fetchOne(
                    db, sql: "SELECT value FROM ledger_meta WHERE key = 'notifications_pruned_through'") ?? 0
                return (floor, latest)
            }
        }
    }

    // MARK: Webhook deliveries

    /// Deliveries waiting to be (re)tried, with their payloads, oldest first; `after` skips those already known.
    public func pendingDeliveries(after id: Int64, limit: Int) throws -> [WebhookDelivery] {
        try reportingErrors {
            try writer.read { db in
                try Row.fetchAll(
                    db, sql: WebhookDelivery.selectSQL + " WHERE d.state = 'pending' AND d.id > ? ORDER BY d.id LIMIT ?",
                    arguments: [id, limit]
                ).map(WebhookDelivery.init(row:))
            }
        }
    }

    /// A webhook's deliveries, newest first (optionally in one state), for the delivery log.
    public func deliveries(webhook: String, state: WebhookDelivery.State?, limit: Int) throws -> [WebhookDelivery] {
        try reportingErrors {
            try writer.read { db in
                var sql = WebhookDelivery.selectSQL + " WHERE d.webhook = ?"
                var arguments: StatementArguments = [webhook]
                if let state { sql += " AND d.state = ?"; arguments += [state.rawValue] }
                return try Row.fetchAll(db, sql: sql + " ORDER BY d.id DESC LIMIT ?", arguments: arguments + [limit])
                    .map(WebhookDelivery.init(row:))
            }
        }
    }

    /// Counts of each webhook's deliveries by state, and its last delivery and error.
    public func deliveryCounts() throws -> [String: WebhookDelivery.Counts] {
        try reportingErrors {
            try writer.read { db in
                var counts: [String: WebhookDelivery.Counts] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT webhook, state, count(*) FROM webhook_delivery GROUP BY webhook, state") {
                    let name: String = row[0], state: String = row[1], count: Int = row[2]
                    switch WebhookDelivery.State(rawValue: state) {
                    case .pending: counts[name, default: .init()].pending = count
                    case .delivered: counts[name, default: .init()].delivered = count
                    case .failed: counts[name, default: .init()].failed = count
                    case nil: break
                    }
                }
                for row in try Row.fetchAll(db, sql: """
                    SELECT webhook, max(delivered_at) FROM webhook_delivery WHERE delivered_at IS NOT NULL GROUP BY webhook
                    """) {
                    let name: String = row[0], at: Int64 = row[1]
                    counts[name, default: .init()].lastDeliveredAt = Timestamp(milliseconds: at)
                }
                for row in try Row.fetchAll(db, sql: """
                    SELECT webhook, last_error FROM webhook_delivery
                    WHERE id IN (SELECT max(id) FROM webhook_delivery WHERE last_error IS NOT NULL GROUP BY webhook)
                    """) {
                    let name: String = row[0], error: String? = row[1]
                    counts[name, default: .init()].lastError = error
                }
                return counts
            }
        }
    }

    /// Records one attempt at each delivery (in one transaction): delivered, failed for good, or to be
    /// tried again at `nextAttemptAt`.
    public func recordAttempts(_ attempts: [WebhookDelivery.Attempt]) throws {
        guard !attempts.isEmpty else { return }
        try reportingErrors {
            try writer.write { db in
                let statement = try db.cachedStatement(sql: """
                    UPDATE webhook_delivery SET state = ?, attempts = attempts + 1, next_attempt_at = ?,
                        delivered_at = ?, last_status = ?, last_error = ?
                    WHERE id = ?
                    """)
                for attempt in attempts {
                    try statement.execute(arguments: [
                        attempt.state.rawValue, attempt.nextAttemptAt.rawValue,
                        attempt.state == .delivered ? attempt.at.rawValue : nil, attempt.status, attempt.error, attempt.id,
                    ])
                }
            }
        }
    }
}

/// One webhook delivery of the outbox: which event goes to which webhook, and how its attempts went.
public struct WebhookDelivery: Sendable, Equatable {
    public enum State: String, Sendable, Codable {
        case pending, delivered, failed
    }

    public var id: Int64
    public var webhook: String
    public var event: AgentEvent
    public var state: State
    public var attempts: Int
    public var createdAt: Timestamp
    public var nextAttemptAt: Timestamp
    public var deliveredAt: Timestamp?
    public var lastStatus: Int?
    public var lastError: String?

    package static let selectSQL = """
        SELECT d.id, d.webhook, n.id, n.payload, d.state, d.attempts, d.created_at, d.next_attempt_at, d.delivered_at,
            d.last_status, d.last_error
        FROM webhook_delivery d JOIN notification n ON n.id = d.notification
        """

    /// A delivery as read back, for the PostgreSQL ledger (which reads its rows its own way).
    package init(
        id: Int64, webhook: String, notification: Int64, payload: [UInt8], state: String, attempts: Int,
        createdAt: Int64, nextAttemptAt: Int64, deliveredAt: Int64?, lastStatus: Int?, lastError: String?
    ) throws {
        self.id = id
        self.webhook = webhook
        event = try JSONCoding.decode(AgentEvent.self, from: payload)
        event.id = notification
        self.state = State(rawValue: state) ?? .pending
        self.attempts = attempts
        self.createdAt = Timestamp(milliseconds: createdAt)
        self.nextAttemptAt = Timestamp(milliseconds: nextAttemptAt)
        self.deliveredAt = deliveredAt.map(Timestamp.init(milliseconds:))
        self.lastStatus = lastStatus
        self.lastError = lastError
    }

    init(row: Row) throws {
        id = row[0]
        webhook = row[1]
        let payload: Data = row[3]
        event = try JSONCoding.decode(AgentEvent.self, from: [UInt8](payload))
        event.id = row[2]
        state = State(rawValue: row[4]) ?? .pending
        attempts = row[5]
        createdAt = Timestamp(milliseconds: row[6])
        nextAttemptAt = Timestamp(milliseconds: row[7])
        deliveredAt = (row[8] as Int64?).map(Timestamp.init(milliseconds:))
        lastStatus = row[9]
        lastError = row[10]
    }

    /// The outcome of one attempt, for ``Ledger/recordAttempts(_:)``.
    public struct Attempt: Sendable, Equatable {
        public var id: Int64
        public var state: State
        public var at: Timestamp
        public var nextAttemptAt: Timestamp
        /// The receiver's HTTP status, if it answered.
        public var status: Int?
        public var error: String?

        public init(id: Int64, state: State, at: Timestamp, nextAttemptAt: Timestamp, status: Int?, error: String?) {
            self.id = id
            self.state = state
            self.at = at
            self.nextAttemptAt = nextAttemptAt
            self.status = status
            self.error = error
        }
    }

    public struct Counts: Sendable, Equatable {
        public var pending = 0
        public var delivered = 0
        public var failed = 0
        public var lastDeliveredAt: Timestamp?
        public var lastError: String?
        public init() {}
    }
}
