import Logging
import ServiceLifecycle
import SwitchboardBroker
import SwitchboardOps
import UnixSignals

/// SIGHUP re-reads the configuration file and applies what can change without a restart (see
/// ``Broker/reload(_:)``), the HTTP bearer tokens and the log level. A file with any problem is refused as a
/// whole, every problem logged, and the configuration in force stays. Keys that need a restart are named in
/// the log and take effect at the next start.
struct ConfigurationReloader: Service {
    let path: String?
    /// The command line's overrides, applied to every reload as at start.
    let overrides: @Sendable (inout BrokerConfiguration) throws -> Void
    let broker: Broker
    let opsServer: OpsServer?
    let webhooks: WebhookDispatcher
    let logLevel: LogLevelSwitch
    let logger: Logger

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            await reload()
        }
    }

    func reload() async {
        guard let path else {
            logger.notice("SIGHUP: no configuration file to re-read (started without --config)")
            return
        }
        var settings: BrokerConfiguration
        do {
            settings = try BrokerConfiguration.read(contentsOf: path)
            try overrides(&settings)
        } catch let refused as ConfigurationProblems {
            refuse(refused.problems.map(\.description))
            return
        } catch {
            refuse(["\(error)"])
            return
        }
        // Endpoints, the HTTP address and the key change only with a restart: judge what would be in force.
        let problems = broker.reloadable(settings).applied.exposureProblems
        guard problems.isEmpty else {
            refuse(problems)
            return
        }
        let before = broker.configurationInForce
        let waiting = await broker.reload(settings)
        opsServer?.update(tokens: settings.httpTokens, agents: settings.httpAgents)
        webhooks.update(webhooks: settings.webhooks)
        if let level = Logger.Level(rawValue: settings.logLevel) { logLevel.current = level }

        let oldNames = Set(before.core.departments.map(\.name)), newNames = Set(settings.core.departments.map(\.name))
        var metadata: Logger.Metadata = [
            "file": "\(path)",
            "departments": "\(settings.core.departments.map(\.name).joined(separator: ","))",
            "principals": "\(settings.security.principals.count)",
            "log_level": "\(settings.logLevel)",
        ]
        let added = newNames.subtracting(oldNames).sorted(), removed = oldNames.subtracting(newNames).sorted()
        if !added.isEmpty { metadata["added"] = "\(added.joined(separator: ","))" }
        if !removed.isEmpty { metadata["removed"] = "\(removed.joined(separator: ","))" }
        logger.notice("SIGHUP: configuration reloaded", metadata: metadata)
        if !waiting.isEmpty {
            logger.warning(
                "SIGHUP: these keys changed but take effect only at the next restart",
                metadata: ["keys": "\(waiting.joined(separator: ", "))"])
        }
    }

    private func refuse(_ problems: [String]) {
        broker.noteReloadRefused()
        logger.error(
            "SIGHUP: configuration refused; the one in force stays",
            metadata: ["file": "\(path ?? "")", "problems": "\(problems.count)"])
        for problem in problems {
            logger.error("SIGHUP: \(problem)")
        }
    }
}
