import SwitchboardSchema

/// Where the broker thread is in a graceful stop: serving; draining (intake closed, workers finish what they
/// hold, until nothing is held or the drain limit); handed back (what workers still held went back to its
/// queue, workers were told to leave, and the loop waits for the ledger to confirm what was promised). Pure:
/// the run loop asks it what to do and tells it what happened.
enum StopPhase: Equatable {
    case serving
    case draining(since: Timestamp)
    case handedBack(at: Timestamp)

    /// What the run loop does after a turn.
    enum Step: Equatable {
        case carryOn
        /// Put back what workers hold and tell them to disconnect.
        case handBack
        /// Leave the loop: everything promised went out, or the ledger has had its time.
        case leave
    }

    /// A stop was asked for (SIGTERM, or `drain-daemon`); true if this begins the drain (a second ask is
    /// ignored).
    mutating func stop(at now: Timestamp) -> Bool {
        guard self == .serving else { return false }
        self = .draining(since: now)
        return true
    }

    /// The next step, given what workers hold and what still waits for the ledger.
    mutating func step(
        now: Timestamp, heldByWorkers: Int, awaitingLedger: Int, drainLimit: Duration, ledgerTimeout: Duration
    ) -> Step {
        switch self {
        case .serving:
            return .carryOn
        case .draining(let since):
            guard heldByWorkers == 0 || now - since >= drainLimit else { return .carryOn }
            self = .handedBack(at: now)
            return .handBack
        case .handedBack(let at):
            return awaitingLedger == 0 || now - at > ledgerTimeout ? .leave : .carryOn
        }
    }

    /// At most how long the loop may poll (milliseconds): while draining, no longer than the drain limit.
    func pollLimit(now: Timestamp, drainLimit: Duration) -> Int? {
        guard case .draining(let since) = self else { return nil }
        return Int(max(0, (since + drainLimit).rawValue - now.rawValue))
    }

    /// Whether messages are still read: while serving and draining (workers' answers), not once handed back.
    var readsMessages: Bool {
        if case .handedBack = self { return false }
        return true
    }

    /// Whether Core's timers still fire: not once handed back.
    var firesTimers: Bool { readsMessages }

    /// Since when the broker drains, while it does.
    var drainingSince: Timestamp? {
        if case .draining(let since) = self { return since }
        return nil
    }
}
