import SwitchboardSchema

extension BrokerCore {
    /// Changes a request's SLA in place (its clocks are not copied), if it has one.
    mutating func withSLA<R>(_ ticket: Ticket, _ body: (inout RequestSLA) -> R) -> R? {
        guard let slot = requests.slot(of: ticket), requests[slot: slot].sla != nil else { return nil }
        return body(&requests[slot: slot].sla!)
    }

    /// Changes a request's SLA in place; false if it has none.
    @discardableResult
    mutating func updateSLA(_ ticket: Ticket, _ body: (inout RequestSLA) -> Void) -> Bool {
        withSLA(ticket, body) != nil
    }

    /// Pins the department's policy for the request's priority and starts its clocks.
    mutating func startSLA(ticket: Ticket, now: Timestamp) {
        guard let slot = requests.slot(of: ticket) else { return }
        let departmentSlot = requests[slot: slot].departmentSlot, priority = requests[slot: slot].priority
        guard departmentSlot >= 0, let policy = departments[slot: departmentSlot].slaPolicies[priority] else { return }
        let sla = RequestSLA(policy: policy, startingAt: now)
        requests[slot: slot].deadline = sla.answerDeadline(fallback: requests[slot: slot].deadline)
        requests[slot: slot].sla = sla
        scheduleSLA(ticket: ticket)
    }

    /// Arms the timer for the request's next threshold (older timers of the request become stale).
    mutating func scheduleSLA(ticket: Ticket) {
        guard let (generation, due) = withSLA(ticket, { sla in
            sla.generation &+= 1
            return (sla.generation, sla.nextDue)
        }) else { return }
        if let due { schedule(.sla(ticket: ticket, generation: generation), at: due) }
    }

    /// A worker accepted the request, asked the agent or sent an update: the first response is met. Returns
    /// whether this was the request's first response (for the time-to-first-response metric).
    @discardableResult
    mutating func firstResponse(ticket: Ticket, now: Timestamp) -> Bool {
        let first = noteResponse(ticket: ticket, now: now)
        guard updateSLA(ticket, { sla in
            let policy = sla.policy
            sla.update(.firstResponse) { $0.stop(at: now, policy: policy) }
        }) else { return first }
        scheduleSLA(ticket: ticket)
        return first
    }

    /// Records when the request was first responded to; true the first time.
    private mutating func noteResponse(ticket: Ticket, now: Timestamp) -> Bool {
        guard let slot = requests.slot(of: ticket), requests[slot: slot].respondedAt == nil else { return false }
        requests[slot: slot].respondedAt = now
        return true
    }

    /// An update arrived: it is a first response, and the periodic-update clock starts over. Returns whether
    /// it was the first response.
    @discardableResult
    mutating func updateReceived(ticket: Ticket, now: Timestamp) -> Bool {
        let first = noteResponse(ticket: ticket, now: now)
        guard updateSLA(ticket, { sla in
            let policy = sla.policy
            sla.update(.firstResponse) { $0.stop(at: now, policy: policy) }
            sla.update(.update) { $0.restart(at: now) }
        }) else { return first }
        scheduleSLA(ticket: ticket)
        return first
    }

    /// The request finished: every clock stops. An answer meets (or, late, breaches) the clocks still running;
    /// a cancellation or dead letter only stops them.
    mutating func stopSLA(ticket: Ticket, answered: Bool, now: Timestamp) {
        updateSLA(ticket) { sla in
            let policy = sla.policy
            for index in sla.clocks.indices { sla.clocks[index].stop(at: now, policy: policy, counts: answered) }
            sla.generation &+= 1
        }
    }

    /// Stops the clocks while the request waits on the agent.
    mutating func pauseSLA(ticket: Ticket, now: Timestamp) {
        guard updateSLA(ticket, { sla in
            let policy = sla.policy
            for index in sla.clocks.indices { sla.clocks[index].pause(at: now, policy: policy) }
        }) else { return }
        scheduleSLA(ticket: ticket)
    }

    /// Starts the paused clocks again.
    mutating func resumeSLA(ticket: Ticket, now: Timestamp) {
        guard updateSLA(ticket, { sla in
            for index in sla.clocks.indices { sla.clocks[index].resume(at: now) }
        }) else { return }
        scheduleSLA(ticket: ticket)
    }

    /// A transfer to `department`: the clocks carry over, or restart under its policy.
    mutating func transferSLA(ticket: Ticket, to department: String, now: Timestamp) {
        guard departments.read(department, { $0.policy.transferClock }) == .restart else { return }
        startSLA(ticket: ticket, now: now)
    }

    /// An SLA timer fired: records each warning and breach now due, escalates breaches, and re-arms.
    mutating func slaDue(ticket: Ticket, generation: UInt32, now: Timestamp) {
        guard var request = requests[ticket], var sla = request.sla, sla.generation == generation,
            !request.state.isFinal
        else { return }
        var breached = false
        var announcements: [(breach: Bool, notice: Change.SLANotice)] = []
        for index in sla.clocks.indices where sla.clocks[index].isRunning {
            let clock = sla.clocks[index]
            let thresholds = sla.policy.thresholds(of: clock.budget)
            let used = clock.usedTime(at: now, policy: sla.policy)
            var passed = clock.passed
            while passed < thresholds.count && used >= thresholds[passed] {
                let dueAt = clock.deadline(policy: sla.policy)
                if passed < sla.policy.warnings.count {
                    let percent = Int((sla.policy.warnings[passed] * 100).rounded())
                    announcements.append((false, Change.SLANotice(
                        target: clock.target, threshold: percent, dueAt: dueAt,
                        reason: "\(clock.target.rawValue) target: \(percent)% of \(DurationParser.format(clock.budget)) used")))
                } else {
                    announcements.append((true, Change.SLANotice(
                        target: clock.target, threshold: nil, dueAt: dueAt,
                        reason: "\(clock.target.rawValue) target of \(DurationParser.format(clock.budget)) breached")))
                    sla.clocks[index].outcome = .breached
                    breached = true
                }
                passed += 1
            }
            sla.clocks[index].passed = passed
        }
        request.sla = sla
        requests[ticket] = request
        // Recorded with the clocks as they are after it, so a restart does not announce them again.
        let recorded = request.facts(at: now, sla: true)
        for (breach, notice) in announcements {
            emit(.record(breach ? .slaBreached(recorded, notice) : .slaWarning(recorded, notice)))
        }
        scheduleSLA(ticket: ticket)
        if breached { escalate(ticket: ticket, now: now) }
    }

    /// Runs the department's escalation after a breach.
    mutating func escalate(ticket: Ticket, now: Timestamp) {
        guard let request = requests[ticket], let sla = request.sla else { return }
        switch sla.policy.escalation {
        case .notify:
            return
        case .raisePriority:
            guard request.priority != .urgent else { return }
            requests.update(ticket) { $0.priority = request.priority.raised }
            requests.update(ticket) { $0.updatedAt = now }
            if request.state == .queued {
                // Its queue entry goes stale; a new one carries the new priority.
                departments.update(request.department) { $0.queue.forget() }
                requests.update(ticket) { $0.queueGeneration &+= 1 }
                enqueue(ticket)
            }
            let reason = "priority raised from \(request.priority.rawValue) to \(request.priority.raised.rawValue)"
            emit(.record(.escalated(facts(of: ticket, now: now), from: nil, reason: reason)))
        case .transfer(let target):
            guard takesRequests(target), target != request.department else { return }
            move(ticket: ticket, to: target, reason: "escalated after an SLA breach", cancelHolder: true, now: now) {
                facts, from in
                .escalated(facts, from: from, reason: "transferred to \(target) after an SLA breach")
            }
        }
    }
}
