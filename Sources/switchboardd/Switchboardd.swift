import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SwitchboardBroker
import SwitchboardOps
import SwitchboardPostgres
import SwitchboardSchema
import SwitchboardStore

/// `switchboardd`: the Switchboard daemon.
@main
struct Switchboardd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboardd",
        abstract: "Routes requests between call-center agents and department workers over ZeroMQ.",
        discussion: """
            With no configuration file the daemon listens on tcp://127.0.0.1:5570, publishes events on \
            tcp://127.0.0.1:5571, serves health, metrics, the JSON API and the dashboard on \
            http://127.0.0.1:8570, and knows the departments claims, eligibility, pharmacy, billing and \
            provider-relations. deploy/switchboard.yaml documents every configuration key.
            """,
        version: SwitchboardVersion.current)

    @Option(name: .shortAndLong, help: "YAML configuration file.")
    var config: String?

    @Option(help: "ROUTER endpoint for agents and workers (overrides the file).")
    var endpoint: String?

    @Option(help: "PUB endpoint for events (overrides the file).")
    var events: String?

    @Option(help: "HOST:PORT of the HTTP ops surface, or off (overrides the file).")
    var http: String?

    @Option(name: .customLong("data-dir"), help: "Directory for the daemon's state (overrides the file).")
    var dataDirectory: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    @Flag(
        name: .customLong("check-config"),
        help: "Check the configuration file and exit: every problem is printed with its line; exit 78 if there is any.")
    var checkConfig = false

    /// The flags that override the file, as a function applied at start and at every reload.
    var commandLineOverrides: @Sendable (inout BrokerConfiguration) throws -> Void {
        let endpoint = endpoint, events = events, dataDirectory = dataDirectory, http = http, logLevel = logLevel
        return { settings in
            if let endpoint { settings.endpoint = endpoint }
            if let events { settings.eventsEndpoint = events }
            if let dataDirectory { settings.dataDirectory = dataDirectory }
            if let http { settings.http = try HTTPAddress.parse(http) }
            if let logLevel { settings.logLevel = logLevel }
        }
    }

    func validate() throws {
        if let http {
            do { _ = try HTTPAddress.parse(http) } catch { throw ValidationError("--http: \(error)") }
        }
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() async throws {
        signal(SIGPIPE, SIG_IGN)
        let report = config.map { BrokerConfiguration.check(contentsOf: $0) }
        var settings = report?.configuration ?? BrokerConfiguration()
        let overrides = commandLineOverrides
        try overrides(&settings)
        var problems = ConfigurationProblems(problems: report?.problems ?? []).problems.map(\.description)
        if problems.isEmpty {
            // Whole-file judgements, once every key reads.
            problems += settings.exposureProblems
            if settings.endpoint == settings.eventsEndpoint {
                problems.append("the request endpoint and the events endpoint must differ; both are \(settings.endpoint)")
            }
        }
        guard problems.isEmpty else {
            for problem in problems { printError("switchboardd: configuration refused: \(problem)") }
            let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
            printError("switchboardd: \(count) in \(config ?? "the command line"); nothing was started")
            throw ExitCode(78)  // EX_CONFIG
        }
        if checkConfig {
            print("configuration OK: \(config ?? "(no file: the defaults)")")
            print("  endpoint \(settings.endpoint), events \(settings.eventsEndpoint), http \(settings.http.map { "\($0)" } ?? "off")")
            print("  data_dir \(settings.dataDirectory), durability \(settings.durability.rawValue), log level \(settings.logLevel)")
            if settings.ledger.backend == .postgres, let url = settings.ledger.url,
                let location = try? PostgresLocation(url: url, environment: [:])
            {
                print("  ledger on PostgreSQL \(location) (an active/standby pair), lease \(DurationParser.format(settings.ledger.lease)), "
                    + "renewed every \(DurationParser.format(settings.ledger.renewInterval))")
            } else {
                print("  ledger on SQLite in data_dir")
            }
            print("  departments \(settings.core.departments.map(\.name).joined(separator: ", "))")
            print("  CURVE \(settings.security.isEnabled ? "on, \(settings.security.principals.count) principal(s)" : "off")"
                + ", drain timeout \(DurationParser.format(settings.drainTimeout))")
            return
        }

        let levelSwitch = LogLevelSwitch(Logger.Level(rawValue: settings.logLevel) ?? .info)
        LoggingSystem.bootstrap { label in ReloadableLogHandler(label: label, levelSwitch: levelSwitch) }
        let logger = Logger(label: "switchboardd")
        if settings.logBodies {
            logger.warning("log.bodies is on: request bodies and rejection reasons will be written to the log; they may hold members' health information")
        }
        let broker = Broker(configuration: settings, logger: logger)
        // ServiceGroup stops services in reverse order: the broker first (intake stops at once on SIGTERM),
        // while the HTTP surface stays up to report the drain (/readyz says not ready), then HTTP.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        let stop = GracefulStop()
        // Webhooks are delivered from the ledger's outbox whether or not HTTP is served; stopped last.
        let webhooks = WebhookDispatcher(broker: broker, webhooks: settings.webhooks, logger: logger)
        services.append(.init(service: webhooks))
        let opsServer = settings.http.map {
            OpsServer(
                broker: broker, address: $0, tokens: settings.httpTokens, agents: settings.httpAgents,
                webhooks: webhooks, logger: logger, stopDaemon: { await stop.trigger() })
        }
        if let opsServer { services.append(.init(service: opsServer)) }
        services.append(.init(
            service: ConfigurationReloader(
                path: config, overrides: overrides, broker: broker, opsServer: opsServer, webhooks: webhooks,
                logLevel: levelSwitch,
                logger: logger)))
        services.append(.init(service: broker))
        let group = ServiceGroup(
            configuration: .init(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        stop.attach(group)
        do {
            try await group.run()
        } catch let error as LedgerError {
            // Never start empty over data we cannot read: say which file and why, and stop.
            logger.critical("cannot open the ledger", metadata: ["ledger": "\(error.path)", "error": "\(error.reason)"])
            throw ExitCode(74)  // EX_IOERR
        } catch let error as OpsServerError {
            logger.critical("cannot serve HTTP", metadata: ["error": "\(error)"])
            throw ExitCode(69)  // EX_UNAVAILABLE
        } catch {
            logger.critical("switchboardd failed", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }
}

func printError(_ text: String) {
    var stderr = StandardError()
    print(text, to: &stderr)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandleOutput.write(string)
    }
}
