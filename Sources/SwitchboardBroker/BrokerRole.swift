/// Whether this daemon serves: alone on its SQLite ledger, or as the leader or the standby of a pair that
/// shares a PostgreSQL ledger (issue 16).
public enum BrokerRole: Sendable, Equatable {
    /// Opening the ledger.
    case starting
    /// The only daemon of its ledger (SQLite).
    case single
    /// Leads the pair, in term `term` (the lease's fencing token).
    case leader(term: Int64)
    /// Stands by: another daemon (if any is known) leads; this one takes over when its lease ends.
    case standby(leader: Leader?)

    public struct Leader: Sendable, Equatable {
        public var name: String
        public var term: Int64
    }

    /// `leader`, `standby`, `single` or `starting`, as the API and metrics say it.
    public var name: String {
        switch self {
        case .starting: "starting"
        case .single: "single"
        case .leader: "leader"
        case .standby: "standby"
        }
    }
}
