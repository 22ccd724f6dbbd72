/// The broker's totals (`GET /api/v1/stats`, `schemas/api/stats.schema.json`). Counters count since the
/// daemon started; gauges are now.
public struct OperationsStats: Codable, Sendable, Equatable {
    public var version: String
    public var startedAt: String
    public var uptimeSeconds: Double
    public var submitted: UInt64
    public var answered: UInt64
    public var cancelled: UInt64
    public var deadLettered: UInt64
    /// Requests offered again after a worker failed or timed out.
    public var retries: UInt64
    public var slaWarnings: UInt64
    public var slaBreaches: UInt64
    public var protocolErrors: UInt64
    public var messagesReceived: UInt64
    public var messagesSent: UInt64
    /// Open requests now, by state (`queued`, `offered`, `accepted`, `waiting_on_agent`).
    public var pending: [String: Int]
    public var workers: Int
    public var departments: Int

    public init(
        version: String, startedAt: String, uptimeSeconds: Double, submitted: UInt64, answered: UInt64,
        cancelled: UInt64, deadLettered: UInt64, retries: UInt64, slaWarnings: UInt64, slaBreaches: UInt64,
        protocolErrors: UInt64, messagesReceived: UInt64, messagesSent: UInt64, pending: [String: Int], workers: Int,
        departments: Int
    ) {
        self.version = version
        self.startedAt = startedAt
        self.uptimeSeconds = uptimeSeconds
        self.submitted = submitted
        self.answered = answered
        self.cancelled = cancelled
        self.deadLettered = deadLettered
        self.retries = retries
        self.slaWarnings = slaWarnings
        self.slaBreaches = slaBreaches
        self.protocolErrors = protocolErrors
        self.messagesReceived = messagesReceived
        self.messagesSent = messagesSent
        self.pending = pending
        self.workers = workers
        self.departments = departments
    }
}
