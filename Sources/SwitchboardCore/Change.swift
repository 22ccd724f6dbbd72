import SwitchboardSchema

/// One change of state, compact enough to hand to another thread: the ledger stores it and the publisher
/// turns it into an event. Each kind carries exactly what it needs, so a change that lacks a field does not
/// compile. Bodies (a request, answer, update, question or reply) are for the ledger only and are never
/// published or logged.
public enum Change: Sendable, Equatable {
    /// A new request: the ledger inserts it.
    case submitted(Submission)
    /// Offered to a worker (`facts.worker`), attempt `facts.attempt`.
    case offered(RequestFacts)
    /// The worker confirmed it took the request.
    case accepted(RequestFacts, Response)
    /// The first answer; `facts.worker` is the worker that answered.
    case answered(Answered)
    /// An interim update for the agent, kept in the history.
    case updated(RequestFacts, Response, body: [UInt8])
    /// The holder asked the agent a question; the request waits on the agent, its clocks paused.
    case waitingOnAgent(RequestFacts, Response, question: [UInt8])
    /// The agent answered the question; the request is worked on again.
    case infoReceived(RequestFacts, info: [UInt8])
    /// Moved to another department by its worker (`facts.worker`), same ticket, attempts from zero.
    case transferred(RequestFacts, from: String, reason: String)
    /// An SLA breach's escalation: a raised priority, or a move to another department (`from` set).
    case escalated(RequestFacts, from: String?, reason: String)
    /// Back in its queue: a worker failed it, or an operator requeued a dead letter (`deadline` set).
    case requeued(RequestFacts, reason: String, deadline: Timestamp?)
    case cancelled(RequestFacts, reason: String)
    case deadLettered(RequestFacts, reason: String, failure: Failure)
    /// A late answer to a request already final: recorded in the history, never delivered.
    case duplicateAnswer(RequestFacts, reason: String, body: [UInt8])
    case slaWarning(RequestFacts, SLANotice)
    case slaBreached(RequestFacts, SLANotice)
    case workerJoined(WorkerFacts)
    case workerLeft(WorkerFacts)
    case workerLost(WorkerFacts)
    case workerDraining(WorkerFacts)

    /// Why a request was dead-lettered, as STATUS reports it (`failure`).
    public enum Failure: String, Sendable, Equatable {
        case rejected
        case maxAttempts = "max_attempts"
        case noDepartment = "no_department"
    }

    /// What every change of a request says about it, as it stands after the change.
    public struct RequestFacts: Sendable, Equatable {
        public var ticket: Ticket
        public var requestID: String
        public var department: String
        public var priority: Priority
        public var state: RequestState
        /// Offers made in the current department.
        public var attempt: Int
        /// The worker concerned: the holder, or the one that answered, transferred or answered late.
        public var worker: String?
        public var at: Timestamp
        /// The pinned service-level policy and clocks after the change, when the change moved a clock (nil:
        /// the ledger keeps what it has).
        public var sla: SLAState?
        /// The agent that submitted it (a principal: CURVE or an HTTP token), nil for an anonymous connection;
        /// the ledger keeps the agents' event stream of their tickets by it.
        public var owner: String?
        /// The integration that submitted it on the owner's behalf (an HTTP integration token).
        public var via: String?

        public init(
            ticket: Ticket, requestID: String, department: String, priority: Priority, state: RequestState,
            attempt: Int, worker: String? = nil, at: Timestamp, sla: SLAState? = nil, owner: String? = nil,
            via: String? = nil
        ) {
            self.owner = owner
            self.via = via
            self.ticket = ticket
            self.requestID = requestID
            self.department = department
            self.priority = priority
            self.state = state
            self.attempt = attempt
            self.worker = worker
            self.at = at
            self.sla = sla
        }
    }

    public struct Submission: Sendable, Equatable {
        public var facts: RequestFacts
        public var body: [UInt8]
        /// Who submitted it: the principal with CURVE on, the connection's identity otherwise; ledger only.
        public var submitter: Submitter
        public var deadline: Timestamp

        public init(facts: RequestFacts, body: [UInt8], submitter: Submitter, deadline: Timestamp) {
            self.facts = facts
            self.body = body
            self.submitter = submitter
            self.deadline = deadline
        }
    }

    /// Who submitted a request. The identity is written out as hex by the ledger writer, not by the broker.
    public enum Submitter: Sendable, Equatable {
        case principal(String)
        case connection(PeerID)

        public var text: String {
            switch self {
            case .principal(let name): name
            case .connection(let id): id.hex
            }
        }
    }

    /// A worker's first sign of work on a request (an accept, update or question), for the time-to-first-
    /// response metric: whether it was the first, and when the request was submitted.
    public struct Response: Sendable, Equatable {
        public var first: Bool
        public var submittedAt: Timestamp

        public init(first: Bool, submittedAt: Timestamp) {
            self.first = first
            self.submittedAt = submittedAt
        }
    }

    public struct Answered: Sendable, Equatable {
        public var facts: RequestFacts
        public var body: [UInt8]
        /// For the time-to-answer metric; not published.
        public var submittedAt: Timestamp
        /// The worker was not the one holding the request (a late answer from an earlier holder won).
        public var fromEarlierHolder: Bool

        public init(facts: RequestFacts, body: [UInt8], submittedAt: Timestamp, fromEarlierHolder: Bool = false) {
            self.facts = facts
            self.body = body
            self.submittedAt = submittedAt
            self.fromEarlierHolder = fromEarlierHolder
        }
    }

    /// An SLA warning or breach: which clock, the warning threshold in percent, and when the target falls due.
    public struct SLANotice: Sendable, Equatable {
        public var target: SLATarget
        public var threshold: Int?
        public var dueAt: Timestamp?
        public var reason: String

        public init(target: SLATarget, threshold: Int?, dueAt: Timestamp?, reason: String) {
            self.target = target
            self.threshold = threshold
            self.dueAt = dueAt
            self.reason = reason
        }
    }

    public struct WorkerFacts: Sendable, Equatable {
        public var name: String
        public var departments: [String]
        public var credit: Int
        public var reason: String?
        public var at: Timestamp

        public init(name: String, departments: [String], credit: Int, reason: String? = nil, at: Timestamp) {
            self.name = name
            self.departments = departments
            self.credit = credit
            self.reason = reason
            self.at = at
        }
    }
}

extension Change {
    public var type: EventType {
        switch self {
        case .submitted: .requestSubmitted
        case .offered: .requestOffered
        case .accepted: .requestAccepted
        case .answered: .requestAnswered
        case .updated: .requestUpdated
        case .waitingOnAgent: .requestWaitingOnAgent
        case .infoReceived: .requestInfoReceived
        case .transferred: .requestTransferred
        case .escalated: .requestEscalated
        case .requeued: .requestRequeued
        case .cancelled: .requestCancelled
        case .deadLettered: .requestDeadLettered
        case .duplicateAnswer: .requestDuplicateAnswer
        case .slaWarning: .requestSLAWarning
        case .slaBreached: .requestSLABreached
        case .workerJoined: .workerJoined
        case .workerLeft: .workerLeft
        case .workerLost: .workerLost
        case .workerDraining: .workerDraining
        }
    }

    /// The request the change is about; nil for a worker's change.
    public var request: RequestFacts? {
        switch self {
        case .submitted(let submission): submission.facts
        case .answered(let answered): answered.facts
        case .offered(let facts), .accepted(let facts, _), .updated(let facts, _, _), .waitingOnAgent(let facts, _, _),
            .infoReceived(let facts, _), .transferred(let facts, _, _), .escalated(let facts, _, _),
            .requeued(let facts, _, _), .cancelled(let facts, _), .deadLettered(let facts, _, _),
            .duplicateAnswer(let facts, _, _), .slaWarning(let facts, _), .slaBreached(let facts, _):
            facts
        case .workerJoined, .workerLeft, .workerLost, .workerDraining: nil
        }
    }

    public var workerFacts: WorkerFacts? {
        switch self {
        case .workerJoined(let facts), .workerLeft(let facts), .workerLost(let facts), .workerDraining(let facts): facts
        default: nil
        }
    }

    public var at: Timestamp { request?.at ?? workerFacts!.at }

    /// The ticket of the request the change is about (read without copying its facts); nil for a worker's change.
    public var ticket: Ticket? {
        switch self {
        case .submitted(let submission): submission.facts.ticket
        case .answered(let answered): answered.facts.ticket
        case .offered(let facts), .accepted(let facts, _), .updated(let facts, _, _), .waitingOnAgent(let facts, _, _),
            .infoReceived(let facts, _), .transferred(let facts, _, _), .escalated(let facts, _, _),
            .requeued(let facts, _, _), .cancelled(let facts, _), .deadLettered(let facts, _, _),
            .duplicateAnswer(let facts, _, _), .slaWarning(let facts, _), .slaBreached(let facts, _):
            facts.ticket
        case .workerJoined, .workerLeft, .workerLost, .workerDraining: nil
        }
    }

    /// The reason the change gives (a requeue's, a cancellation's, an SLA notice's, a worker loss's, ...).
    public var reason: String? {
        switch self {
        case .transferred(_, _, let reason), .escalated(_, _, let reason), .requeued(_, let reason, _),
            .cancelled(_, let reason), .deadLettered(_, let reason, _), .duplicateAnswer(_, let reason, _):
            reason
        case .slaWarning(_, let notice), .slaBreached(_, let notice): notice.reason
        case .workerJoined(let facts), .workerLeft(let facts), .workerLost(let facts), .workerDraining(let facts):
            facts.reason
        case .submitted, .offered, .accepted, .answered, .updated, .waitingOnAgent, .infoReceived: nil
        }
    }

    /// The public event for this change: everything but bodies.
    public func event(sequence: UInt64) -> EventRecord {
        var event = EventRecord(type: type, at: at.iso8601, sequence: sequence)
        if let facts = request {
            event.ticket = facts.ticket.text
            event.requestId = facts.requestID
            event.department = facts.department
            event.priority = facts.priority
            event.state = facts.state
            event.attempt = facts.attempt
            event.worker = facts.worker
        }
        event.reason = reason
        switch self {
        case .transferred(_, let from, _): event.fromDepartment = from
        case .escalated(_, let from, _): event.fromDepartment = from
        case .slaWarning(_, let notice), .slaBreached(_, let notice):
            event.target = notice.target
            event.threshold = notice.threshold
            event.dueAt = notice.dueAt?.iso8601
        case .workerJoined(let facts), .workerLeft(let facts), .workerLost(let facts), .workerDraining(let facts):
            event.worker = facts.name
            event.departments = facts.departments
            event.credit = facts.credit
        default: break
        }
        return event
    }
}
