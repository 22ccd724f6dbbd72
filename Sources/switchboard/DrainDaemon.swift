import ArgumentParser
import Foundation
import SwitchboardClient
import SwitchboardSchema

struct DrainDaemon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain-daemon",
        abstract: "Stop the daemon gracefully, as SIGTERM does, and wait until it has stopped.",
        discussion: """
            POST /api/v1/daemon/drain (an operate token beyond loopback). Intake closes at once (new submissions \
            get 503), workers finish what they hold for up to --timeout (default: the daemon's \
            shutdown.drain_timeout, 20s), the rest goes back to the ledger as queued, and the daemon exits 0. \
            Under systemd, the unit restarts it only on failure: use `systemctl stop` there, or this command \
            before maintenance. Exit codes: 0 stopped, 1 refused or unreachable, 3 still running after the wait.
            """)

    @OptionGroup var ops: OpsOptions

    @Option(help: ArgumentHelp("How long workers may finish what they hold (e.g. 30s; default: the daemon's).", valueName: "duration"))
    var timeout: String?

    @Flag(name: .customLong("no-wait"), help: "Return once the daemon has started to stop.")
    var noWait = false

    @Flag(help: "Print the API's JSON body (the action's result) on one line.")
    var json = false

    /// Beyond the drain limit, how long the daemon may take to deliver what is durable and close.
    static let closingAllowance: Duration = .seconds(30)

    func validate() throws {
        if let timeout {
            guard let duration = try? DurationParser.parse(timeout), duration <= .seconds(3600) else {
                throw ValidationError("--timeout: '\(timeout)' is not a duration from 0s to 1h, such as 30s")
            }
        }
    }

    func run() async throws {
        let client = ops.client
        let limit = try timeout.map { try DurationParser.parse($0) }
        let result: ActionResult
        do {
            let body = try await client.body(.drainDaemon(timeout: limit))
            if json { OpsOutput.printJSON(body) }
            result = try JSONCoding.decode(ActionResult.self, from: body)
        } catch {
            throw OpsOutput.fail(error, command: "drain-daemon", json: json)
        }
        if !json { print(result.message) }
        guard !noWait else { return }
        let drain = Duration.milliseconds(Int64(((result.drainTimeoutSeconds ?? 20) * 1000).rounded()))
        let deadline = ContinuousClock.now + drain + Self.closingAllowance
        // The daemon's HTTP surface is the last part of it to close: once it no longer answers, it has stopped.
        while ContinuousClock.now < deadline {
            do {
                _ = try await client.get(path: "/healthz")
            } catch .unreachable {
                if !json { print("switchboardd has stopped") }
                return
            } catch {
                // A reply cut short while the surface closes: look again.
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        Output.error("switchboard drain-daemon: the daemon at \(client.url) still answers after \(DurationParser.format(drain + Self.closingAllowance))")
        throw Exit.timedOut
    }
}
