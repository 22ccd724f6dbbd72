import SwitchboardSchema

extension BrokerCore {
    /// Pins the department's policy for the request's priority and starts its clocks.
    mutating func startSLA(ticket: String, now: Timestamp) {
        guard var request = requests[ticket] else { return }
        let policy = departments[request.department]!.slaPolicies[request.priority]!
        let sla = RequestSLA(policy: policy, startingAt: now)
        request.deadline = sla.answerDeadline(fallback: request.deadline)
        request.sla = sla
        requests[ticket] = request
        scheduleSLA(ticket: ticket)
    }

    /// Arms the timer for the request's next threshold (older timers of the request become stale).
    mutating func scheduleSLA(ticket: String) {
        guard var sla = requests[ticket]?.sla else { return }
        sla.generation &+= 1
        requests[ticket]!.sla = sla
        if let due = sla.nextDue {
            timers.schedule(.sla(ticket: ticket, generation: sla.generation), at: due)
        }
    }

    /// A worker accepted the request, asked the agent or sent an update: the first response is met. Returns
    /// whether this was the request's first response (for the time-to-first-response metric).
    @discardableResult
    mutating func firstResponse(ticket: String, now: Timestamp) -> Bool {
        let first = noteResponse(ticket: ticket, now: now)
        guard var sla = requests[ticket]?.sla else { return first }
        let calendar = sla.policy.calendar
        sla.update(.firstResponse) { $0.stop(at: now, calendar: calendar) }
        requests[ticket]!.sla = sla
        scheduleSLA(ticket: ticket)
        return first
    }

    /// Records when the request was first responded to; true the first time.
    private mutating func noteResponse(ticket: String, now: Timestamp) -> Bool {
        guard let request = requests[ticket], request.respondedAt == nil else { return false }
        requests[ticket]!.respondedAt = now
        return true
    }

    /// An update arrived: it is a first response, and the periodic-update clock starts over. Returns whether
    /// it was the first response.
    @discardableResult
    mutating func updateReceived(ticket: String, now: Timestamp) -> Bool {
        let first = noteResponse(ticket: ticket, now: now)
        guard var sla = requests[ticket]?.sla else { return first }
        let calendar = sla.policy.calendar
        sla.update(.firstResponse) { $0.stop(at: now, calendar: calendar) }
        sla.update(.update) { $0.restart(at: now) }
        requests[ticket]!.sla = sla
        scheduleSLA(ticket: ticket)
        return first
    }

    /// The request finished: every clock stops. An answer meets (or, late, breaches) the clocks still running;
    /// a cancellation or dead letter only stops them.
    mutating func stopSLA(ticket: String, answered: Bool, now: Timestamp) {
        guard var sla = requests[ticket]?.sla else { return }
        let calendar = sla.policy.calendar
        for index in sla.clocks.indices { sla.clocks[index].stop(at: now, calendar: calendar, counts: answered) }
        sla.generation &+= 1
        requests[ticket]!.sla = sla
    }

    /// Stops the clocks while the request waits on the agent.
    mutating func pauseSLA(ticket: String, now: Timestamp) {
        guard var sla = requests[ticket]?.sla else { return }
        let calendar = sla.policy.calendar
        for index in sla.clocks.indices { sla.clocks[index].pause(at: now, calendar: calendar) }
        requests[ticket]!.sla = sla
        scheduleSLA(ticket: ticket)
    }

    /// Starts the paused clocks again.
    mutating func resumeSLA(ticket: String, now: Timestamp) {
        guard var sla = requests[ticket]?.sla else { return }
        for index in sla.clocks.indices { sla.clocks[index].resume(at: now) }
        requests[ticket]!.sla = sla
        scheduleSLA(ticket: ticket)
    }

    /// A transfer to `department`: the clocks carry over, or restart under its policy.
    mutating func transferSLA(ticket: String, to department: String, now: Timestamp) {
        guard departments[department]?.policy.transferClock == .restart else { return }
        startSLA(ticket: ticket, now: now)
    }

    /// An SLA timer fired: records each warning and breach now due, escalates breaches, and re-arms.
    mutating func slaDue(ticket: String, generation: UInt32, now: Timestamp) {
        guard var request = requests[ticket], var sla = request.sla, sla.generation == generation,
            !request.state.isFinal
        else { return }
        var breached = false
        var announcements: [Change] = []
        for index in sla.clocks.indices where sla.clocks[index].isRunning {
            let clock = sla.clocks[index]
            let thresholds = sla.policy.thresholds(of: clock.budget)
            let used = clock.usedTime(at: now, calendar: sla.policy.calendar)
            var passed = clock.passed
            while passed < thresholds.count && used >= thresholds[passed] {
                var change = change(
                    passed < sla.policy.warnings.count ? .requestSLAWarning : .requestSLABreached, request, now: now)
                change.slaTarget = clock.target
                change.dueAt = clock.deadline(policy: sla.policy)
                if passed < sla.policy.warnings.count {
                    let percent = Int((sla.policy.warnings[passed] * 100).rounded())
                    change.slaThreshold = percent
                    change.reason = "\(clock.target.rawValue) target: \(percent)% of \(DurationParser.format(clock.budget)) used"
                } else {
                    change.reason = "\(clock.target.rawValue) target of \(DurationParser.format(clock.budget)) breached"
                    sla.clocks[index].outcome = .breached
                    breached = true
                }
                announcements.append(change)
                passed += 1
            }
            sla.clocks[index].passed = passed
        }
        request.sla = sla
        requests[ticket] = request
        // Recorded with the clocks as they are after it, so a restart does not announce them again.
        let snapshot = SLAState(sla)
        for var change in announcements {
            change.sla = snapshot
            emit(.record(change))
        }
        scheduleSLA(ticket: ticket)
        if breached { escalate(ticket: ticket, now: now) }
    }

    /// Runs the department's escalation after a breach.
    mutating func escalate(ticket: String, now: Timestamp) {
        guard let request = requests[ticket], let sla = request.sla else { return }
        switch sla.policy.escalation {
        case .notify:
            return
        case .raisePriority:
            guard request.priority != .urgent else { return }
            requests[ticket]!.priority = request.priority.raised
            requests[ticket]!.updatedAt = now
            if request.state == .queued {
                // Its queue entry goes stale; a new one carries the new priority.
                departments[request.department]!.queue.forget()
                requests[ticket]!.queueGeneration &+= 1
                departments[request.department]!.queue.push(requests[ticket]!)
            }
            var change = change(.requestEscalated, requests[ticket]!, now: now)
            change.reason = "priority raised from \(request.priority.rawValue) to \(request.priority.raised.rawValue)"
            emit(.record(change))
        case .transfer(let target):
            guard takesRequests(target), target != request.department else { return }
            move(
                ticket: ticket, to: target, reason: "escalated after an SLA breach", event: .requestEscalated,
                cancelHolder: true, now: now
            ) { change in
                change.reason = "transferred to \(target) after an SLA breach"
            }
        }
    }
}
