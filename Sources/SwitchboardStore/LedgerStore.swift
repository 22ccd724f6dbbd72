import SwitchboardCore
import SwitchboardSchema

/// What the daemon needs of its durable ledger, whichever engine keeps it: ``Ledger`` (SQLite, embedded, the
/// default) or the PostgreSQL ledger of a high-availability pair (`SwitchboardPostgres`). Both pass the same
/// tests (`Tests/SwitchboardStoreTests`, run against each backend).
///
/// Every call blocks the calling thread until the database answers: call it from the ledger writer thread,
/// at start-up, or from a queue of its own, never from the broker thread nor a task of the cooperative pool.
/// ``apply(_:audits:notifications:)`` is meant for one writer thread: each call is one transaction, in call
/// order.
public protocol LedgerStore: AnyObject, Sendable {
    /// Where the ledger is, for logs and errors: the SQLite file, or the PostgreSQL server and database (never
    /// a password).
    var path: String { get }

    /// Applies a group of changes in ONE transaction (group commit) with the audit lines and the notifications
    /// `notifications` asks for, and returns once it is durable: the last notification id written, if any.
    /// Throws, having written nothing of the group, if the database fails (or, on PostgreSQL, if this daemon no
    /// longer holds the leader lease).
    @discardableResult
    func apply(_ changes: [Change], audits: [AuditRecord], notifications: NotificationPolicy) throws -> Int64?

    // MARK: Recovery

    /// Open requests (not finished), in ticket order, with their bodies.
    func openRequests() throws -> [StoredRequest]
    /// Request id → ticket and finish time of every finished request still held, oldest finished first.
    func finishedIndex() throws -> [(requestID: String, ticket: Ticket, finishedAt: Timestamp)]
    /// The largest ticket held (nil when empty).
    func lastTicket() throws -> Ticket?

    // MARK: Reads

    /// One request with its answer; nil for a ticket the ledger does not hold.
    func request(ticket: String) throws -> StoredRequest?
    /// The ticket's history in the order it happened, without bodies; empty for an unknown ticket.
    func history(ticket: String) throws -> [StoredEvent]
    /// Updates, questions and the agent's replies of a ticket, oldest first, bodies included.
    func messages(ticket: String) throws -> [(type: EventType, at: Timestamp, body: [UInt8])]
    /// Requests by state, every state present.
    func countsByState() throws -> [RequestState: Int]
    /// One page of requests matching the filter, as a list shows them (no bodies).
    func requests(_ filter: RequestFilter, now: Timestamp) throws -> RequestPage
    /// Dead-lettered requests, most recently dead-lettered first.
    func deadLetters(department: String?, limit: Int, offset: Int, now: Timestamp) throws -> RequestPage
    /// The latest SLA breaches, newest first.
    func recentBreaches(limit: Int) throws -> [BreachSummary]
    /// Compliance per department and priority of requests finished since `since`.
    func slaReport(since: Timestamp, department: String?) throws -> [SLAReportRow]
    /// The audit trail, oldest first, optionally of one ticket or principal.
    func audit(ticket: String?, principal: String?, limit: Int) throws -> [AuditRecord]

    // MARK: Notifications and webhooks

    /// Events of `audience` after `id`, oldest first, with their ids.
    func notifications(for audience: StreamAudience, after id: Int64, limit: Int) throws -> [AgentEvent]
    /// The ids a stream may resume from: events up to `floor` were pruned; `latest` is the last ever written.
    func notificationBounds() throws -> (floor: Int64, latest: Int64)
    /// Deliveries waiting to be (re)tried, oldest first, after `id`.
    func pendingDeliveries(after id: Int64, limit: Int) throws -> [WebhookDelivery]
    /// A webhook's deliveries, newest first.
    func deliveries(webhook: String, state: WebhookDelivery.State?, limit: Int) throws -> [WebhookDelivery]
    /// Each webhook's deliveries counted by state, with its last delivery and error.
    func deliveryCounts() throws -> [String: WebhookDelivery.Counts]
    /// Records one attempt at each delivery, in one transaction.
    func recordAttempts(_ attempts: [WebhookDelivery.Attempt]) throws

    // MARK: Upkeep

    /// Deletes up to `limit` requests finished before `cutoff` with their history (and as much of the worker
    /// log, the audit trail and the notifications), in one short transaction: the request ids deleted.
    func prune(finishedBefore cutoff: Timestamp, limit: Int) throws -> [String]
    /// Folds what the engine keeps aside (SQLite's write-ahead log) into the ledger proper; a no-op elsewhere.
    func checkpoint() throws
    /// Closes the ledger (and releases what it holds). Idempotent.
    func close() throws
}

/// Whose events a stream reads: an agent's, or everything one integration submitted.
public enum StreamAudience: Sendable, Equatable {
    case agent(String)
    case integration(String)
}

extension LedgerStore {
    @discardableResult
    public func apply(_ changes: [Change], audits: [AuditRecord] = []) throws -> Int64? {
        try apply(changes, audits: audits, notifications: .none)
    }

    @discardableResult
    public func apply(_ changes: [Change], notifications: NotificationPolicy) throws -> Int64? {
        try apply(changes, audits: [], notifications: notifications)
    }

    public func slaReport(since: Timestamp) throws -> [SLAReportRow] {
        try slaReport(since: since, department: nil)
    }

    public func audit(ticket: String? = nil, principal: String? = nil) throws -> [AuditRecord] {
        try audit(ticket: ticket, principal: principal, limit: 10_000)
    }

    public func notifications(for audience: StreamAudience, after id: Int64) throws -> [AgentEvent] {
        try notifications(for: audience, after: id, limit: 500)
    }

    public func pendingDeliveries(after id: Int64 = 0) throws -> [WebhookDelivery] {
        try pendingDeliveries(after: id, limit: 1000)
    }

    public func deliveries(webhook: String, state: WebhookDelivery.State? = nil) throws -> [WebhookDelivery] {
        try deliveries(webhook: webhook, state: state, limit: 50)
    }
}
