import SwitchboardSchema

/// What the broker promises for one department: how long an answer may take per priority, how often a
/// request may be retried, and how long a worker may sit on an offer before it is taken back.
public struct DepartmentPolicy: Sendable, Equatable {
    public var name: String
    /// Answer target per priority; it sets each request's deadline, which orders dispatch within a priority.
    public var answerTargets: [Priority: Duration]
    /// Offers to workers before the request is dead-lettered (default 5).
    public var maxAttempts: Int
    /// How long an offered request may wait for the worker's ACCEPT before it is requeued (default 30 s).
    public var offerTimeout: Duration
    /// A line for operators.
    public var description: String
    /// First-response target per priority (accepted by a worker, or an update sent); none by default.
    public var firstResponseTargets: [Priority: Duration] = [:]
    /// Periodic-update target per priority (some update at least this often while open); none by default.
    public var updateTargets: [Priority: Duration] = [:]
    /// Warning thresholds as fractions of each target (default 50% and 75%).
    public var warnings: [Double] = SLAPolicy.defaultWarnings
    /// When the department's clocks run (default 24x7).
    public var calendar: BusinessCalendar = .always
    /// What a breach does (default: notify only).
    public var escalation: Escalation = .notify
    /// What a transfer to this department does to the clocks (default: carry them over).
    public var transferClock: TransferClockRule = .carryOver

    public static let defaultAnswerTargets: [Priority: Duration] = [
        .urgent: .seconds(15 * 60), .high: .seconds(3600), .normal: .seconds(4 * 3600), .low: .seconds(24 * 3600),
    ]

    public init(
        name: String, answerTargets: [Priority: Duration] = DepartmentPolicy.defaultAnswerTargets,
        maxAttempts: Int = 5, offerTimeout: Duration = .seconds(30), description: String = ""
    ) {
        self.name = name
        self.answerTargets = answerTargets
        self.maxAttempts = maxAttempts
        self.offerTimeout = offerTimeout
        self.description = description
    }

    public func answerTarget(for priority: Priority) -> Duration {
        answerTargets[priority] ?? DepartmentPolicy.defaultAnswerTargets[priority]!
    }

    /// The service level a request of this priority is held to, as pinned at submission.
    public func slaPolicy(for priority: Priority) -> SLAPolicy {
        var targets: [SLATarget: Duration] = [.answer: answerTarget(for: priority)]
        targets[.firstResponse] = firstResponseTargets[priority]
        targets[.update] = updateTargets[priority]
        return SLAPolicy(targets: targets, warnings: warnings, calendar: calendar, escalation: escalation)
    }
}
