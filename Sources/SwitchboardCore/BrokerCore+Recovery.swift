import SwitchboardSchema

/// An unfinished request as the ledger holds it, to be put back in its queue after a restart.
public struct RecoveredRequest: Sendable, Equatable {
    public var ticket: Ticket
    public var requestID: String
    public var department: String
    public var priority: Priority
    public var state: RequestState
    public var attempts: Int
    public var body: [UInt8]
    public var submittedAt: Timestamp
    public var updatedAt: Timestamp
    public var deadline: Timestamp
    public var updates: Int
    public var worker: String?
    /// The pinned policy and clocks as the ledger last recorded them (nil for requests recorded before the
    /// ledger kept them: their clocks are rebuilt from the current configuration).
    public var sla: SLASnapshot?
    /// Who submitted it: the principal's name with CURVE on (the connection's identity in hex without).
    public var owner: String?
    /// The integration that submitted it on the owner's behalf.
    public var via: String?

    public init(
        ticket: Ticket, requestID: String, department: String, priority: Priority, state: RequestState, attempts: Int,
        body: [UInt8], submittedAt: Timestamp, updatedAt: Timestamp, deadline: Timestamp, updates: Int = 0,
        worker: String? = nil, sla: SLASnapshot? = nil, owner: String? = nil, via: String? = nil
    ) {
        self.owner = owner
        self.via = via
        self.ticket = ticket
        self.requestID = requestID
        self.department = department
        self.priority = priority
        self.state = state
        self.attempts = attempts
        self.body = body
        self.submittedAt = submittedAt
        self.updatedAt = updatedAt
        self.deadline = deadline
        self.updates = updates
        self.worker = worker
        self.sla = sla
    }
}

extension BrokerCore {
    /// Puts back what the ledger holds after a restart, before any peer is heard: every unfinished request
    /// in its queue (one that a worker held is requeued with its attempt counted, or dead-lettered after the
    /// last attempt), the idempotency index of finished requests, and the ticket sequence.
    ///
    /// `open` must be in submission (ticket) order and `finished` oldest first, as the ledger returns them.
    public mutating func restore(
        open: [RecoveredRequest], finished: [(requestID: String, ticket: Ticket, finishedAt: Timestamp)],
        lastTicket: Ticket?, now: Timestamp
    ) -> [CoreAction] {
        if let lastTicket { tickets.advance(past: lastTicket) }
        for entry in finished {
            ticketsByRequestID[RequestIDKey(entry.requestID)] = entry.ticket
            finishedIndex.append(FinishedEntry(finishedAt: entry.finishedAt, requestID: entry.requestID, ticket: entry.ticket))
        }
        // The departments' policies now, then those older requests pinned: each made once.
        var policies = departments.allValues.flatMap { $0.slaPolicies.values }
        for stored in open {
            nextSequence += 1
            let wasHeld = stored.state == .offered || stored.state == .accepted
            let request = RequestRecord(
                ticket: stored.ticket, requestID: stored.requestID, department: stored.department,
                departmentSlot: departments.slot(of: stored.department) ?? -1, priority: stored.priority, state: wasHeld ? .offered : .queued, attempts: stored.attempts,
                owner: stored.owner, via: stored.via, agent: nil,
                body: stored.body, submittedAt: stored.submittedAt, updatedAt: stored.updatedAt,
                deadline: stored.deadline, updates: stored.updates, sequence: nextSequence)
            requests[stored.ticket] = request
            if stored.state == .accepted || stored.state == .waitingOnAgent || stored.updates > 0 {
                // Already responded to before the restart: its first response is not counted again.
                requests.update(stored.ticket) { $0.respondedAt = stored.updatedAt }
            }
            ticketsByRequestID[RequestIDKey(stored.requestID)] = stored.ticket
            openRequests += 1
            guard departments.contains(stored.department) else {
                // The department was removed from the configuration while the request waited.
                deadLetter(
                    ticket: stored.ticket, reason: "department '\(stored.department)' is no longer configured",
                    failure: .noDepartment, status: .deadLettered, now: now)
                continue
            }
            if let pinned = stored.sla?.requestSLA(reusing: &policies) {
                // The policy pinned at submission and the clocks as last recorded, running on from there.
                requests.update(stored.ticket) { $0.sla = pinned }
                requests.update(stored.ticket) { $0.deadline = pinned.answerDeadline(fallback: stored.deadline) }
                scheduleSLA(ticket: stored.ticket)
            } else {
                restoreSLA(
                    ticket: stored.ticket, submittedAt: stored.submittedAt,
                    responded: stored.state == .accepted || stored.updates > 0, now: now)
            }
            if wasHeld {
                requeue(ticket: stored.ticket, reason: "the broker restarted while \(stored.worker ?? "a worker") held it", now: now)
            } else {
                enqueue(stored.ticket)
            }
        }
        return takeActions()
    }

    /// Rebuilds a recovered request's clocks as if they had run since submission, without announcing
    /// thresholds passed while the daemon was down again (their events are already in the ledger).
    mutating func restoreSLA(ticket: Ticket, submittedAt: Timestamp, responded: Bool, now: Timestamp) {
        startSLA(ticket: ticket, now: submittedAt)
        guard var sla = requests.read(ticket, { $0.sla }) ?? nil else { return }
        let policy = sla.policy
        for index in sla.clocks.indices {
            let clock = sla.clocks[index]
            if clock.target == .firstResponse && responded {
                sla.clocks[index].stop(at: now, policy: policy)
                continue
            }
            let used = clock.usedTime(at: now, policy: policy)
            let thresholds = sla.policy.thresholds(of: clock.budget)
            sla.clocks[index].passed = thresholds.filter { $0 <= used }.count
            if sla.clocks[index].passed == thresholds.count { sla.clocks[index].outcome = .breached }
        }
        requests.update(ticket) { $0.sla = sla }
        scheduleSLA(ticket: ticket)
    }
}
