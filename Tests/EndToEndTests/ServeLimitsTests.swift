import Foundation
import SwitchboardSchema
import Testing

/// `switchboard serve` limits (issue 17): `--timeout` stops a command that runs too long, and a command killed by
/// a signal has failed; either way the request is given back (RELEASE), requeued with the attempt counted, and
/// never rejected. `--concurrency` runs that many commands at once.
@Suite("End to end: serve --timeout and --concurrency", .serialized)
struct ServeLimitsTests {
    /// Fails its first attempt (as `first` says), then answers.
    static func failingOnce(_ first: String) -> [String] {
        ["sh", "-c", "if [ \"$SWITCHBOARD_ATTEMPT\" = 1 ]; then \(first); fi; printf 're:'; cat"]
    }

    @Test("a command past --timeout, and one killed by a signal: requeued with the attempt counted, then answered",
          arguments: [
            ("exec sleep 30", "did not finish within 1s", ["--timeout", "1s"]),
            ("kill -9 $$", "was killed by signal 9", []),
          ])
    func givenBackNotRejected(first: String, reason: String, extra: [String]) async throws {
        try await Daemon.with { daemon in
            _ = try await daemon.serve(
                name: "flaky", departments: ["claims"], command: Self.failingOnce(first), extra: extra)
            let ask = try daemon.cli("ask", ["ask", "--department", "claims", "--json", "--timeout", "30s", "question"])
            #expect(try await ask.exitCode(within: .seconds(40)) == 0, "\(ask.stderr)")
            let reply = try jsonObject(ask.stdout)
            #expect(reply["answer"] as? String == "re:question")
            let ticket = try #require(reply["ticket"] as? String)
            let requeued = try await daemon.events.next { $0.type == .requestRequeued && $0.ticket == ticket }
            #expect(requeued.reason?.contains("given back by flaky") == true, "\(requeued.reason ?? "")")
            #expect(requeued.reason?.contains(reason) == true, "\(requeued.reason ?? "")")
            #expect(!daemon.events.seen.contains { $0.type == .requestDeadLettered }, "never rejected")

            let status = try daemon.cli("status", ["status", "--json", ticket])
            #expect(try await status.exitCode() == 0, "\(status.stderr)")
            #expect(try jsonObject(status.stdout)["attempts"] as? Int == 2)
        }
    }

    @Test("--concurrency 2 runs two commands at once")
    func concurrency() async throws {
        try await Daemon.with { daemon in
            // Each command waits until both have started (a file each), so two answers mean two at once.
            let directory = daemon.directory.path
            let script = "touch \(directory)/started-$SWITCHBOARD_TICKET; "
                + "while [ $(ls \(directory) | grep -c '^started-') -lt 2 ]; do sleep 0.05; done; printf 'both'"
            _ = try await daemon.serve(
                name: "pair-of-hands", departments: ["claims"], capacity: 1, command: ["sh", "-c", script],
                extra: ["--concurrency", "2"])
            let asks = try (1...2).map { index in
                try daemon.cli("ask-\(index)", ["ask", "--department", "claims", "--json", "--timeout", "20s", "q\(index)"])
            }
            for ask in asks {
                #expect(try await ask.exitCode(within: .seconds(30)) == 0, "\(ask.stderr)")
                #expect(try jsonObject(ask.stdout)["answer"] as? String == "both")
            }
        }
    }
}
