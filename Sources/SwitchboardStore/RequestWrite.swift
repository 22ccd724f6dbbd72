import SwitchboardCore
import SwitchboardSchema

/// Everything one transaction does to one request: one row write (an INSERT if the request is new, else one
/// UPDATE) and the history rows it adds. ``fold(_:)`` builds these from a group's changes in order.
///
/// The routine course of a request (submitted, offered, accepted, answered by its holder) is not written as
/// history rows: the row's columns hold those events (`offered_at`, `accepted_at`, `answered_at`, ...) and
/// its `trail` says which of them the history is still to show. Any other event (a requeue, a transfer, an
/// update, an SLA warning, ...) is a history row, and the routine events before it become rows first, so
/// the history reads back in order: the rows, then what `trail` holds.
struct RequestWrite {
    let ticket: Ticket
    /// The request is new in this transaction: its row is inserted.
    var submission: Change.Submission?
    var patch = RowPatch()
    /// Routine events of this transaction held as columns, not rows.
    var trail: Trail = []
    /// The same events' facts, in order, to write them as rows if something else happens after them.
    var trailEvents: [(Trail, HistoryRow)] = []
    /// Whether the trail the row already holds in the ledger stays (no history row came after it).
    var keepsStoredTrail = true
    var history: [HistoryRow] = []

    init(ticket: Ticket) { self.ticket = ticket }

    /// A routine event, held in the trail if it comes in the trail's order; otherwise it becomes a row.
    mutating func routine(_ event: Trail, _ row: HistoryRow) {
        if trail.rawValue >= event.rawValue { flushTrail() }
        trail.insert(event)
        trailEvents.append((event, row))
    }

    /// Any other event: the routine events before it become rows, then it.
    mutating func record(_ row: HistoryRow) {
        flushTrail()
        if submission == nil { keepsStoredTrail = false }
        history.append(row)
    }

    private mutating func flushTrail() {
        history.append(contentsOf: trailEvents.map(\.1))
        trailEvents.removeAll()
        trail = []
        if submission == nil { keepsStoredTrail = false }
    }

    /// Whether the ledger's row must turn its stored trail into history rows before this write's own rows.
    var materializesStoredTrail: Bool { submission == nil && !keepsStoredTrail }
}

/// Routine events a request row holds as columns instead of history rows (the `trail` column's bits), in the
/// order they happen.
struct Trail: OptionSet, Sendable {
    let rawValue: UInt8

    static let submitted = Trail(rawValue: 1)
    static let offered = Trail(rawValue: 2)
    static let accepted = Trail(rawValue: 4)
    static let answered = Trail(rawValue: 8)
}

/// The request row's columns a transaction sets; nil leaves a column as it is.
struct RowPatch {
    var department: String?
    var priority: Priority?
    var state: RequestState?
    var attempts: Int?
    var worker: String??
    var reason: String??
    var failure: String??
    var updatedAt: Timestamp?
    /// true: finished now (finished_at = updated_at); false: open again (finished_at = NULL).
    var finished: Bool?
    var updates = 0
    var answer: [UInt8]?
    var answeredAt: Timestamp?
    var sla: SLAState?
    var deadline: Timestamp?
    var offeredAt: Timestamp?
    var acceptedAt: Timestamp?

    var isEmpty: Bool {
        department == nil && priority == nil && state == nil && attempts == nil && worker == nil && reason == nil
            && failure == nil && updatedAt == nil && finished == nil && updates == 0 && answer == nil
            && answeredAt == nil && sla == nil && deadline == nil && offeredAt == nil && acceptedAt == nil
    }

    /// Where the request stands after a change: department, priority, state, attempt, worker, time.
    mutating func stand(_ facts: Change.RequestFacts) {
        department = facts.department
        priority = facts.priority
        state = facts.state
        attempts = facts.attempt
        worker = .some(facts.worker)
        updatedAt = facts.at
        finished = facts.state.isFinal
        if let sla = facts.sla { self.sla = sla }
    }
}

/// One row of `request_event`.
struct HistoryRow: Equatable {
    var type: EventType
    var at: Timestamp
    var department: String?
    var fromDepartment: String?
    var state: RequestState?
    var attempt: Int?
    var worker: String?
    var reason: String?
    var body: [UInt8]?
    var target: SLATarget?

    init(_ type: EventType, _ facts: Change.RequestFacts, reason: String? = nil, body: [UInt8]? = nil) {
        self.type = type
        at = facts.at
        department = facts.department
        state = facts.state
        attempt = facts.attempt
        worker = facts.worker
        self.reason = reason
        self.body = body
    }
}

extension RequestWrite {
    /// The writes of a group of changes, one per request in the order each was first touched, and the worker
    /// log's changes in order.
    static func fold(_ changes: [Change]) -> (requests: [RequestWrite], workers: [Change.WorkerFacts], types: [EventType]) {
        var writes: [RequestWrite] = []
        var index: [Ticket: Int] = [:]
        var workers: [Change.WorkerFacts] = []
        var workerTypes: [EventType] = []
        writes.reserveCapacity(changes.count)
        index.reserveCapacity(changes.count)
        for change in changes {
            guard let ticket = change.ticket else {
                workers.append(change.workerFacts!)
                workerTypes.append(change.type)
                continue
            }
            let position: Int
            if let known = index[ticket] {
                position = known
            } else {
                position = writes.count
                index[ticket] = position
                writes.append(RequestWrite(ticket: ticket))
            }
            writes[position].apply(change)
        }
        return (writes, workers, workerTypes)
    }

    mutating func apply(_ change: Change) {
        switch change {
        case .submitted(let submission):
            guard self.submission == nil, patch.isEmpty, history.isEmpty else { return }
            self.submission = submission
            routine(.submitted, HistoryRow(.requestSubmitted, submission.facts))
        case .offered(let facts):
            patch.stand(facts)
            patch.offeredAt = facts.at
            routine(.offered, HistoryRow(.requestOffered, facts))
        case .accepted(let facts, _):
            patch.stand(facts)
            patch.acceptedAt = facts.at
            routine(.accepted, HistoryRow(.requestAccepted, facts))
        case .answered(let answered):
            patch.stand(answered.facts)
            patch.reason = .some(nil)
            patch.answer = answered.body
            patch.answeredAt = answered.facts.at
            let row = HistoryRow(.requestAnswered, answered.facts)
            // An earlier holder's late answer: the trail's worker is the holder's, so this one is a row.
            if answered.fromEarlierHolder { record(row) } else { routine(.answered, row) }
        case let .updated(facts, _, body):
            patch.stand(facts)
            patch.updates += 1
            record(HistoryRow(.requestUpdated, facts, body: body))
        case let .waitingOnAgent(facts, _, question):
            patch.stand(facts)
            record(HistoryRow(.requestWaitingOnAgent, facts, body: question))
        case let .infoReceived(facts, info):
            patch.stand(facts)
            record(HistoryRow(.requestInfoReceived, facts, body: info))
        case let .transferred(facts, from, reason):
            patch.stand(facts)
            patch.reason = .some(reason)
            var row = HistoryRow(.requestTransferred, facts, reason: reason)
            row.fromDepartment = from
            record(row)
        case let .escalated(facts, from, reason):
            patch.stand(facts)
            patch.reason = .some(reason)
            var row = HistoryRow(.requestEscalated, facts, reason: reason)
            row.fromDepartment = from
            record(row)
        case let .requeued(facts, reason, deadline):
            patch.stand(facts)
            patch.reason = .some(reason)
            patch.failure = .some(nil)
            if let deadline { patch.deadline = deadline }
            record(HistoryRow(.requestRequeued, facts, reason: reason))
        case let .cancelled(facts, reason):
            patch.stand(facts)
            patch.reason = .some(reason)
            record(HistoryRow(.requestCancelled, facts, reason: reason))
        case let .deadLettered(facts, reason, failure):
            patch.stand(facts)
            patch.reason = .some(reason)
            patch.failure = .some(failure.rawValue)
            record(HistoryRow(.requestDeadLettered, facts, reason: reason))
        case let .duplicateAnswer(facts, reason, body):
            // Kept in the history only: the request and its first answer stay as they are.
            record(HistoryRow(.requestDuplicateAnswer, facts, reason: reason, body: body))
        case let .slaWarning(facts, notice), let .slaBreached(facts, notice):
            // The clocks' new state (thresholds passed) is kept, so a restart does not announce them again.
            if let sla = facts.sla { patch.sla = sla }
            var row = HistoryRow(change.type, facts, reason: notice.reason)
            row.target = notice.target
            record(row)
        case .workerJoined, .workerLeft, .workerLost, .workerDraining:
            break
        }
    }
}
