/// Everything the dashboard shows, in one response (`GET /api/v1/overview`,
/// `schemas/api/overview.schema.json`).
public struct OperationsOverview: Codable, Sendable, Equatable {
    /// RFC 3339, UTC: when this was taken (countdowns run from here).
    public var generatedAt: String
    public var stats: OperationsStats
    public var departments: [DepartmentSummary]
    public var workers: [WorkerSummary]
    /// Open requests nearest to their deadline (overdue first).
    public var nearestDeadline: [RequestSummary]
    /// The latest breaches, newest first.
    public var recentBreaches: [BreachSummary]

    public init(
        generatedAt: String, stats: OperationsStats, departments: [DepartmentSummary], workers: [WorkerSummary],
        nearestDeadline: [RequestSummary], recentBreaches: [BreachSummary]
    ) {
        self.generatedAt = generatedAt
        self.stats = stats
        self.departments = departments
        self.workers = workers
        self.nearestDeadline = nearestDeadline
        self.recentBreaches = recentBreaches
    }
}
