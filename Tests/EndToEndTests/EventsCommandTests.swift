import Foundation
import SwitchboardSchema
import Testing

@Suite("End to end: switchboard events", .serialized)
struct EventsCommandTests {
    @Test("`switchboard events --topic` prints one line per matching event")
    func followsTheStream() async throws {
        try await Daemon.with { daemon in
            let events = try ChildProcess(
                name: "events", executable: try TestEnvironment.executable("switchboard"),
                arguments: ["events", "--endpoint", daemon.eventsEndpoint, "--topic", "request.submitted", "--count", "1"],
                directory: daemon.directory)
            defer { events.signal(SIGKILL) }
            // The subscription reaches the daemon some time after the CLI connects: submit until it reports one.
            let deadline = ContinuousClock.now + .seconds(20)
            var submitted = 0
            while events.process.isRunning && ContinuousClock.now < deadline {
                submitted += 1
                let ask = try daemon.cli("ask-\(submitted)", ["ask", "--department", "pharmacy", "--no-wait", "--id", "ev-\(submitted)", "PA?"])
                #expect(try await ask.exitCode() == 0)
            }
            #expect(try await events.exitCode(within: .seconds(5)) == 0)
            let line = events.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(line.contains(" request.submitted T-"), "\(line)")
            #expect(line.contains(" pharmacy normal"), "\(line)")
            #expect(!line.contains("PA?"), "events never carry bodies")
        }
    }
}
