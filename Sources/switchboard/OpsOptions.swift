import ArgumentParser
import Foundation
import SwitchboardClient
import SwitchboardSchema

/// Options every ops subcommand shares: where the daemon's HTTP surface is.
struct OpsOptions: ParsableArguments {
    @Option(
        name: .customLong("http"),
        help: ArgumentHelp(
            "The daemon's HTTP ops address, HOST:PORT or http://HOST:PORT (default $SWITCHBOARD_HTTP, 127.0.0.1:8570); "
                + "a pair's two, comma-separated: the one that leads answers.",
            valueName: "host:port"))
    var address: String = ProcessInfo.processInfo.environment["SWITCHBOARD_HTTP"] ?? "127.0.0.1:8570"

    @Option(help: ArgumentHelp(
        "A bearer token of the daemon's http.tokens (default $SWITCHBOARD_TOKEN); actions need an operate token.",
        valueName: "token"))
    var token: String? = ProcessInfo.processInfo.environment["SWITCHBOARD_TOKEN"]

    var client: OperationsClient { OperationsClient(address: address, token: token) }

    func validate() throws {
        do {
            try OperationsClient.check(address: address)
        } catch {
            throw ValidationError("--http: \(error)")
        }
    }
}

/// Failure handling for the ops subcommands.
enum OpsOutput {
    /// Prints the error (one sentence on stderr, and with `--json` a JSON object on stdout) and returns the exit
    /// code to throw: 3 for a timeout, 1 for anything else.
    static func fail(_ error: Error, command: String, json: Bool, fields: [String: Any] = [:]) -> Error {
        var object = fields
        let code: Int32
        switch error {
        case let error as OperationsClientError:
            switch error {
            case .refused(let detail):
                code = 1
                object["error"] = ["status": detail.status.rawValue, "error": detail.error, "message": detail.message]
            case .timeout:
                code = 3
                object["error"] = ["error": "timeout", "message": error.description]
            case .unreachable:
                code = 1
                object["error"] = ["error": "unreachable", "message": error.description]
            default:
                code = 1
                object["error"] = ["error": "failed", "message": error.description]
            }
        default:
            code = 1
            object["error"] = ["error": "failed", "message": "\(error)"]
        }
        if json { Output.json(object) }
        Output.error("switchboard \(command): \(error)")
        return ExitCode(code)
    }

    /// Prints a JSON body on one line, as the daemon sent it (re-serialized only if it spans lines).
    static func printJSON(_ body: [UInt8]) {
        var bytes = body
        while let last = bytes.last, last == 0x0A || last == 0x0D || last == 0x20 { bytes.removeLast() }
        if bytes.contains(0x0A),
            let object = try? JSONSerialization.jsonObject(with: Data(bytes)),
            let compact = try? JSONSerialization.data(
                withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        {
            bytes = Array(compact)
        }
        FileHandle.standardOutput.write(Data(bytes + [0x0A]))
    }
}

/// How long ago, or how long until: `4.2s`, `3m 20s`, `2h 5m`, `1d 3h`.
enum Age {
    static func text(_ seconds: Double) -> String {
        StatusPrinter.duration(Int64((seconds * 1000).rounded()))
    }

    /// `in 12m 3s`, or `overdue 4m 1s`; `-` when there is no deadline.
    static func due(_ seconds: Double?) -> String {
        guard let seconds else { return "-" }
        return seconds >= 0 ? text(seconds) : "overdue \(text(-seconds))"
    }
}
