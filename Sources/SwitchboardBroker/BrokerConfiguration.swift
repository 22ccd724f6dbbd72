import SwitchboardCore
import SwitchboardSchema

/// The daemon's whole configuration, with the defaults it runs with when there is no file.
/// `BrokerConfiguration+YAML.swift` reads it from YAML and lists every key; `deploy/switchboard.yaml`
/// documents them for operators.
public struct BrokerConfiguration: Sendable, Equatable {
    /// The ROUTER endpoint agents and workers connect to.
    public var endpoint: String = "tcp://127.0.0.1:5570"
    /// The PUB endpoint events are published on.
    public var eventsEndpoint: String = "tcp://127.0.0.1:5571"
    /// Where the daemon keeps its state (the ledger, from the next release on).
    public var dataDirectory: String = "./var"
    /// Queues, workers and heartbeats.
    public var core = CoreConfiguration()
    /// Frame size limits.
    public var limits = ProtocolLimits()
    /// Log level: trace, debug, info, notice, warning, error, critical.
    public var logLevel: String = "info"
    /// Log request and answer bodies (never by default: they may hold members' health information).
    public var logBodies: Bool = false
    /// Messages queued per peer before the broker drops (ROUTER high-water mark).
    public var highWaterMark: Int32 = 100_000

    public init() {}
}
