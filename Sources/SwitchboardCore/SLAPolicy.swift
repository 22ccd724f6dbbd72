import SwitchboardSchema

/// A department's service level for one priority, pinned to each request when it is submitted: later
/// configuration changes never move the deadlines of requests already open.
public struct SLAPolicy: Sendable, Equatable {
    /// The clocks that run and their targets, in open (business) time.
    public var targets: [SLATarget: Duration]
    /// Warning thresholds as fractions of each target, ascending, each in (0, 1). Default 50% and 75%.
    public var warnings: [Double]
    public var calendar: BusinessCalendar
    public var escalation: Escalation

    public static let defaultWarnings = [0.5, 0.75]

    public init(
        targets: [SLATarget: Duration], warnings: [Double] = SLAPolicy.defaultWarnings,
        calendar: BusinessCalendar = .always, escalation: Escalation = .notify
    ) {
        self.targets = targets
        self.warnings = warnings
        self.calendar = calendar
        self.escalation = escalation
    }

    /// The points of a target at which something happens: each warning, then the breach.
    func thresholds(of budget: Duration) -> [Duration] {
        warnings.map { budget * $0 } + [budget]
    }
}
