/// Everything Core needs to know from the configuration file.
public struct CoreConfiguration: Sendable, Equatable {
    public var departments: [DepartmentPolicy]
    /// How often the broker and workers send heartbeats (default 2.5 s, as Majordomo).
    public var heartbeatInterval: Duration
    /// Heartbeats a worker may miss before it is declared lost (default 3).
    public var heartbeatLiveness: Int
    /// Requests that may be open at once; beyond it submissions get 429 (default 1,000,000).
    public var maxOpenRequests: Int
    /// Finished requests kept in memory for STATUS (default 100,000; the oldest go first).
    public var retainedFinishedRequests: Int

    public static let defaultDepartmentNames = ["claims", "eligibility", "pharmacy", "billing", "provider-relations"]

    /// What each default department answers, for operators.
    public static let defaultDepartmentDescriptions: [String: String] = [
        "claims": "Claim status, denials, appeals and explanations of benefits",
        "eligibility": "Member eligibility, coverage dates and benefits checks",
        "pharmacy": "Prescriptions, formulary, prior authorizations and pharmacy networks",
        "billing": "Premiums, invoices, payments and refunds",
        "provider-relations": "Provider contracts, credentialing and network questions",
    ]

    public init(
        departments: [DepartmentPolicy] = CoreConfiguration.defaultDepartmentNames.map {
            DepartmentPolicy(name: $0, description: CoreConfiguration.defaultDepartmentDescriptions[$0] ?? "")
        },
        heartbeatInterval: Duration = .milliseconds(2500), heartbeatLiveness: Int = 3,
        maxOpenRequests: Int = 1_000_000, retainedFinishedRequests: Int = 100_000
    ) {
        self.departments = departments
        self.heartbeatInterval = heartbeatInterval
        self.heartbeatLiveness = heartbeatLiveness
        self.maxOpenRequests = maxOpenRequests
        self.retainedFinishedRequests = retainedFinishedRequests
    }

    /// Silence after which a worker is lost: interval × liveness.
    public var workerTimeout: Duration { heartbeatInterval * heartbeatLiveness }
}
