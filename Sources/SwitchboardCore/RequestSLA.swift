import SwitchboardSchema

/// A request's pinned service-level policy and its running clocks.
struct RequestSLA: Sendable, Equatable {
    var policy: SLAPolicy
    var clocks: [SLAClock]
    /// Bumped at each reschedule, so only the latest SLA timer of the request acts.
    var generation: UInt32 = 0

    init(policy: SLAPolicy, startingAt start: Timestamp) {
        self.policy = policy
        clocks = policy.clockTargets.map { SLAClock(target: $0.target, budget: $0.budget, startingAt: start) }
    }

    /// The earliest instant at which some running clock passes its next threshold.
    var nextDue: Timestamp? {
        var earliest: Timestamp?
        for clock in clocks {
            guard let due = clock.nextDue(policy: policy) else { continue }
            if earliest.map({ due < $0 }) ?? true { earliest = due }
        }
        return earliest
    }

    /// When the answer falls due if nothing pauses it (orders the queue within a priority).
    func answerDeadline(fallback: Timestamp) -> Timestamp {
        clocks.first { $0.target == .answer }?.deadline(policy: policy) ?? fallback
    }

    mutating func update(_ target: SLATarget, _ change: (inout SLAClock) -> Void) {
        for index in clocks.indices where clocks[index].target == target {
            change(&clocks[index])
        }
    }

    /// The clocks as STATUS reports them at `now`.
    func status(at now: Timestamp) -> [SLAClockStatus] {
        clocks.map { clock in
            let used = clock.usedTime(at: now, policy: policy)
            let state: SLAClockStatus.State =
                clock.outcome == .breached ? .breached
                : clock.outcome == .met ? .met
                : clock.stopped ? .stopped
                : clock.isRunning ? .running : .paused
            return SLAClockStatus(
                target: clock.target, targetMs: clock.budget.milliseconds, usedMs: used.milliseconds,
                remainingMs: (clock.budget - used).milliseconds, state: state,
                dueAt: clock.deadline(policy: policy)?.iso8601)
        }
    }
}
