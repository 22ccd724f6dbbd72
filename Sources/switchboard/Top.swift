import ArgumentParser
import Foundation
import SwitchboardClient
import SwitchboardSchema

struct Top: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watch the broker live: departments, requests nearest to breach, breaches.",
        discussion: """
            Refreshes from GET /api/v1/overview every --interval on the terminal's alternate screen; q or Ctrl-C \
            quits. When standard output is not a terminal, or with --once, it prints one frame as plain text and \
            exits (1 if the daemon cannot be read). While the daemon cannot be read, the live view shows why and \
            keeps retrying.
            """)

    @OptionGroup var ops: OpsOptions

    @Option(help: "How often to refresh (e.g. 1s, 500ms, 5s).")
    var interval: String = "1s"

    @Flag(help: "Print one frame and exit.")
    var once = false

    @Flag(help: "Print the API's JSON body (GET /api/v1/overview) on one line and exit.")
    var json = false

    func validate() throws {
        let parsed: Duration
        do { parsed = try DurationParser.parse(interval) } catch { throw ValidationError("--interval: \(error)") }
        guard parsed >= .milliseconds(100) else { throw ValidationError("--interval must be at least 100ms") }
    }

    func run() async throws {
        let client = ops.client
        if json {
            do {
                OpsOutput.printJSON(try await client.body(.overview))
            } catch {
                throw OpsOutput.fail(error, command: "top", json: true)
            }
            return
        }
        guard !once, LiveTerminal.isInteractive else {
            do {
                let frame = TopFrame.render(try await client.overview(), source: client.url, footer: "")
                frame.forEach { print($0) }
            } catch {
                throw OpsOutput.fail(error, command: "top", json: false)
            }
            return
        }
        try await live(client, every: try DurationParser.parse(interval))
    }

    /// Redraws every `period` until q, SIGINT or SIGTERM (which exit 0).
    private func live(_ client: OperationsClient, every period: Duration) async throws {
        let terminal = LiveTerminal()
        terminal.start { Foundation.exit(0) }
        let footer = "every \(interval), q quits"
        do {
            while true {
                let started = ContinuousClock.now
                do {
                    terminal.draw(TopFrame.render(try await client.overview(), source: client.url, footer: footer))
                } catch {
                    terminal.draw(TopFrame.failure(
                        error, source: client.url, at: Timestamp.now().iso8601, footer: footer,
                        width: LiveTerminal.size().width))
                }
                try await Task.sleep(until: started + period, clock: .continuous)
            }
        } catch {
            terminal.restore()
            throw error
        }
    }
}
