import Foundation
import SwitchboardSchema
import Testing

@Suite("End to end: the ledger across restarts", .serialized)
struct LedgerRecoveryTests {
    /// `switchboard ask --no-wait --json`; returns the ticket.
    private func submit(_ daemon: Daemon, _ department: String, id: String, _ text: String) async throws -> String {
        let ask = try daemon.cli("ask-\(id)", ["ask", "--department", department, "--no-wait", "--json", "--id", id, text])
        #expect(try await ask.exitCode() == 0, "\(ask.stderr)")
        return try #require(try jsonObject(ask.stdout)["ticket"] as? String)
    }

    private func status(_ daemon: Daemon, _ ticket: String) async throws -> [String: Any] {
        let status = try daemon.cli("status-\(ticket)", ["status", "--json", ticket])
        #expect(try await status.exitCode() == 0, "\(status.stderr)")
        return try jsonObject(status.stdout)
    }

    @Test("after a graceful restart, pending, held and answered requests are all as they were")
    func gracefulRestart() async throws {
        try await Daemon.with { daemon in
            let pending = try await submit(daemon, "pharmacy", id: "p-1", "Prior auth for M-7?")

            _ = try await daemon.serve(
                name: "slow-claims", departments: ["claims"], command: ["sh", "-c", "cat > /dev/null; exec sleep 30"])
            let held = try await submit(daemon, "claims", id: "h-1", "Claim C-1?")
            _ = try await daemon.events.next { $0.type == .requestAccepted && $0.ticket == held }

            _ = try await daemon.serve(
                name: "eligibility-bot", departments: ["eligibility"], command: ["sh", "-c", "printf 'yes:'; cat"])
            let ask = try daemon.cli("ask-a-1", ["ask", "--department", "eligibility", "--json", "--id", "a-1", "M-1?"])
            #expect(try await ask.exitCode() == 0, "\(ask.stderr)")
            let answered = try #require(try jsonObject(ask.stdout)["ticket"] as? String)

            try await daemon.restart()
            #expect(daemon.process.stderr.contains("open=2"), "the ledger read should report 2 open requests")

            let pendingStatus = try await status(daemon, pending)
            #expect(pendingStatus["state"] as? String == "queued")
            #expect(pendingStatus["department"] as? String == "pharmacy")
            #expect(pendingStatus["request_id"] as? String == "p-1")

            let answeredStatus = try await status(daemon, answered)
            #expect(answeredStatus["state"] as? String == "answered")
            #expect(answeredStatus["answer"] as? String == "yes:M-1?")
            let again = try daemon.cli("again", ["ask", "--department", "eligibility", "--json", "--id", "a-1", "M-1?"])
            #expect(try await again.exitCode() == 0, "\(again.stderr)")
            let second = try jsonObject(again.stdout)
            #expect(second["ticket"] as? String == answered)
            #expect(second["accepted_status"] as? Int == 200)
            #expect(second["answer"] as? String == "yes:M-1?")

            // The slow worker did not finish within the drain limit: the graceful stop handed the request back
            // to the ledger as queued, without counting the attempt.
            let history = try daemon.cli("history", ["status", "--history", "--json", held])
            #expect(try await history.exitCode() == 0, "\(history.stderr)")
            let events = try #require(try jsonObject(history.stdout)["events"] as? [[String: Any]])
            let types = events.compactMap { $0["type"] as? String }
            #expect(Array(types.prefix(3)) == ["request.submitted", "request.offered", "request.accepted"])
            let requeue = try #require(events.first { $0["type"] as? String == "request.requeued" })
            #expect((requeue["reason"] as? String)?.contains("drain limit") == true, "\(requeue)")
            #expect(requeue["attempt"] as? Int == 0)

            let text = try daemon.cli("history-text", ["status", "--history", held])
            #expect(try await text.exitCode() == 0)
            #expect(text.stdout.contains("request.requeued"))
            #expect(!text.stdout.contains("Claim C-1?"), "histories never carry bodies")
        }
    }

    @Test("a corrupt ledger stops start-up with the file and the cause, and is left untouched")
    func corruptLedger() async throws {
        let directory = try TestEnvironment.temporaryDirectory()
        let data = directory.appendingPathComponent("var")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let file = data.appendingPathComponent("switchboard.sqlite")
        var random = SystemRandomNumberGenerator()
        let garbage = Data((0..<8192).map { _ in UInt8.random(in: 0...255, using: &random) })
        try garbage.write(to: file)
        let daemon = try ChildProcess(
            name: "switchboardd", executable: try TestEnvironment.executable("switchboardd"),
            arguments: [
                "--data-dir", data.path, "--endpoint", "tcp://127.0.0.1:\(try TestEnvironment.freePort())",
                "--events", "tcp://127.0.0.1:\(try TestEnvironment.freePort())",
            ],
            directory: directory)
        #expect(try await daemon.exitCode(within: .seconds(20)) == 74)
        #expect(daemon.stderr.contains(file.path), "\(daemon.stderr)")
        #expect(daemon.stderr.contains("not a valid SQLite database"), "\(daemon.stderr)")
        #expect(try Data(contentsOf: file) == garbage)
        #expect(!daemon.stderr.contains("switchboardd ready"))
    }
}
