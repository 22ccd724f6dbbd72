import SwitchboardCore
import SwitchboardSchema

/// One request as the ledger holds it: what was submitted, where it is now, and its answer once it has one.
public struct StoredRequest: Sendable, Equatable {
    public var ticket: String
    public var requestID: String
    public var department: String
    public var priority: Priority
    public var state: RequestState
    /// Offers made in the current department.
    public var attempts: Int
    /// Who submitted it (the agent's connection identity, in hex).
    public var submitter: String
    /// The request body. Member data: never log it.
    public var body: [UInt8]
    /// The worker that last held or answered it.
    public var worker: String?
    public var reason: String?
    /// For a dead-lettered request: `rejected` or `max_attempts`.
    public var failure: String?
    /// Interim updates received.
    public var updates: Int
    public var submittedAt: Timestamp
    public var updatedAt: Timestamp
    public var deadline: Timestamp
    public var answeredAt: Timestamp?
    /// The first answer. Member data: never log it.
    public var answer: [UInt8]?
    /// When it reached a final state (answered, cancelled, dead-lettered); nil while open.
    public var finishedAt: Timestamp?
    /// The pinned SLA policy and clock states as last recorded (nil for requests recorded without them).
    public var sla: SLASnapshot?
    /// The named agent that submitted it (a CURVE principal or an HTTP agent); nil for an anonymous connection.
    public var agent: String?
    /// The integration (an HTTP integration token) that submitted it on the agent's behalf.
    public var via: String?

    public init(
        ticket: String, requestID: String, department: String, priority: Priority, state: RequestState,
        attempts: Int, submitter: String, body: [UInt8], worker: String? = nil, reason: String? = nil,
        failure: String? = nil, updates: Int = 0, submittedAt: Timestamp, updatedAt: Timestamp,
        deadline: Timestamp, answeredAt: Timestamp? = nil, answer: [UInt8]? = nil, finishedAt: Timestamp? = nil,
        sla: SLASnapshot? = nil, agent: String? = nil, via: String? = nil
    ) {
        self.agent = agent
        self.via = via
        self.ticket = ticket
        self.requestID = requestID
        self.department = department
        self.priority = priority
        self.state = state
        self.attempts = attempts
        self.submitter = submitter
        self.body = body
        self.worker = worker
        self.reason = reason
        self.failure = failure
        self.updates = updates
        self.submittedAt = submittedAt
        self.updatedAt = updatedAt
        self.deadline = deadline
        self.answeredAt = answeredAt
        self.answer = answer
        self.finishedAt = finishedAt
        self.sla = sla
    }
}
