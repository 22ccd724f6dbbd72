import ArgumentParser
import Foundation
import SwitchboardClient
import SwitchboardSchema

/// `switchboard`: the command line for agents, department workers and operators.
@main
struct SwitchboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "Ask departments questions, serve a department, and watch the Switchboard broker.",
        discussion: """
            Agent and worker subcommands (ask, status, cancel, reply, serve) take --endpoint (default \
            tcp://127.0.0.1:5570, or $SWITCHBOARD_ENDPOINT); events takes the events endpoint (default \
            tcp://127.0.0.1:5571). Ops subcommands (pending, workers, stats, dead-letters, requeue, drain, drain-daemon, top) \
            use the daemon's HTTP surface: --http (default 127.0.0.1:8570, or $SWITCHBOARD_HTTP).
            Exit codes: 0 success, 1 the request failed or was refused, 3 timed out, 64 bad usage.
            """,
        version: SwitchboardVersion.current,
        subcommands: [
            Ask.self, Status.self, Cancel.self, Reply.self, Events.self, Serve.self, SLA.self,
            Pending.self, Workers.self, Stats.self, DeadLetters.self, Requeue.self, Drain.self, DrainDaemon.self, Top.self,
            Keygen.self,
        ])
}

/// Options every subcommand that talks to the broker's request endpoint shares.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "The broker's request endpoint; for an active/standby pair, both, comma-separated (tcp://a:5570,tcp://b:5570).")
    var endpoint: String = ProcessInfo.processInfo.environment["SWITCHBOARD_ENDPOINT"] ?? "tcp://127.0.0.1:5570"

    @OptionGroup var keys: CurveOptions

    /// Runs `body` with a connected agent client, and closes it afterwards whatever happens.
    func withAgent<T>(_ body: (AgentClient) async throws -> T) async throws -> T {
        let client = try await AgentClient(endpoint: endpoint, curve: try keys.credentials())
        do {
            let result = try await body(client)
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
    }
}

/// Exit codes shared by the subcommands.
enum Exit {
    static let failed = ExitCode(1)
    static let timedOut = ExitCode(3)
}
