import SwitchboardSchema
import Testing

@testable import SwitchboardCore

/// Time for Core: it moves only when a test says so.
struct TestClock {
    /// 2026-01-01T00:00:00.000Z.
    static let start = Timestamp(milliseconds: 1_767_225_600_000)

    private(set) var now: Timestamp

    init(now: Timestamp = TestClock.start) { self.now = now }

    @discardableResult
    mutating func advance(by duration: Duration) -> Timestamp {
        now = now + duration
        return now
    }

    /// Time since ``start``.
    var elapsed: Duration { now - TestClock.start }
}

extension Peer {
    static func named(_ name: String) -> Peer { Peer(id: Array(name.utf8)) }

    static let agent = Peer.named("agent-1")
    static let otherAgent = Peer.named("agent-2")
    static let w1 = Peer.named("w1")
    static let w2 = Peer.named("w2")
    static let w3 = Peer.named("w3")
    static let w4 = Peer.named("w4")
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The body the harness submits for a request id unless told otherwise.
func question(_ requestID: String) -> [UInt8] { bytes("question \(requestID)") }

/// A DISPATCH as the tests compare it.
struct Offer: Equatable, CustomStringConvertible {
    var worker: Peer
    var ticket: Ticket
    var attempt: Int

    init(_ worker: Peer, _ ticket: Ticket, attempt: Int) {
        self.worker = worker
        self.ticket = ticket
        self.attempt = attempt
    }

    var description: String {
        "Offer(\(String(decoding: worker.id.bytes, as: UTF8.self)), \(ticket), attempt: \(attempt))"
    }
}

/// An ERROR sent to an agent or a worker, its JSON decoded.
struct SentError: Equatable {
    var reference: String
    var status: StatusCode
    var detail: ErrorDetail

    init(reference: String, status: StatusCode, detail bytes: [UInt8]) {
        self.reference = reference
        self.status = status
        let undecodable = ErrorDetail(
            status: StatusCode(0), error: "<undecodable>", message: String(decoding: bytes, as: UTF8.self))
        self.detail = (try? JSONCoding.decode(ErrorDetail.self, from: bytes)) ?? undecodable
    }
}

extension Array where Element == CoreAction {
    var records: [Change] {
        compactMap { action -> Change? in
            guard case let .record(change) = action else { return nil }
            return change
        }
    }

    func records(_ type: EventType) -> [Change] { records.filter { $0.type == type } }

    var recordTypes: [EventType] { records.map(\.type) }

    func toAgent(_ agent: Peer) -> [AgentReply] {
        compactMap { action -> AgentReply? in
            guard case let .sendToAgent(peer, message) = action, peer == agent else { return nil }
            return message
        }
    }

    var agentMessageCount: Int {
        filter { action in
            if case .sendToAgent = action { return true }
            return false
        }.count
    }

    func toWorker(_ worker: Peer) -> [WorkerOrder] {
        compactMap { action -> WorkerOrder? in
            guard case let .sendToWorker(peer, message) = action, peer == worker else { return nil }
            return message
        }
    }

    var offers: [Offer] {
        compactMap { action -> Offer? in
            guard case let .sendToWorker(peer, .dispatch(ticket, _, _, attempt, _)) = action else { return nil }
            return Offer(peer, ticket, attempt: attempt)
        }
    }

    func offeredTickets(to worker: Peer) -> [Ticket] { offers.filter { $0.worker == worker }.map(\.ticket) }

    func cancelledTickets(to worker: Peer) -> [Ticket] {
        toWorker(worker).compactMap { message -> Ticket? in
            guard case let .cancel(ticket) = message else { return nil }
            return ticket
        }
    }

    /// Every CANCEL sent, to anyone.
    var cancelCount: Int {
        filter { action in
            if case .sendToWorker(_, .cancel) = action { return true }
            return false
        }.count
    }

    var heartbeatRecipients: [Peer] {
        compactMap { action -> Peer? in
            guard case let .sendToWorker(peer, .heartbeat) = action else { return nil }
            return peer
        }
    }

    /// The first ACCEPTED reply.
    var acceptance: (requestID: String, ticket: Ticket, status: StatusCode)? {
        for action in self {
            if case let .sendToAgent(_, .accepted(requestID, ticket, status)) = action {
                return (requestID, ticket, status)
            }
        }
        return nil
    }

    func answers(to agent: Peer) -> [(ticket: Ticket, body: [UInt8])] {
        toAgent(agent).compactMap { message -> (Ticket, [UInt8])? in
            guard case let .answer(ticket, body) = message else { return nil }
            return (ticket, body)
        }
    }

    func agentErrors(to agent: Peer) -> [SentError] {
        toAgent(agent).compactMap { message -> SentError? in
            guard case let .error(reference, status, detail) = message else { return nil }
            return SentError(reference: reference, status: status, detail: detail)
        }
    }

    func workerErrors(to worker: Peer) -> [SentError] {
        toWorker(worker).compactMap { message -> SentError? in
            guard case let .error(reference, status, detail) = message else { return nil }
            return SentError(reference: reference, status: status, detail: detail)
        }
    }

    /// STATUS replies to an agent, decoded.
    func statuses(to agent: Peer) throws -> [(info: RequestStatus, answer: [UInt8]?)] {
        try toAgent(agent).compactMap { message -> (RequestStatus, [UInt8]?)? in
            guard case let .status(_, info, answer) = message else { return nil }
            return (try JSONCoding.decode(RequestStatus.self, from: info), answer)
        }
    }
}

/// Core plus a test clock, with one short method per input.
struct Harness {
    var core: BrokerCore
    var clock: TestClock

    init(_ configuration: CoreConfiguration = CoreConfiguration(), clock: TestClock = TestClock()) {
        self.clock = clock
        self.core = BrokerCore(configuration: configuration, now: clock.now)
    }

    var now: Timestamp { clock.now }

    // MARK: Agents

    mutating func submit(
        _ requestID: String, to department: String = "claims", priority: Priority = .normal,
        from agent: Peer = .agent, body: [UInt8]? = nil
    ) -> [CoreAction] {
        core.submit(
            from: agent, requestID: requestID, department: department, priority: priority,
            body: body ?? question(requestID), now: clock.now)
    }

    /// Submits and returns the ticket (the test fails if there is none).
    mutating func open(
        _ requestID: String, to department: String = "claims", priority: Priority = .normal,
        from agent: Peer = .agent, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Ticket {
        let actions = submit(requestID, to: department, priority: priority, from: agent)
        return try #require(actions.acceptance?.ticket, "no ACCEPTED for \(requestID)", sourceLocation: sourceLocation)
    }

    mutating func cancel(_ ticket: Ticket, from agent: Peer = .agent) -> [CoreAction] {
        core.cancel(from: agent, ticket: ticket, now: clock.now)
    }

    /// Asks for a ticket's status and decodes the one STATUS reply.
    mutating func status(
        _ ticket: Ticket, from agent: Peer = .agent, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> (info: RequestStatus, answer: [UInt8]?) {
        let actions = core.status(from: agent, ticket: ticket, now: clock.now)
        #expect(actions.count == 1, "one STATUS reply expected, got \(actions)", sourceLocation: sourceLocation)
        return try #require(try actions.statuses(to: agent).first, "no STATUS reply", sourceLocation: sourceLocation)
    }

    // MARK: Workers

    mutating func ready(
        _ worker: Peer, _ departments: [String] = ["claims"], credit: Int = 1
    ) -> [CoreAction] {
        let info = ReadyInfo(departments: departments, credit: credit, name: String(decoding: worker.id.bytes, as: UTF8.self))
        return core.ready(from: worker, info: info, now: clock.now)
    }

    mutating func heartbeat(_ worker: Peer) -> [CoreAction] { core.heartbeat(from: worker, now: clock.now) }

    mutating func disconnect(_ worker: Peer) -> [CoreAction] { core.disconnect(from: worker, now: clock.now) }

    mutating func accept(_ worker: Peer, _ ticket: Ticket) -> [CoreAction] {
        core.accept(from: worker, ticket: ticket, now: clock.now)
    }

    mutating func answer(_ worker: Peer, _ ticket: Ticket, body: String = "the answer") -> [CoreAction] {
        core.answer(from: worker, ticket: ticket, body: bytes(body), now: clock.now)
    }

    mutating func update(_ worker: Peer, _ ticket: Ticket, body: String = "working on it") -> [CoreAction] {
        core.update(from: worker, ticket: ticket, body: bytes(body), now: clock.now)
    }

    mutating func transfer(_ worker: Peer, _ ticket: Ticket, to department: String, reason: String = "wrong desk")
        -> [CoreAction]
    {
        core.transfer(from: worker, ticket: ticket, to: department, reason: reason, now: clock.now)
    }

    mutating func reject(_ worker: Peer, _ ticket: Ticket, reason: String = "out of scope") -> [CoreAction] {
        core.reject(from: worker, ticket: ticket, reason: reason, now: clock.now)
    }

    // MARK: Time

    /// Moves the clock and fires what is due.
    mutating func advance(by duration: Duration) -> [CoreAction] {
        clock.advance(by: duration)
        return core.tick(now: clock.now)
    }

    /// Requests a worker holds, per Core's registry.
    func held(by worker: Peer) -> Set<Ticket> { Set(core.workers[worker.id]?.inFlight ?? TicketSet()) }
}

extension CoreConfiguration {
    /// The default departments with one policy replaced or added.
    static func with(
        _ policies: DepartmentPolicy..., heartbeatInterval: Duration = .milliseconds(2500), heartbeatLiveness: Int = 3,
        maxOpenRequests: Int = 1_000_000, retainedFinishedRequests: Int = 100_000,
        retention: Duration = .seconds(30 * 86_400), ledgerBacked: Bool = false
    ) -> CoreConfiguration {
        var departments = CoreConfiguration.defaultDepartmentNames.map { DepartmentPolicy(name: $0) }
        for policy in policies {
            if let index = departments.firstIndex(where: { $0.name == policy.name }) {
                departments[index] = policy
            } else {
                departments.append(policy)
            }
        }
        return CoreConfiguration(
            departments: departments, heartbeatInterval: heartbeatInterval, heartbeatLiveness: heartbeatLiveness,
            maxOpenRequests: maxOpenRequests, retainedFinishedRequests: retainedFinishedRequests,
            retention: retention, ledgerBacked: ledgerBacked)
    }
}

/// RFC 3339 text of the test start plus an offset.
func iso(_ offset: Duration) -> String { (TestClock.start + offset).iso8601 }

extension Change {
    /// The request's facts (the test fails on a worker change).
    var facts: RequestFacts { request! }
    var department: String? { request?.department }
    var state: RequestState? { request?.state }
    var attempt: Int? { request?.attempt }
    var worker: String? { request?.worker ?? workerFacts?.name }
    var requestID: String? { request?.requestID }
    var priority: Priority? { request?.priority }
    var departments: [String]? { workerFacts?.departments }
    var credit: Int? { workerFacts?.credit }
    var deadline: Timestamp? {
        switch self {
        case .submitted(let submission): submission.deadline
        case .requeued(_, _, let deadline): deadline
        default: nil
        }
    }
    var fromDepartment: String? {
        switch self {
        case .transferred(_, let from, _): from
        case .escalated(_, let from, _): from
        default: nil
        }
    }
    var failure: String? {
        if case .deadLettered(_, _, let failure) = self { return failure.rawValue }
        return nil
    }
    var firstResponse: Bool {
        switch self {
        case .accepted(_, let response), .updated(_, let response, _), .waitingOnAgent(_, let response, _): response.first
        default: false
        }
    }
    var submitter: String? {
        if case .submitted(let submission) = self { return submission.submitter.text }
        return nil
    }
    var threshold: Int? { slaNotice?.threshold }
    var dueAt: Timestamp? { slaNotice?.dueAt }
    var sla: SLAState? { request?.sla }
    var slaNotice: SLANotice? {
        switch self {
        case .slaWarning(_, let notice), .slaBreached(_, let notice): notice
        default: nil
        }
    }
    var slaTarget: SLATarget? { slaNotice?.target }
    var body: [UInt8]? {
        switch self {
        case .submitted(let submission): submission.body
        case .answered(let answered): answered.body
        case .updated(_, _, let body), .duplicateAnswer(_, _, let body): body
        case .waitingOnAgent(_, _, let question): question
        case .infoReceived(_, let info): info
        default: nil
        }
    }
}

extension Ticket {
    /// A ticket no request has (tickets of the tests' time start far above it).
    static let unknown = Ticket(rawValue: 42)
}

