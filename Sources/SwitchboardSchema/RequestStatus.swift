/// The JSON body of a STATUS reply (`schemas/status.schema.json`). Never contains the request body;
/// the answer, once there is one, travels in a frame of its own.
public struct RequestStatus: Codable, Sendable, Equatable {
    public var ticket: String
    public var requestId: String
    public var department: String
    public var priority: Priority
    public var state: RequestState
    /// How many times it has been offered to a worker.
    public var attempts: Int
    /// The worker holding it now (offered or accepted), by display name.
    public var worker: String?
    /// Why it was dead-lettered or cancelled.
    public var reason: String?
    /// For a dead-lettered request, why in one word: `rejected` (the department refused it), `max_attempts`, or
    /// `no_department` (recovered after a restart whose configuration dropped its department).
    public var failure: String?
    /// The request's service-level clocks (first response, answer, periodic update), when it has them.
    public var clocks: [SLAClockStatus]?
    /// Number of interim updates received.
    public var updates: Int
    /// RFC 3339 times, UTC, millisecond precision.
    public var submittedAt: String
    public var updatedAt: String
    public var deadline: String?
    public var answeredAt: String?

    public init(
        ticket: String, requestID: String, department: String, priority: Priority, state: RequestState,
        attempts: Int, worker: String?, reason: String?, updates: Int, submittedAt: String, updatedAt: String,
        deadline: String?, answeredAt: String?, failure: String? = nil, clocks: [SLAClockStatus]? = nil
    ) {
        self.ticket = ticket
        self.requestId = requestID
        self.department = department
        self.priority = priority
        self.state = state
        self.attempts = attempts
        self.worker = worker
        self.reason = reason
        self.updates = updates
        self.submittedAt = submittedAt
        self.updatedAt = updatedAt
        self.deadline = deadline
        self.answeredAt = answeredAt
        self.failure = failure
        self.clocks = clocks
    }
}
