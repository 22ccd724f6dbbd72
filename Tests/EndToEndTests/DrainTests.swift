import Foundation
import SwitchboardClient
import SwitchboardSchema
import SwitchboardStore
import Testing

/// A graceful stop, by `switchboard drain-daemon` or SIGTERM: intake closes, workers finish what they hold up to
/// the drain limit, the rest goes back to the ledger, and the daemon exits 0.
@Suite("End to end: graceful drain", .serialized)
struct DrainTests {
    @Test("drain-daemon: intake closes at once, a worker finishes what it holds, and the daemon exits 0",
          .timeLimit(.minutes(2)))
    func drainDaemon() async throws {
        try await Daemon.with { daemon in
            let release = try Self.fifo(in: daemon.directory)
            _ = try await daemon.serve(name: "slow", departments: ["claims"], command: Self.holdUntil(release))
            let agent = try await AgentClient(endpoint: daemon.endpoint)
            defer { Task { await agent.close() } }
            let held = try await agent.submit(department: "claims", body: Array("the held one".utf8))
            _ = try await daemon.events.next(within: .seconds(20)) { $0.type == .requestAccepted && $0.ticket == held.ticket }

            let drain = try daemon.opsCLI("drain-daemon", ["drain-daemon", "--timeout", "30s"])
            try await OutputWatch.wait(for: "stopping: intake closed", in: daemon.process.stderrURL)
            // Intake is closed: a new request gets 503, and /readyz says why.
            do {
                _ = try await agent.submit(department: "claims", body: Array("too late".utf8))
                Issue.record("a submission was accepted while the daemon drains")
            } catch SwitchboardClientError.refused(let status, let error, _) {
                #expect(status == .unavailable && error == "unavailable")
            }
            let ready = try await HTTPProbe.get(daemon.httpBase + "/readyz")
            #expect(ready.status == 503)

            // The worker finishes within the limit: its answer is delivered, and the daemon leaves at once.
            try Data("go\n".utf8).write(to: release)
            #expect(try await agent.answer(ticket: held.ticket, timeout: .seconds(20)) == Array("done:the held one".utf8))
            #expect(try await daemon.process.exitCode(within: .seconds(20)) == 0, "\(daemon.process.stderr.suffix(2000))")
            #expect(try await drain.exitCode(within: .seconds(20)) == 0, "\(drain.stderr)")
            #expect(drain.stdout.contains("switchboardd is stopping") && drain.stdout.contains("switchboardd has stopped"))
            #expect(daemon.process.stderr.contains("handed_back=0"), "\(daemon.process.stderr.suffix(2000))")
        }
    }

    @Test("SIGTERM with a worker that does not finish: at the limit its request goes back to the ledger as queued, without counting the attempt; the next start serves it",
          .timeLimit(.minutes(2)))
    func handBackAtTheLimit() async throws {
        try await Daemon.with { daemon in
            let release = try Self.fifo(in: daemon.directory)
            let slow = try await daemon.serve(name: "stuck", departments: ["claims"], command: Self.holdUntil(release))
            let agent = try await AgentClient(endpoint: daemon.endpoint)
            defer { Task { await agent.close() } }
            let held = try await agent.submit(department: "claims", body: Array("stuck one".utf8))
            _ = try await daemon.events.next(within: .seconds(20)) { $0.type == .requestAccepted && $0.ticket == held.ticket }
            let queued = try await agent.submit(department: "claims", body: Array("waiting one".utf8))

            let stopped = ContinuousClock.now
            daemon.process.signal(SIGTERM)
            #expect(try await daemon.process.exitCode(within: .seconds(20)) == 0, "\(daemon.process.stderr.suffix(2000))")
            let took = ContinuousClock.now - stopped
            #expect(took >= .seconds(3), "the worker had the fixture's drain limit (\(Daemon.drainTimeout)) to finish")
            #expect(daemon.process.stderr.contains("handed_back=1"), "\(daemon.process.stderr.suffix(2000))")
            let requeued = try await daemon.events.next(within: .seconds(5)) {
                $0.type == .requestRequeued && $0.ticket == held.ticket
            }
            #expect(requeued.reason?.contains("drain limit") == true)

            // A clean stop folds the write-ahead log into the file: a copy of the file alone is the whole ledger.
            let wal = daemon.dataDirectory.appendingPathComponent("switchboard.sqlite-wal").path
            let walSize = (try? FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int) ?? 0
            #expect(walSize == 0, "the write-ahead log still holds \(walSize) bytes after a clean stop")

            let ledger = try Ledger(directory: daemon.dataDirectory.path, durability: .os)
            let stored = try #require(try ledger.request(ticket: held.ticket))
            #expect(stored.state == .queued)
            #expect(stored.attempts == 0, "a hand-back does not count as a failed attempt")
            #expect(try ledger.request(ticket: queued.ticket)?.state == .queued)
            try ledger.close()

            // The stuck worker goes; after a restart another serves both requests.
            await slow.stop()
            try await daemon.restart()
            _ = try await daemon.serve(name: "echo", departments: ["claims"], command: ["sh", "-c", "printf 'done:'; cat"])
            let reconnected = try await AgentClient(endpoint: daemon.endpoint)
            defer { Task { await reconnected.close() } }
            #expect(try await reconnected.answer(ticket: held.ticket, timeout: .seconds(20)) == Array("done:stuck one".utf8))
            #expect(try await reconnected.answer(ticket: queued.ticket, timeout: .seconds(20)) == Array("done:waiting one".utf8))
        }
    }

    /// A named pipe in `directory`: a worker's command blocks reading it until the test writes a line.
    static func fifo(in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent("release-\(UUID().uuidString.prefix(8))")
        guard mkfifo(url.path, 0o600) == 0 else { throw TestFailure("mkfifo failed: errno \(errno)") }
        return url
    }

    /// A worker command that holds its request until a line arrives on `release`, then answers `done:<body>`.
    static func holdUntil(_ release: URL) -> [String] {
        ["sh", "-c", "read line < '\(release.path)'; printf 'done:'; cat"]
    }
}
