/// Which ledger the daemon keeps (`ledger:` in the configuration): the embedded SQLite file in `data_dir`
/// (the default), or a PostgreSQL database that an active/standby pair of daemons shares, one of them leading
/// at a time under a lease in that database (see deploy/OPERATIONS.md, "Running a pair").
public struct LedgerSettings: Sendable, Equatable {
    public enum Backend: String, Sendable, CaseIterable {
        case sqlite, postgres
    }

    public var backend: Backend = .sqlite
    /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=...]` (PostgreSQL only).
    public var url: String?
    /// How long a leader's lease lasts without a renewal: a dead leader's standby takes over within about this
    /// long. Shorter fails over faster, but a leader stalled longer than this (a pause, a slow disk, a lost
    /// network) loses the lead and stops.
    public var lease: Duration = .seconds(3)
    /// How often the leader renews its lease, and a standby tries to take it.
    public var renewInterval: Duration = .milliseconds(500)
    /// This daemon's name in the lease (who leads, in logs and the API); default: host name and endpoint.
    public var name: String?

    public init() {}

    public static let leaseRange = Duration.seconds(1)...Duration.seconds(600)
}
