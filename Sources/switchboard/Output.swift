import ArgumentParser
import Foundation
import SwitchboardClient
import SwitchboardSchema

/// Printing helpers: people get aligned text, scripts get one JSON object per line.
enum Output {
    static func json(_ object: [String: Any]) {
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: data, as: UTF8.self))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// The body as text when it is UTF-8; otherwise a note with its size (never dump binary on a terminal).
    static func text(_ body: [UInt8]) -> String {
        String(validating: body, as: UTF8.self) ?? "<\(body.count) bytes of binary data>"
    }

    /// Prints a body as text, without doubling the newline most commands end their output with.
    static func printBody(_ body: [UInt8]) {
        let text = Output.text(body)
        print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
    }

    /// A body for JSON output: `answer` as text, or `answer_base64` when it is not UTF-8.
    static func bodyFields(_ key: String, _ body: [UInt8]?) -> [String: Any] {
        guard let body else { return [:] }
        if let text = String(validating: body, as: UTF8.self) { return [key: text] }
        return [key + "_base64": Data(body).base64EncodedString()]
    }

    static func statusObject(_ info: RequestStatus) -> [String: Any] {
        let data = Data(JSONCoding.encode(info))
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    /// Maps a client error to the exit code and a one-line message.
    static func fail(_ error: Error, json: Bool, fields: [String: Any] = [:]) -> Error {
        let code: Int32
        var object = fields
        switch error {
        case SwitchboardClientError.timeout:
            code = 3
            object["error"] = ["error": "timeout", "message": "\(error)"]
        case let SwitchboardClientError.refused(status, reason, message):
            code = 1
            object["error"] = ["status": status.rawValue, "error": reason, "message": message]
        case let SwitchboardClientError.requestFailed(_, status, reason):
            code = 1
            object["state"] = status == .gone ? "cancelled" : (status == .rejected ? "rejected" : "dead_lettered")
            object["error"] = ["status": status.rawValue, "error": status == .rejected ? "rejected" : "dead-lettered",
                               "message": reason]
        default:
            code = 1
            object["error"] = ["error": "failed", "message": "\(error)"]
        }
        if json { Output.json(object) } else { Output.error("switchboard: \(error)") }
        return ExitCode(code)
    }
}

extension Output {
    /// An aligned table, as lines: the header, then one line per row, columns two spaces apart. Columns listed in
    /// `rightAligned` (numbers) align right; the last column is never padded (no trailing spaces).
    static func table(_ header: [String], _ rows: [[String]], rightAligned: Set<Int> = []) -> [String] {
        var widths = header.map(\.count)
        for row in rows {
            for (column, cell) in row.enumerated() where column < widths.count {
                widths[column] = max(widths[column], cell.count)
            }
        }
        return ([header] + rows).map { cells in
            cells.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: max(0, widths[min(column, widths.count - 1)] - cell.count))
                if rightAligned.contains(column) { return pad + cell }
                return column == cells.count - 1 ? cell : cell + pad
            }.joined(separator: "  ")
        }
    }
}
