import DequeModule
import SwitchboardSchema

/// The broker's brain, without I/O: department queues, dispatch, the worker registry and liveness, and
/// the request lifecycle.
///
/// Every input is a method taking the current time; every method returns the actions to carry out, in
/// order. Tests drive it with made-up timestamps; the broker thread drives it with the wall clock.
public struct BrokerCore: Sendable {
    public internal(set) var configuration: CoreConfiguration
    var departments: [String: DepartmentState] = [:]
    var requests: [String: RequestRecord] = [:]
    /// Client request id → ticket, for idempotent submission.
    var ticketsByRequestID: [String: String] = [:]
    var workers: [[UInt8]: WorkerRecord] = [:]
    /// Finished tickets held in `requests`, oldest first, so memory stays bounded.
    var finished = Deque<String>()
    /// Every finished request's id and ticket within the retention, oldest first, for idempotency.
    var finishedIndex = Deque<FinishedEntry>()
    var timers = TimerQueue()
    var tickets = TicketIssuer()
    var nextSequence: UInt64 = 0
    var assignments: UInt64 = 0
    var registrations: UInt64 = 0
    public internal(set) var openRequests = 0
    var outbox: [CoreAction] = []
    /// The broker is stopping: no new submissions, no new offers; workers finish what they hold.
    public internal(set) var draining = false

    struct FinishedEntry: Sendable {
        let finishedAt: Timestamp
        let requestID: String
        let ticket: String
    }

    struct DepartmentState: Sendable {
        var policy: DepartmentPolicy {
            didSet { slaPolicies = DepartmentState.slaPolicies(of: policy) }
        }
        var queue = RequestQueue()
        /// Identities of the workers serving it, in registration order.
        var workers: [[UInt8]] = []
        /// The SLA policy of each priority, built once: every request pins one of these values, so 100,000
        /// open requests share a handful of policies' storage instead of holding a copy each.
        private(set) var slaPolicies: [Priority: SLAPolicy]
        /// Removed from the configuration by a reload: it takes nothing new (submissions, transfers,
        /// escalations), and its open requests are served until they finish.
        var retired = false

        init(policy: DepartmentPolicy) {
            self.policy = policy
            slaPolicies = DepartmentState.slaPolicies(of: policy)
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
    public var departmentNames: [String] { departments.filter { !$0.value.retired }.keys.sorted() }

    /// Whether a department takes new requests: configured, and not removed by a reload.
    public func takesRequests(_ department: String) -> Bool { departments[department].map { !$0.retired } ?? false }

    /// Requests waiting in a department's queue (not offered to anyone).
    public func queuedCount(department: String) -> Int { departments[department]?.queue.count ?? 0 }

    /// Live workers serving a department.
    public func workerCount(department: String) -> Int { departments[department]?.workers.count ?? 0 }

    public var workerCount: Int { workers.count }

    /// The state of a ticket, if known.
    public func state(of ticket: String) -> RequestState? { requests[ticket]?.state }

    /// Who submitted a ticket Core holds: `.some(nil)` when it was submitted without authentication, nil when
    /// Core does not hold it (ask the ledger).
    public func owner(of ticket: String) -> String?? { requests[ticket].map(\.owner) }

    /// A registered worker's connection, name and departments.
    public func worker(identity: [UInt8]) -> (peer: Peer, name: String, departments: [String])? {
        workers[identity].map { ($0.peer, $0.name, $0.departments) }
    }

    /// The ticket a client request id was given, within the idempotency window.
    public func ticket(forRequestID requestID: String) -> String? { ticketsByRequestID[requestID] }

    /// The department a ticket is in now, if Core holds it.
    public func department(of ticket: String) -> String? { requests[ticket]?.department }

    /// Whether a department has a live worker that takes new requests (not draining).
    public func isServed(_ department: String) -> Bool {
        departments[department]?.workers.contains { workers[$0]?.draining == false } ?? false
    }

    mutating func emit(_ action: CoreAction) { outbox.append(action) }

    mutating func takeActions() -> [CoreAction] {
        defer { outbox.removeAll(keepingCapacity: true) }
        return outbox
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
                for worker in workers.values {
                    emit(.sendToWorker(worker.peer, .heartbeat))
                }
                pruneIndex(now: now)
                timers.schedule(.heartbeat, at: now + configuration.heartbeatInterval)
            }
        }
        return takeActions()
    }

    private mutating func offerTimedOut(ticket: String, offer: UInt32, now: Timestamp) {
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

    private mutating func checkExpiry(workerID: [UInt8], registration: UInt64, now: Timestamp) {
        guard let worker = workers[workerID], worker.registration == registration else { return }
        let expiresAt = worker.lastSeen + worker.timeout
        if expiresAt > now {
            timers.schedule(.workerExpiry(id: workerID, registration: registration), at: expiresAt)
            return
        }
        removeWorker(
            id: workerID, event: .workerLost,
            reason: "no heartbeat for \(worker.timeout)", now: now)
    }

    func policy(_ department: String) -> DepartmentPolicy {
        departments[department]!.policy
    }
}
