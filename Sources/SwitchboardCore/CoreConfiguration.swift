/// Everything Core needs to know from the configuration file.
public struct CoreConfiguration: Sendable, Equatable {
    public var departments: [DepartmentPolicy]
    /// How often the broker and workers send heartbeats (default 2.5 s, as Majordomo).
    public var heartbeatInterval: Duration
    /// Heartbeats a worker may miss before it is declared lost (default 3).
    public var heartbeatLiveness: Int
    /// Requests that may be open at once; beyond it submissions get 429 (default 1,000,000).
    public var maxOpenRequests: Int
    /// Finished requests kept in memory for STATUS (default 100,000; the oldest go first). With a ledger this
    /// is only a cache: older ones are read from the ledger.
    public var retainedFinishedRequests: Int
    /// How long a finished request's request id keeps returning its ticket (default 30 days, the ledger's
    /// retention), even after the request itself left the in-memory cache.
    public var retention: Duration
    /// Whether a ledger holds what Core forgot: unknown tickets are then looked up there, not refused.
    public var ledgerBacked: Bool

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
        maxOpenRequests: Int = 1_000_000, retainedFinishedRequests: Int = 100_000,
        retention: Duration = .seconds(30 * 86_400), ledgerBacked: Bool = false
    ) {
        self.departments = departments
        self.heartbeatInterval = heartbeatInterval
        self.heartbeatLiveness = heartbeatLiveness
        self.maxOpenRequests = maxOpenRequests
        self.retainedFinishedRequests = retainedFinishedRequests
        self.retention = retention
        self.ledgerBacked = ledgerBacked
    }

    /// Silence after which a worker is lost: interval × liveness.
    public var workerTimeout: Duration { heartbeatInterval * heartbeatLiveness }
}
