import DequeModule
import SwitchboardSchema

/// The broker's brain, without I/O: department queues, dispatch, the worker registry and liveness, and
/// the request lifecycle.
///
/// Every input is a method taking the current time; every method returns the actions to carry out, in
/// order. Tests drive it with made-up timestamps; the broker thread drives it with the wall clock.
public struct BrokerCore: Sendable {
    public internal(set) var configuration: CoreConfiguration
    var departments = FastTable<String, DepartmentState>()
    var requests = FastTable<Ticket, RequestRecord>()
    /// Client request id → ticket, for idempotent submission.
    var ticketsByRequestID = FastTable<RequestIDKey, Ticket>()
    var workers = FastTable<PeerID, WorkerRecord>()
    /// Finished tickets held in `requests`, oldest first, so memory stays bounded.
    var finished = Deque<Ticket>()
    /// Every finished request's id and ticket within the retention, oldest first, for idempotency.
    var finishedIndex = Deque<FinishedEntry>()
    var timers = TimerQueue()
    var tickets = TicketIssuer()
    var nextSequence: UInt64 = 0
    var assignments: UInt64 = 0
    var registrations: UInt64 = 0
    public internal(set) var openRequests = 0
    var outbox: [CoreAction] = []
    /// Storage for the next outbox (see ``recycle(_:)``).
    var spareOutbox: [CoreAction] = []
    /// The broker is stopping: no new submissions, no new offers; workers finish what they hold.
    public internal(set) var draining = false

    struct FinishedEntry: Sendable {
        let finishedAt: Timestamp
        let requestID: String
        let ticket: Ticket
    }

    struct DepartmentState: Sendable {
        var policy: DepartmentPolicy {
            didSet {
                slaPolicies = DepartmentState.slaPolicies(of: policy)
                limits = Limits(policy)
            }
        }
        /// What the hot path reads of the policy, as plain values (a method of the policy, called through the
        /// table, would copy the whole policy each time).
        private(set) var limits: Limits
        var queue = RequestQueue()
        /// Identities of the workers serving it, in registration order.
        var workers: [PeerID] = []
        /// The SLA policy of each priority, built once: every request pins one of these values, so 100,000
        /// open requests share a handful of policies' storage instead of holding a copy each.
        private(set) var slaPolicies: [Priority: SLAPolicy]
        /// Removed from the configuration by a reload: it takes nothing new (submissions, transfers,
        /// escalations), and its open requests are served until they finish.
        var retired = false

        init(policy: DepartmentPolicy) {
            self.policy = policy
            slaPolicies = DepartmentState.slaPolicies(of: policy)
            limits = Limits(policy)
        }

        struct Limits: Sendable {
            var offerTimeout: Duration
            var maxAttempts: Int
            /// Answer target by priority rank (urgent first).
            var answerTargets: (Duration, Duration, Duration, Duration)

            init(_ policy: DepartmentPolicy) {
                offerTimeout = policy.offerTimeout
                maxAttempts = policy.maxAttempts
                answerTargets = (
                    policy.answerTarget(for: .urgent), policy.answerTarget(for: .high),
                    policy.answerTarget(for: .normal), policy.answerTarget(for: .low))
            }

            func answerTarget(for priority: Priority) -> Duration {
                switch priority {
                case .urgent: answerTargets.0
                case .high: answerTargets.1
                case .normal: answerTargets.2
                case .low: answerTargets.3
                }
            }
        }

        static func slaPolicies(of policy: DepartmentPolicy) -> [Priority: SLAPolicy] {
            Dictionary(uniqueKeysWithValues: Priority.allCases.map { ($0, policy.slaPolicy(for: $0)) })
        }
    }

    public init(configuration: CoreConfiguration, now: Timestamp) {
        self.configuration = configuration
        for policy in configuration.departments {
            departments[policy.name] = DepartmentState(policy: policy)
        }
        timers.schedule(.heartbeat, at: now + configuration.heartbeatInterval)
    }

    /// When Core next needs ``tick(now:)`` (the broker thread polls until then at the latest).
    public var nextDeadline: Timestamp? { timers.nextDeadline }

    /// Names of the configured departments, sorted (not those a reload removed).
    public var departmentNames: [String] {
        departments.slots.filter { !departments[slot: $0.slot].retired }.map(\.key).sorted()
    }

    /// Whether a department takes new requests: configured, and not removed by a reload.
    public func takesRequests(_ department: String) -> Bool {
        departments.slot(of: department).map { !departments[slot: $0].retired } ?? false
    }

    /// Requests waiting in a department's queue (not offered to anyone).
    public func queuedCount(department: String) -> Int {
        departments.slot(of: department).map { departments[slot: $0].queue.count } ?? 0
    }

    /// Live workers serving a department.
    public func workerCount(department: String) -> Int {
        departments.slot(of: department).map { departments[slot: $0].workers.count } ?? 0
    }

    public var workerCount: Int { workers.count }

    /// The state of a ticket, if known.
    public func state(of ticket: Ticket) -> RequestState? { requests.read(ticket) { $0.state } }

    /// Who submitted a ticket Core holds: `.some(nil)` when it was submitted without authentication, nil when
    /// Core does not hold it (ask the ledger).
    public func owner(of ticket: Ticket) -> String?? { requests.read(ticket) { $0.owner } }

    /// A registered worker's connection, name and departments.
    public func worker(identity: PeerID) -> (peer: Peer, name: String, departments: [String])? {
        workers.slot(of: identity).map { (workers[slot: $0].peer, workers[slot: $0].name, workers[slot: $0].departments) }
    }

    /// The ticket a client request id was given, within the idempotency window.
    public func ticket(forRequestID requestID: String) -> Ticket? { ticketsByRequestID[RequestIDKey(requestID)] }

    /// The department a ticket is in now, if Core holds it.
    public func department(of ticket: Ticket) -> String? { requests.read(ticket) { $0.department } }

    /// Whether a department has a live worker that takes new requests (not draining).
    public func isServed(_ department: String) -> Bool {
        departments.slot(of: department).map { isServed(departmentSlot: $0) } ?? false
    }

    func isServed(departmentSlot index: Int) -> Bool {
        departments[slot: index].workers.contains { id in
            workers.slot(of: id).map { !workers[slot: $0].draining } ?? false
        }
    }

    mutating func emit(_ action: CoreAction) { outbox.append(action) }

    /// The actions emitted since the last call. The outbox then reuses the buffer last given to
    /// ``recycle(_:)``, so that a broker handing each list back allocates none per message.
    mutating func takeActions() -> [CoreAction] {
        var taken: [CoreAction] = []
        swap(&taken, &spareOutbox)
        swap(&taken, &outbox)
        return taken
    }

    /// Hands back a list of actions once carried out: its storage holds the next ones.
    public mutating func recycle(_ actions: inout [CoreAction]) {
        actions.removeAll(keepingCapacity: true)
        if actions.capacity > spareOutbox.capacity { swap(&actions, &spareOutbox) }
    }

    /// Schedules a timer. Timers left behind by finished requests and earlier offers are dropped once they
    /// outnumber those that can still apply (one heartbeat, one expiry per worker, at most an offer timeout and
    /// an SLA timer per open request), so the heap stays proportional to what is open.
    mutating func schedule(_ kind: TimerQueue.Kind, at due: Timestamp) {
        timers.schedule(kind, at: due)
        let live = 1 + workers.count + 2 * openRequests
        guard timers.count > 2 * live + 4096 else { return }
        var compacted = timers
        timers = TimerQueue()
        compacted.compact { isLive($0) }
        timers = compacted
    }

    /// Whether a timer can still act when it fires.
    func isLive(_ kind: TimerQueue.Kind) -> Bool {
        switch kind {
        case .heartbeat:
            return true
        case let .offerTimeout(ticket, offer):
            guard let slot = requests.slot(of: ticket) else { return false }
            return requests[slot: slot].state == .offered && requests[slot: slot].queueGeneration == offer
        case let .workerExpiry(id, registration):
            return workers.slot(of: id).map { workers[slot: $0].registration == registration } ?? false
        case let .sla(ticket, generation):
            guard let slot = requests.slot(of: ticket) else { return false }
            return !requests[slot: slot].state.isFinal && requests[slot: slot].sla?.generation == generation
        }
    }

    // MARK: Timers

    /// Fires every timer that is due: offer timeouts, worker expiry, broker heartbeats.
    public mutating func tick(now: Timestamp) -> [CoreAction] {
        while let kind = timers.popDue(now: now) {
            switch kind {
            case let .offerTimeout(ticket, offer):
                offerTimedOut(ticket: ticket, offer: offer, now: now)
            case let .workerExpiry(id, registration):
                checkExpiry(workerID: id, registration: registration, now: now)
            case let .sla(ticket, generation):
                slaDue(ticket: ticket, generation: generation, now: now)
            case .heartbeat:
                for worker in workers.allValues {
                    emit(.sendToWorker(worker.peer, .heartbeat))
                }
                pruneIndex(now: now)
                schedule(.heartbeat, at: now + configuration.heartbeatInterval)
            }
        }
        return takeActions()
    }

    private mutating func offerTimedOut(ticket: Ticket, offer: UInt32, now: Timestamp) {
        guard let request = requests[ticket], request.state == .offered, request.queueGeneration == offer,
            let holder = request.holder
        else { return }
        // The worker never confirmed; tell it to drop the request so two workers do not work on it.
        emit(.sendToWorker(holder, .cancel(ticket: ticket)))
        requeue(
            ticket: ticket, reason: "offer not accepted within \(policy(request.department).offerTimeout)",
            avoiding: holder.id, now: now)
        fill(workerID: holder.id, now: now)
    }

    private mutating func checkExpiry(workerID: PeerID, registration: UInt64, now: Timestamp) {
        guard let slot = workers.slot(of: workerID), workers[slot: slot].registration == registration else { return }
        let worker = workers[slot: slot]
        let expiresAt = worker.lastSeen + worker.timeout
        if expiresAt > now {
            schedule(.workerExpiry(id: workerID, registration: registration), at: expiresAt)
            return
        }
        removeWorker(id: workerID, lost: true, reason: "no heartbeat for \(worker.timeout)", now: now)
    }

    func policy(_ department: String) -> DepartmentPolicy {
        departments[slot: departments.slot(of: department)!].policy
    }

    /// How long an offer in the department may wait for its ACCEPT.
    func offerTimeout(_ department: String) -> Duration {
        departments[slot: departments.slot(of: department)!].policy.offerTimeout
    }
}
