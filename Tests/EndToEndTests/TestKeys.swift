import Foundation
import ZeroMQ

/// CURVE keys for a test daemon and its principals, as certificate files in a directory of their own, and
/// the `security:` section that names them.
struct TestKeys: Sendable {
    let directory: URL
    let pairs: [String: CurveKeyPair]
    /// Principal name → its YAML settings (kind and permissions); names not listed have keys but no principal.
    let principals: [(name: String, settings: String)]

    /// The broker's key, and `ops` (ops, operate) and `probe` (a bot serving every department, which the
    /// fixture uses to see that the daemon is up) besides the test's own.
    init(principals: [(name: String, settings: String)], strangers: [String] = []) throws {
        directory = try TestEnvironment.temporaryDirectory()
        let all = principals + [("ops", "kind: ops, operate: true"), ("probe", "kind: bot, serve: \"*\"")]
        var pairs: [String: CurveKeyPair] = [:]
        for name in ["broker"] + all.map(\.name) + strangers {
            let pair = try CurveKeyPair.generate()
            pairs[name] = pair
            let certificate = CurveCertificate(publicKey: pair.publicKey, secretKey: pair.secretKey, metadata: [("name", name)])
            try certificate.text(includingSecret: false).write(to: directory.appendingPathComponent("\(name).key"), atomically: true, encoding: .utf8)
            try certificate.text(includingSecret: true).write(
                to: directory.appendingPathComponent("\(name).key_secret"), atomically: true, encoding: .utf8)
        }
        self.pairs = pairs
        self.principals = all
    }

    func publicFile(_ name: String) -> String { directory.appendingPathComponent("\(name).key").path }
    func secretFile(_ name: String) -> String { directory.appendingPathComponent("\(name).key_secret").path }

    /// `--key` and `--server-key` for the CLI, as `name`.
    func arguments(_ name: String) -> [String] { ["--key", secretFile(name), "--server-key", publicFile("broker")] }

    /// A key pair and the broker's public key, for raw sockets.
    func curve(_ name: String) -> (CurveKeyPair, [UInt8]) { (pairs[name]!, pairs["broker"]!.publicKey) }

    /// The `security:` section, with `without` left out (to revoke it).
    func configuration(without excluded: Set<String> = []) -> String {
        var lines = ["security:", "  key: \(secretFile("broker"))", "  principals:"]
        for (name, settings) in principals where !excluded.contains(name) {
            lines.append("    \(name): {\(settings), key_file: \(publicFile(name))}")
        }
        return lines.joined(separator: "\n")
    }

    var configuration: String { configuration() }
}
