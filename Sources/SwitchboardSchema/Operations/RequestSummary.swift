/// Where a request stands against its service levels, in one word.
public enum SLALevel: String, Codable, Sendable, CaseIterable {
    /// The department has no target for its priority.
    case none
    /// Every clock is within its first warning threshold (or met).
    case ok
    /// A clock passed a warning threshold: about to breach.
    case warning
    /// A clock passed its target.
    case breached
}

/// One request in a list (`GET /api/v1/requests`, `schemas/api/request-page.schema.json`). Never the body.
public struct RequestSummary: Codable, Sendable, Equatable {
    public var ticket: String
    public var requestId: String
    public var department: String
    public var priority: Priority
    public var state: RequestState
    public var attempts: Int
    /// The worker holding it (or that last held it).
    public var worker: String?
    public var reason: String?
    public var failure: String?
    public var sla: SLALevel
    /// RFC 3339 times, UTC.
    public var submittedAt: String
    public var updatedAt: String
    /// When its answer falls due (the SLA answer clock, or the department's deadline).
    public var deadline: String
    /// Seconds since submission.
    public var ageSeconds: Double
    /// Seconds until the deadline; negative once overdue. Absent for finished requests.
    public var dueInSeconds: Double?

    public init(
        ticket: String, requestID: String, department: String, priority: Priority, state: RequestState,
        attempts: Int, worker: String?, reason: String?, failure: String?, sla: SLALevel, submittedAt: String,
        updatedAt: String, deadline: String, ageSeconds: Double, dueInSeconds: Double?
    ) {
        self.ticket = ticket
        self.requestId = requestID
        self.department = department
        self.priority = priority
        self.state = state
        self.attempts = attempts
        self.worker = worker
        self.reason = reason
        self.failure = failure
        self.sla = sla
        self.submittedAt = submittedAt
        self.updatedAt = updatedAt
        self.deadline = deadline
        self.ageSeconds = ageSeconds
        self.dueInSeconds = dueInSeconds
    }
}

/// A page of requests (`schemas/api/request-page.schema.json`).
public struct RequestPage: Codable, Sendable, Equatable {
    public var items: [RequestSummary]
    /// Requests matching the filter, over all pages.
    public var total: Int
    public var offset: Int
    public var limit: Int

    public init(items: [RequestSummary], total: Int, offset: Int, limit: Int) {
        self.items = items
        self.total = total
        self.offset = offset
        self.limit = limit
    }
}
