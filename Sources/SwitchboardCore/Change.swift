import SwitchboardSchema

/// One change of state, compact enough to hand to another thread: the ledger stores it and the
/// publisher turns it into an event. `body` (a request, answer or update) is for the ledger only and is
/// never published or logged.
public struct Change: Sendable, Equatable {
    public var type: EventType
    public var at: Timestamp
    public var ticket: String?
    public var requestID: String?
    public var department: String?
    public var fromDepartment: String?
    public var priority: Priority?
    public var state: RequestState?
    public var attempt: Int?
    public var worker: String?
    public var reason: String?
    public var departments: [String]?
    public var credit: Int?
    public var deadline: Timestamp?
    /// Who submitted the request (for now the agent's connection identity, in hex); ledger only.
    public var submitter: String?
    /// For a dead-lettered request: `rejected` or `max_attempts` (see `RequestStatus.failure`).
    public var failure: String?
    /// For SLA events: the clock, the warning threshold in percent, and when the target falls due.
    public var slaTarget: SLATarget?
    public var slaThreshold: Int?
    public var dueAt: Timestamp?
    /// When the request was submitted (for the time-to-answer metric); not published.
    public var submittedAt: Timestamp?
    /// This accept, update or question is the request's first response (time-to-first-response metric).
    public var firstResponse = false
    /// The request's pinned service-level policy and clock states after the change; ledger only.
    public var sla: SLAState?
    public var body: [UInt8]?

    public init(type: EventType, at: Timestamp) {
        self.type = type
        self.at = at
    }

    /// The public event for this change: everything but the body.
    public func event(sequence: UInt64) -> EventRecord {
        var event = EventRecord(type: type, at: at.iso8601, sequence: sequence)
        event.ticket = ticket
        event.requestId = requestID
        event.department = department
        event.fromDepartment = fromDepartment
        event.priority = priority
        event.state = state
        event.attempt = attempt
        event.worker = worker
        event.reason = reason
        event.departments = departments
        event.target = slaTarget
        event.threshold = slaThreshold
        event.dueAt = dueAt?.iso8601
        event.credit = credit
        return event
    }
}
