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
package struct RequestWrite {
    package let ticket: Ticket
    /// The position of the request's submission in the group, if it was submitted in it: its row is inserted.
    package var submission: Int?
    package var patch = RowPatch()
    /// Routine events of this transaction held as columns, not rows.
    package var trail: Trail = []
    /// Where in the group each of those events is (submitted, offered, accepted, answered), to write them as
    /// rows if something else happens after them. Positions, not copies: the routine course costs nothing here.
    package var trailChanges: (Int32, Int32, Int32, Int32) = (-1, -1, -1, -1)
    /// Whether the trail the row already holds in the ledger stays (no history row came after it).
    var keepsStoredTrail = true
    package var history: [HistoryRow] = []

    init(ticket: Ticket) { self.ticket = ticket }

    /// A routine event (the change at `position`), held in the trail if it comes in the trail's order;
    /// otherwise the trail so far becomes rows first.
    mutating func routine(_ event: Trail, at position: Int, in changes: [Change]) {
        if trail.rawValue >= event.rawValue { flushTrail(changes) }
        trail.insert(event)
        switch event {
        case .submitted: trailChanges.0 = Int32(position)
        case .offered: trailChanges.1 = Int32(position)
        case .accepted: trailChanges.2 = Int32(position)
        default: trailChanges.3 = Int32(position)
        }
    }

    /// Any other event: the routine events before it become rows, then it.
    mutating func record(_ row: HistoryRow, _ changes: [Change]) {
        flushTrail(changes)
        if submission == nil { keepsStoredTrail = false }
        history.append(row)
    }

    private mutating func flushTrail(_ changes: [Change]) {
        let positions = [trailChanges.0, trailChanges.1, trailChanges.2, trailChanges.3]
        for (position, type) in zip(positions, [EventType.requestSubmitted, .requestOffered, .requestAccepted, .requestAnswered])
        where position >= 0 {
            history.append(HistoryRow(type, changes[Int(position)].request!))
        }
        trailChanges = (-1, -1, -1, -1)
        trail = []
        if submission == nil { keepsStoredTrail = false }
    }

    /// Every history entry of this write in order, the routine events too: for a ledger that keeps no trail in
    /// its rows (PostgreSQL, where a group's history is one multi-row INSERT anyway).
    package func fullHistory(_ changes: [Change]) -> [HistoryRow] {
        var write = self
        write.flushTrail(changes)
        return write.history
    }

    /// Whether the ledger's row must turn its stored trail into history rows before this write's own rows.
    var materializesStoredTrail: Bool { submission == nil && !keepsStoredTrail }
}

/// Routine events a request row holds as columns instead of history rows (the `trail` column's bits), in the
/// order they happen.
package struct Trail: OptionSet, Sendable {
    package let rawValue: UInt8
    package init(rawValue: UInt8) { self.rawValue = rawValue }

    package static let submitted = Trail(rawValue: 1)
    package static let offered = Trail(rawValue: 2)
    package static let accepted = Trail(rawValue: 4)
    package static let answered = Trail(rawValue: 8)
}

/// The request row's columns a transaction sets; nil leaves a column as it is.
package struct RowPatch {
    package var department: String?
    package var priority: Priority?
    package var state: RequestState?
    package var attempts: Int?
    package var worker: String??
    package var reason: String??
    package var failure: String??
    package var updatedAt: Timestamp?
    /// true: finished now (finished_at = updated_at); false: open again (finished_at = NULL).
    package var finished: Bool?
    package var updates = 0
    package var answer: [UInt8]?
    package var answeredAt: Timestamp?
    package var sla: SLAState?
    package var deadline: Timestamp?
    package var offeredAt: Timestamp?
    package var acceptedAt: Timestamp?

    package var isEmpty: Bool {
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
package struct HistoryRow: Equatable {
    package var type: EventType
    package var at: Timestamp
    package var department: String?
    package var fromDepartment: String?
    package var state: RequestState?
    package var attempt: Int?
    package var worker: String?
    package var reason: String?
    package var body: [UInt8]?
    package var target: SLATarget?

    package init(_ type: EventType, _ facts: Change.RequestFacts, reason: String? = nil, body: [UInt8]? = nil) {
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
    /// The writes of a group of changes, one per request in the order each was first touched, and the positions
    /// of the worker log's changes in order.
    package static func fold(_ changes: [Change]) -> (requests: [RequestWrite], workers: [Int]) {
        var writes: [RequestWrite] = []
        var index: [Ticket: Int] = [:]
        var workers: [Int] = []
        writes.reserveCapacity(changes.count / 2)
        index.reserveCapacity(changes.count / 2)
        for position in changes.indices {
            guard let ticket = changes[position].ticket else {
                workers.append(position)
                continue
            }
            let write: Int
            if let known = index[ticket] {
                write = known
            } else {
                write = writes.count
                index[ticket] = write
                writes.append(RequestWrite(ticket: ticket))
            }
            writes[write].apply(position, in: changes)
        }
        return (writes, workers)
    }

    mutating func apply(_ position: Int, in changes: [Change]) {
        switch changes[position] {
        case .submitted:
            guard submission == nil, patch.isEmpty, history.isEmpty else { return }
            submission = position
            routine(.submitted, at: position, in: changes)
        case .offered(let facts):
            patch.stand(facts)
            patch.offeredAt = facts.at
            routine(.offered, at: position, in: changes)
        case .accepted(let facts, _):
            patch.stand(facts)
            patch.acceptedAt = facts.at
            routine(.accepted, at: position, in: changes)
        case .answered(let answered):
            patch.stand(answered.facts)
            patch.reason = .some(nil)
            patch.answer = answered.body
            patch.answeredAt = answered.facts.at
            // An earlier holder's late answer: the trail's worker is the holder's, so this one is a row.
            if answered.fromEarlierHolder {
                record(HistoryRow(.requestAnswered, answered.facts), changes)
            } else {
                routine(.answered, at: position, in: changes)
            }
        case let .updated(facts, _, body):
            patch.stand(facts)
            patch.updates += 1
            record(HistoryRow(.requestUpdated, facts, body: body), changes)
        case let .waitingOnAgent(facts, _, question):
            patch.stand(facts)
            record(HistoryRow(.requestWaitingOnAgent, facts, body: question), changes)
        case let .infoReceived(facts, info):
            patch.stand(facts)
            record(HistoryRow(.requestInfoReceived, facts, body: info), changes)
        case let .transferred(facts, from, reason):
            patch.stand(facts)
            patch.reason = .some(reason)
            var row = HistoryRow(.requestTransferred, facts, reason: reason)
            row.fromDepartment = from
            record(row, changes)
        case let .escalated(facts, from, reason):
            patch.stand(facts)
            patch.reason = .some(reason)
            var row = HistoryRow(.requestEscalated, facts, reason: reason)
            row.fromDepartment = from
            record(row, changes)
        case let .requeued(facts, reason, deadline):
            patch.stand(facts)
            patch.reason = .some(reason)
            patch.failure = .some(nil)
            if let deadline { patch.deadline = deadline }
            record(HistoryRow(.requestRequeued, facts, reason: reason), changes)
        case let .cancelled(facts, reason):
            patch.stand(facts)
            patch.reason = .some(reason)
            record(HistoryRow(.requestCancelled, facts, reason: reason), changes)
        case let .deadLettered(facts, reason, failure):
            patch.stand(facts)
            patch.reason = .some(reason)
            patch.failure = .some(failure.rawValue)
            record(HistoryRow(.requestDeadLettered, facts, reason: reason), changes)
        case let .duplicateAnswer(facts, reason, body):
            // Kept in the history only: the request and its first answer stay as they are.
            record(HistoryRow(.requestDuplicateAnswer, facts, reason: reason, body: body), changes)
        case let .slaWarning(facts, notice), let .slaBreached(facts, notice):
            // The clocks' new state (thresholds passed) is kept, so a restart does not announce them again.
            if let sla = facts.sla { patch.sla = sla }
            var row = HistoryRow(changes[position].type, facts, reason: notice.reason)
            row.target = notice.target
            record(row, changes)
        case .workerJoined, .workerLeft, .workerLost, .workerDraining:
            break
        }
    }
}
