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
}
