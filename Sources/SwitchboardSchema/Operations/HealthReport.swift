/// The body of `GET /healthz` and `GET /readyz` (`schemas/api/health.schema.json`).
public struct HealthReport: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        /// `/healthz`: the process runs.
        case alive
        /// `/readyz`: the endpoints are bound and the ledger is writable.
        case ready
        /// `/readyz`: not (yet, or any more); `problems` says why.
        case notReady = "not_ready"
    }

    public var status: Status
    public var version: String?
    /// What keeps the daemon from being ready, one sentence each.
    public var problems: [String]?
    /// `single` (its own SQLite ledger), `leader` or `standby` (a pair on PostgreSQL), or `starting`.
    public var role: String?

    public init(status: Status, version: String? = SwitchboardVersion.current, problems: [String]? = nil, role: String? = nil) {
        self.status = status
        self.version = version
        self.problems = problems
        self.role = role
    }
}
