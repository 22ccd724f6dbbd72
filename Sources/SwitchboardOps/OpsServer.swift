import Hummingbird
import Logging
import ServiceLifecycle
import SwitchboardBroker

/// The HTTP ops surface as a ServiceLifecycle `Service`: health, metrics, the JSON API and the dashboard,
/// served by Hummingbird beside the broker (schemas/API.md).
public struct OpsServer: Service {
    let address: HTTPAddress
    let application: Application<RouterResponder<BasicRequestContext>>
    let logger: Logger

    /// The bearer tokens in force; `update(tokens:)` replaces them (SIGHUP).
    let tokens: TokenState

    /// `stopDaemon` starts the daemon's graceful stop, as SIGTERM does (`switchboard drain-daemon`).
    /// The webhooks' deliveries (nil: none configured at start).
    public let webhooks: WebhookDispatcher?

    public init(
        broker: Broker, address: HTTPAddress, tokens: HTTPTokens = HTTPTokens(), agents: HTTPAgentAccess = HTTPAgentAccess(),
        webhooks: WebhookDispatcher? = nil, logger: Logger, stopDaemon: (@Sendable () async -> Void)? = nil
    ) {
        let tokenState = TokenState(tokens, agents: agents)
        self.tokens = tokenState
        self.webhooks = webhooks
        let refusals = HTTPRefusals(broker: broker, logger: logger)
        let operations = Operations(broker: broker, stopDaemon: stopDaemon, refusals: refusals, webhooks: webhooks)
        let router = Router()
        router.addMiddleware { LogRequestsMiddleware(.debug) }
        router.addMiddleware { CORSMiddleware(state: tokenState) }
        router.addMiddleware { RequestGuardMiddleware(address: address, state: tokenState) }
        router.addMiddleware { TokenMiddleware(state: tokenState, refusals: refusals) }
        OpsRoutes.add(
            to: router, operations: operations,
            agents: AgentRoutes.Context(operations: operations, tokens: tokenState, refusals: refusals, webhooks: webhooks))
        var serverLogger = logger
        serverLogger[metadataKey: "surface"] = "http"
        self.address = address
        self.logger = logger
        self.application = Application(
            router: router,
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "switchboardd"),
            onServerRunning: { [logger] _ in
                logger.info("http ops surface ready", metadata: ["http": "\(address)"])
            },
            logger: serverLogger)
    }

    public func update(tokens: HTTPTokens, agents: HTTPAgentAccess = HTTPAgentAccess(), webhooks: [WebhookConfiguration] = []) {
        self.tokens.replace(tokens)
        self.tokens.replace(agents: agents)
        self.webhooks?.update(webhooks: webhooks)
    }

    public func run() async throws {
        do {
            // As a service of the daemon's group: the group, not Hummingbird, reacts to SIGTERM, so the broker
            // drains first while HTTP still answers.
            try await application.run()
        } catch {
            throw OpsServerError(address: address, underlying: error)
        }
    }
}

/// The HTTP surface could not start (most often: the port is taken).
public struct OpsServerError: Error, CustomStringConvertible {
    public let address: HTTPAddress
    public let underlying: any Error
    public var description: String {
        "cannot serve HTTP on \(address): \(underlying); choose another address with --http HOST:PORT or http.listen, or turn it off with --http off"
    }
}
