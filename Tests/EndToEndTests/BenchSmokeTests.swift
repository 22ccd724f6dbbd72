import Foundation
import Testing

/// switchboard-bench for a second with tiny numbers: it runs, and every request it sent was answered. (A
/// smoke test: it times nothing.)
@Suite("End to end: switchboard-bench smoke", .serialized)
struct BenchSmokeTests {
    @Test("native and MDP loads, with the zmq_proxy baseline, answer every request", arguments: ["native", "mdp"])
    func everyRequestAnswered(wire: String) async throws {
        let directory = try TestEnvironment.temporaryDirectory()
        let bench = try ChildProcess(
            name: "bench-\(wire)", executable: try TestEnvironment.executable("switchboard-bench"),
            arguments: [
                "--duration", "1s", "--warmup", "500ms", "--clients", "2", "--in-flight", "2", "--workers", "2",
                "--protocol", wire, "--durability", "os", "--baseline", "proxy",
                "--daemon", try TestEnvironment.executable("switchboardd"),
            ],
            directory: directory)
        #expect(try await bench.exitCode(within: .seconds(90)) == 0, "\(bench.stderr)")
        let lines = bench.stdout.split(separator: "\n").map(String.init)
        for name in ["zmq_proxy", "switchboardd"] {
            let run = try #require(lines.first { $0.hasPrefix("run 1 \(name)") }, "\(bench.stdout)")
            #expect(run.contains(" 0 errors, 0 unanswered"), "\(run)")
            #expect(!run.contains("(0 measured"), "\(run)")
        }
        #expect(lines.contains { $0.hasPrefix("ratio switchboardd/proxy") }, "\(bench.stdout)")
    }
}
