import Foundation
import Testing

/// switchboard-bench for a second with tiny numbers: it runs, and every request it sent was answered. (A
/// smoke test: it times nothing.)
@Suite("End to end: switchboard-bench smoke", .serialized)
struct BenchSmokeTests {
    @Test("native and MDP loads, with the zmq_proxy baseline, answer every request; both ledgers",
          arguments: ["native", "mdp"])
    func everyRequestAnswered(wire: String) async throws {
        // Native runs the daemon on both ledgers (SQLite, and PostgreSQL on a private server); MDP on SQLite.
        let ledger = wire == "native" ? "both" : "sqlite"
        let directory = try TestEnvironment.temporaryDirectory()
        let bench = try ChildProcess(
            name: "bench-\(wire)", executable: try TestEnvironment.executable("switchboard-bench"),
            arguments: [
                "--duration", "1s", "--warmup", "500ms", "--clients", "2", "--in-flight", "2", "--workers", "2",
                "--protocol", wire, "--durability", "os", "--baseline", "proxy",
                "--daemon", try TestEnvironment.executable("switchboardd"), "--ledger", ledger,
            ],
            directory: directory)
        #expect(try await bench.exitCode(within: .seconds(90)) == 0, "\(bench.stderr)")
        let lines = bench.stdout.split(separator: "\n").map(String.init)
        for name in ["zmq_proxy", "switchboardd "] + (ledger == "both" ? ["switchboardd/pg"] : []) {
            let run = try #require(lines.first { $0.hasPrefix("run 1 \(name)") }, "\(bench.stdout)")
            #expect(run.contains(" 0 errors, 0 unanswered"), "\(run)")
            #expect(!run.contains("(0 measured"), "\(run)")
        }
        #expect(lines.contains { $0.hasPrefix("ratio switchboardd/proxy") }, "\(bench.stdout)")
        if ledger == "both" {
            #expect(lines.contains { $0.hasPrefix("ratio PostgreSQL/SQLite ledger") }, "\(bench.stdout)")
        }
    }
}
