import Logging
import ServiceLifecycle
import SwitchboardBroker
import SwitchboardOps
import UnixSignals

/// SIGHUP re-reads the configuration file and applies what can change without a restart: principals and
/// their permissions (new handshakes and every later command; a revoked key's connections are refused from
/// their next message) and the HTTP bearer tokens. A file that does not read, or asks for what only a
/// restart can change, is refused with the reasons logged, and the configuration in force stays.
struct ConfigurationReloader: Service {
    let path: String?
    /// The command line's overrides, applied to every reload as at start.
    let overrides: @Sendable (inout BrokerConfiguration) throws -> Void
    let broker: Broker
    let opsServer: OpsServer?
    let logger: Logger

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            reload()
        }
    }

    func reload() {
        guard let path else {
            logger.notice("SIGHUP: no configuration file to re-read (started without --config)")
            return
        }
        do {
            var settings = try BrokerConfiguration.load(contentsOf: path)
            try overrides(&settings)
            // Endpoints and the HTTP address change only with a restart: judge the tokens against the running one.
            settings.http = broker.configuration.http
            settings.endpoint = broker.configuration.endpoint
            settings.eventsEndpoint = broker.configuration.eventsEndpoint
            let problems = settings.exposureProblems
            guard problems.isEmpty else {
                logger.error("SIGHUP: configuration refused; the one in force stays", metadata: ["problems": "\(problems.joined(separator: "; "))"])
                return
            }
            try broker.reload(security: settings.security)
            opsServer?.update(tokens: settings.httpTokens)
            logger.notice(
                "SIGHUP: configuration reloaded",
                metadata: ["file": "\(path)", "principals": "\(settings.security.principals.count)"])
        } catch {
            logger.error("SIGHUP: configuration refused; the one in force stays", metadata: ["file": "\(path)", "error": "\(error)"])
        }
    }
}
