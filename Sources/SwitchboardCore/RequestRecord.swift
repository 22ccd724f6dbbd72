import SwitchboardSchema

/// Everything Core knows about one request.
struct RequestRecord: Sendable {
    let ticket: Ticket
    let requestID: String
    var department: String
    /// The department's slot in Core's table (departments keep theirs for the process's life); -1 for a
    /// recovered request of a department no longer configured.
    var departmentSlot: Int
    var priority: Priority
    var state: RequestState
    /// Offers made in the current department.
    var attempts: Int = 0
    /// The worker the request is offered to or accepted by.
    var holder: Peer?
    /// The holder's name, kept with it: changes name the worker even after it has gone.
    var holderName: String?
    /// Earlier holders in this department: their late answers still count (first answer wins).
    var pastHolders: [Peer] = []
    /// The principal that submitted it (CURVE on); only it and ops may read or cancel it.
    var owner: String?
    /// The integration (a CRM's HTTP token) that submitted it on the owner's behalf.
    var via: String?
    /// Where answers and updates are pushed: the agent that submitted, or the last to ask its status.
    var agent: Peer?
    /// The request body, needed to offer it again; dropped once the request is finished.
    var body: [UInt8]
    let submittedAt: Timestamp
    var updatedAt: Timestamp
    var deadline: Timestamp
    var answeredAt: Timestamp?
    /// When a worker first accepted it, asked the agent or sent an update.
    var respondedAt: Timestamp?
    var answer: [UInt8]?
    var reason: String?
    /// Why a dead-lettered request failed.
    var failure: Change.Failure?
    var updates: Int = 0
    /// The pinned service-level policy and its clocks.
    var sla: RequestSLA?
    /// Submission order: the last tie-breaker in the queue.
    let sequence: UInt64
    /// Bumped whenever the request leaves a queue, so stale queue entries are recognized.
    var queueGeneration: UInt32 = 0
}

extension RequestRecord {
    /// What a change says about the request as it stands; `sla` when the change moved one of its clocks.
    @inline(__always)
    func facts(at now: Timestamp, sla: Bool = false, worker: String? = nil) -> Change.RequestFacts {
        Change.RequestFacts(
            ticket: ticket, requestID: requestID, department: department, priority: priority, state: state,
            attempt: attempts, worker: worker ?? holderName, at: now, sla: sla ? self.sla.map(SLAState.init) : nil,
            owner: owner, via: via)
    }
}
