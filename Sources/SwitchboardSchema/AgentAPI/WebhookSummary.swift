/// A configured webhook and how its deliveries stand (`GET /api/v1/webhooks`).
public struct WebhookSummary: Codable, Sendable, Equatable {
    public var name: String
    public var url: String
    public var events: [String]
    /// Empty: every department.
    public var departments: [String]
    public var pending: Int
    public var delivered: Int
    public var failed: Int
    public var lastDeliveredAt: String?
    public var lastError: String?

    public init(
        name: String, url: String, events: [String], departments: [String], pending: Int, delivered: Int, failed: Int,
        lastDeliveredAt: String?, lastError: String?
    ) {
        self.name = name
        self.url = url
        self.events = events
        self.departments = departments
        self.pending = pending
        self.delivered = delivered
        self.failed = failed
        self.lastDeliveredAt = lastDeliveredAt
        self.lastError = lastError
    }
}

/// One delivery of the delivery log (`GET /api/v1/webhooks/{name}/deliveries`).
public struct WebhookDeliverySummary: Codable, Sendable, Equatable {
    public var id: Int64
    public var webhook: String
    public var eventId: Int64
    public var event: String
    public var ticket: String
    /// pending, delivered or failed.
    public var state: String
    public var attempts: Int
    public var createdAt: String
    public var nextAttemptAt: String?
    public var deliveredAt: String?
    public var lastStatus: Int?
    public var lastError: String?

    public init(
        id: Int64, webhook: String, eventId: Int64, event: String, ticket: String, state: String, attempts: Int,
        createdAt: String, nextAttemptAt: String?, deliveredAt: String?, lastStatus: Int?, lastError: String?
    ) {
        self.id = id
        self.webhook = webhook
        self.eventId = eventId
        self.event = event
        self.ticket = ticket
        self.state = state
        self.attempts = attempts
        self.createdAt = createdAt
        self.nextAttemptAt = nextAttemptAt
        self.deliveredAt = deliveredAt
        self.lastStatus = lastStatus
        self.lastError = lastError
    }
}
