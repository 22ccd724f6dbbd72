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
    /// Bearer tokens the HTTP surface requires (always beyond loopback; on loopback once any is configured).
    public var httpTokens = HTTPTokens()
    /// Agents' and integrations' tokens for the agent API, and the web origins that may call it.
    public var httpAgents = HTTPAgentAccess()
    /// Where events of requests are POSTed (signed), from the ledger's outbox.
    public var webhooks: [WebhookConfiguration] = []
    /// CURVE keys and principals; without a key pair the endpoints are plain.
    public var security = SecurityConfiguration()
    /// Where the daemon keeps its ledger (`switchboard.sqlite`).
    public var dataDirectory: String = "./var"
    /// SQLite in `dataDirectory` (the default) or a PostgreSQL database shared by an active/standby pair.
    public var ledger = LedgerSettings()
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
    /// How long a stop lets workers finish the requests they hold before the rest is handed back to the
    /// ledger as queued. The systemd unit's TimeoutStopSec must stay longer.
    public var drainTimeout: Duration = .seconds(20)

    public init() {}
}

extension BrokerConfiguration {
    /// What the configuration (after command-line overrides) exposes without protection, one sentence each;
    /// the daemon refuses to start while there is any.
    public var exposureProblems: [String] {
        var problems: [String] = []
        if !security.isEnabled && !security.insecure {
            for (name, value) in [("endpoint", endpoint), ("events", eventsEndpoint)] where !Self.isLocal(value) {
                problems.append(
                    "\(name) \(value) is reachable beyond this machine without CURVE: set security.key (and principals) "
                        + "to encrypt and authenticate it, or security.insecure: true to serve it in plain text on purpose")
            }
        }
        if let http, !http.isLoopback, httpTokens.isEmpty {
            problems.append(
                "http.listen \(http) is reachable beyond this machine: configure http.tokens (observe and operate) so "
                    + "the API and dashboard require a bearer token (agents' tokens, http.agents, do not protect the operations surface)")
        }
        return problems
    }

    /// Whether a ZeroMQ endpoint is reachable only from this machine.
    static func isLocal(_ endpoint: String) -> Bool {
        if endpoint.hasPrefix("ipc://") || endpoint.hasPrefix("inproc://") { return true }
        guard endpoint.hasPrefix("tcp://") else { return false }
        var host = endpoint.dropFirst("tcp://".count)
        if let colon = host.lastIndex(of: ":") { host = host[..<colon] }
        return HTTPAddress(host: String(host).lowercased(), port: 0).isLoopback
    }
}
