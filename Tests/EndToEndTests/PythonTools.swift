import Foundation

/// The Python checkers in Tests/Support, run as processes: a JSON Schema validator (jsonschema) and a
/// Prometheus text-format parser (prometheus_client). `make test` installs both packages.
enum PythonTools {
    static let supportDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Support")

    /// Throws with every schema error if `body` does not match `schemas/api/<schema>` (or a schema under
    /// schemas/ named with a `../` path).
    static func validate(_ body: Data, against schema: String, directory: URL, what: String) async throws {
        let run = try ChildProcess(
            name: "validate-\(UUID().uuidString.prefix(8))", executable: "/usr/bin/env",
            arguments: ["python3", supportDirectory.appendingPathComponent("validate_json.py").path, schema],
            directory: directory, stdin: body)
        let code = try await run.exitCode()
        guard code == 0 else {
            throw TestFailure("\(what) does not match \(schema) (exit \(code)):\n\(run.stderr)\nbody: \(String(decoding: body, as: UTF8.self).prefix(2000))")
        }
    }

    /// One sample of a parsed exposition.
    struct Sample: Decodable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    struct Metrics: Decodable {
        let samples: [Sample]
        let families: [String: String]

        /// The value of the one sample with this name and exactly these labels (nil if there is none).
        func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
            samples.first { $0.name == name && $0.labels == labels }?.value
        }
    }

    /// Parses a Prometheus text exposition with prometheus_client's parser; throws on any parse error.
    static func parseMetrics(_ text: Data, directory: URL) async throws -> Metrics {
        let run = try ChildProcess(
            name: "metrics-\(UUID().uuidString.prefix(8))", executable: "/usr/bin/env",
            arguments: ["python3", supportDirectory.appendingPathComponent("parse_metrics.py").path],
            directory: directory, stdin: text)
        let code = try await run.exitCode()
        guard code == 0 else { throw TestFailure("the metrics do not parse (exit \(code)):\n\(run.stderr)") }
        return try JSONDecoder().decode(Metrics.self, from: Data(run.stdout.utf8))
    }
}
