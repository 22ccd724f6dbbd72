import SwitchboardCore
import SwitchboardSchema
import SwitchboardStore

/// The daemon's whole configuration, with the defaults it runs with when there is no file.
/// `BrokerConfiguration+YAML.swift` reads it from YAML and lists every key; `deploy/switchboard.yaml`
/// documents them for operators.
public struct BrokerConfiguration: Sendable, Equatable {
    /// The ROUTER endpoint agents and workers connect to.
    public var endpoint: String = "tcp://127.0.0.1:5570"
    /// The PUB endpoint events are published on.
    public var eventsEndpoint: String = "tcp://127.0.0.1:5571"
    /// Where the HTTP ops surface (health, metrics, API, dashboard) listens; nil: it is off.
    public var http: HTTPAddress? = .default
    /// Where the daemon keeps its ledger (`switchboard.sqlite`).
    public var dataDirectory: String = "./var"
    /// `fsync`: a commit survives power loss (SQLite synchronous=FULL). `os`: it survives a crash of the
    /// daemon but not of the machine (synchronous=NORMAL), and commits are cheaper.
    public var durability: Durability = .fsync
    /// Queues, workers and heartbeats.
    public var core = CoreConfiguration(retainedFinishedRequests: 10_000, ledgerBacked: true)
    /// Frame size limits.
    public var limits = ProtocolLimits()
    /// Log level: trace, debug, info, notice, warning, error, critical.
    public var logLevel: String = "info"
    /// Log request and answer bodies (never by default: they may hold members' health information).
    public var logBodies: Bool = false
    /// Messages queued per peer before the broker drops (ROUTER high-water mark).
    public var highWaterMark: Int32 = 10_000

    public init() {}
}
