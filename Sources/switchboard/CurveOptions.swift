import ArgumentParser
import Foundation
import SwitchboardClient
import ZeroMQ

/// `--key` and `--server-key`: the keys for a broker that runs CURVE.
struct CurveOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Your secret certificate, for a broker that runs CURVE (switchboard keygen writes one; or $SWITCHBOARD_KEY).",
        valueName: "file"))
    var key: String? = ProcessInfo.processInfo.environment["SWITCHBOARD_KEY"]

    @Option(
        name: .customLong("server-key"),
        help: ArgumentHelp("The broker's public certificate (or $SWITCHBOARD_SERVER_KEY).", valueName: "file"))
    var serverKey: String? = ProcessInfo.processInfo.environment["SWITCHBOARD_SERVER_KEY"]

    func validate() throws {
        if (key == nil) != (serverKey == nil) {
            throw ValidationError("--key and --server-key go together: your secret certificate and the broker's public one")
        }
    }

    /// The credentials, or nil for a plain broker. Throws a one-sentence error for an unusable file.
    func credentials() throws -> CurveCredentials? {
        guard let key, let serverKey else { return nil }
        do {
            return try CurveCredentials.load(keyFile: key, serverKeyFile: serverKey)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
