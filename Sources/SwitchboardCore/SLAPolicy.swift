import SwitchboardSchema

/// A department's service level for one priority, pinned to each request when it is submitted: later
/// configuration changes never move the deadlines of requests already open.
///
/// A value with one shared, immutable storage: every open request pins a copy, and a copy costs one reference
/// count, not one per field. What the clocks need often (their order, each target's thresholds, the ledger's
/// JSON of the policy) is worked out once, when the policy is made.
public struct SLAPolicy: Sendable, Equatable {
    /// The clocks that run and their targets, in open (business) time.
    public var targets: [SLATarget: Duration] {
        get { storage.targets }
        set { storage = Storage(targets: newValue, warnings: warnings, calendar: calendar, escalation: escalation) }
    }

    /// Warning thresholds as fractions of each target, ascending, each in (0, 1). Default 50% and 75%.
    public var warnings: [Double] {
        get { storage.warnings }
        set { storage = Storage(targets: targets, warnings: newValue, calendar: calendar, escalation: escalation) }
    }

    public var calendar: BusinessCalendar {
        get { storage.calendar }
        set { storage = Storage(targets: targets, warnings: warnings, calendar: newValue, escalation: escalation) }
    }

    public var escalation: Escalation {
        get { storage.escalation }
        set { storage = Storage(targets: targets, warnings: warnings, calendar: calendar, escalation: newValue) }
    }

    public static let defaultWarnings = [0.5, 0.75]

    private var storage: Storage

    public init(
        targets: [SLATarget: Duration], warnings: [Double] = SLAPolicy.defaultWarnings,
        calendar: BusinessCalendar = .always, escalation: Escalation = .notify
    ) {
        storage = Storage(targets: targets, warnings: warnings, calendar: calendar, escalation: escalation)
    }

    /// The points of a target at which something happens: each warning, then the breach.
    func thresholds(of budget: Duration) -> [Duration] {
        if let clock = storage.clocks.first(where: { $0.budget == budget }) { return clock.thresholds }
        return warnings.map { budget * $0 } + [budget]
    }

    /// Open time between two instants, on the policy's calendar (read in place, not copied).
    func openTime(from start: Timestamp, to end: Timestamp) -> Duration {
        storage.calendar.openTime(from: start, to: end)
    }

    /// The instant `amount` of open time after `start`, on the policy's calendar.
    func advance(_ start: Timestamp, by amount: Duration) -> Timestamp {
        storage.calendar.advance(start, by: amount)
    }

    /// The targets in clock order, each with its budget.
    var clockTargets: [(target: SLATarget, budget: Duration, thresholds: [Duration])] { storage.clocks }

    /// The ledger's JSON of the policy, around the clocks (see ``SLAState/writeJSON(into:)``).
    var jsonAroundClocks: (prefix: [UInt8], suffix: [UInt8]) { (storage.jsonPrefix, storage.jsonSuffix) }

    public static func == (lhs: SLAPolicy, rhs: SLAPolicy) -> Bool {
        lhs.storage === rhs.storage
            || (lhs.targets == rhs.targets && lhs.warnings == rhs.warnings && lhs.calendar == rhs.calendar
                && lhs.escalation == rhs.escalation)
    }

    /// Immutable once made: safe to share between threads (the broker's and the ledger writer's).
    private final class Storage: Sendable {
        let targets: [SLATarget: Duration]
        let warnings: [Double]
        let calendar: BusinessCalendar
        let escalation: Escalation
        let clocks: [(target: SLATarget, budget: Duration, thresholds: [Duration])]
        let jsonPrefix: [UInt8]
        let jsonSuffix: [UInt8]

        init(targets: [SLATarget: Duration], warnings: [Double], calendar: BusinessCalendar, escalation: Escalation) {
            self.targets = targets
            self.warnings = warnings
            self.calendar = calendar
            self.escalation = escalation
            clocks = targets.keys.sorted().map { target in
                let budget = targets[target]!
                return (target, budget, warnings.map { budget * $0 } + [budget])
            }
            (jsonPrefix, jsonSuffix) = SLASnapshot.policyJSON(
                targets: targets, warnings: warnings, calendar: calendar, escalation: escalation)
        }
    }
}
