import SwitchboardSchema

/// One service-level clock of one request: how much open time of its target it has used, whether it runs,
/// and which thresholds (warnings, then the breach) it has passed.
struct SLAClock: Sendable, Equatable {
    enum Outcome: String, Sendable { case met, breached }

    let target: SLATarget
    /// The target, in open time.
    let budget: Duration
    /// Open time used up to `runningSince` (or in total, while paused or stopped).
    var used: Duration = .zero
    /// Since when it runs; nil while paused or once stopped.
    var runningSince: Timestamp?
    /// Thresholds passed so far (warnings first, then the breach).
    var passed = 0
    var outcome: Outcome?
    /// Stopped for good (met, or finished with the request).
    var stopped = false

    init(target: SLATarget, budget: Duration, startingAt start: Timestamp) {
        self.target = target
        self.budget = budget
        self.runningSince = start
    }

    var isRunning: Bool { runningSince != nil }

    /// Open time used by `now`.
    func usedTime(at now: Timestamp, policy: SLAPolicy) -> Duration {
        guard let since = runningSince else { return used }
        return used + policy.openTime(from: since, to: now)
    }

    /// When the next threshold is reached if the clock keeps running; nil if it is not running or all passed.
    func nextDue(policy: SLAPolicy) -> Timestamp? {
        guard let since = runningSince else { return nil }
        let thresholds = policy.thresholds(of: budget)
        guard passed < thresholds.count else { return nil }
        let remaining = thresholds[passed] - used
        return policy.advance(since, by: max(.zero, remaining))
    }

    /// When the target itself falls due (the breach), if the clock runs.
    func deadline(policy: SLAPolicy) -> Timestamp? {
        guard let since = runningSince else { return nil }
        return policy.advance(since, by: max(.zero, budget - used))
    }

    mutating func pause(at now: Timestamp, policy: SLAPolicy) {
        guard runningSince != nil else { return }
        used = usedTime(at: now, policy: policy)
        runningSince = nil
    }

    mutating func resume(at now: Timestamp) {
        guard runningSince == nil, !stopped else { return }
        runningSince = now
    }

    /// Stops the clock. When `counts` (the target was reached: accepted, updated, answered) it is met if in
    /// time and breached if late, even if its timer had not fired yet; otherwise (cancelled, dead-lettered) it
    /// is only stopped, neither met nor breached unless it already was.
    mutating func stop(at now: Timestamp, policy: SLAPolicy, counts: Bool = true) {
        guard !stopped else { return }
        pause(at: now, policy: policy)
        stopped = true
        if outcome == nil && counts { outcome = used > budget ? .breached : .met }
    }

    /// Starts the clock again from zero (the periodic update clock, at each update).
    mutating func restart(at now: Timestamp) {
        used = .zero
        passed = 0
        outcome = nil
        stopped = false
        runningSince = now
    }
}
