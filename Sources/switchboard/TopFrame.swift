import Foundation
import SwitchboardClient
import SwitchboardSchema

/// One frame of `switchboard top`, as plain lines (no escape codes): a header, the departments, the requests
/// nearest to breach and the recent breaches.
enum TopFrame {
    /// At most this many requests nearest to breach and recent breaches (the terminal's height trims more).
    static let listLength = 15

    static func render(_ overview: OperationsOverview, source: String, footer: String) -> [String] {
        let stats = overview.stats
        let breached = overview.departments.reduce(0) { $0 + $1.breached }
        let atRisk = overview.departments.reduce(0) { $0 + $1.atRisk }
        var lines = [title(source: source, at: overview.generatedAt, footer: footer)]
        lines.append(
            "pending \(StatsPrinter.pendingLine(stats.pending))   at risk \(atRisk)   breached now \(breached)")
        lines.append(
            "answered \(stats.answered)   cancelled \(stats.cancelled)   dead-lettered \(stats.deadLettered)   "
                + "breaches \(stats.slaBreaches)   workers \(stats.workers)   uptime \(Age.text(stats.uptimeSeconds))")
        lines.append("")
        lines += DepartmentTable.lines(overview.departments)
        lines.append("")
        lines.append("NEAREST TO BREACH")
        if overview.nearestDeadline.isEmpty {
            lines.append("  nothing is open")
        } else {
            lines += RequestTable.lines(overview.nearestDeadline.prefix(listLength)).map { "  " + $0 }
        }
        lines.append("")
        lines.append("RECENT BREACHES")
        let now = RFC3339.date(overview.generatedAt)
        let breaches = overview.recentBreaches.prefix(listLength).map { breach in
            let ago = both(now, RFC3339.date(breach.at)).map { Age.text(max(0, $0.0.timeIntervalSince($0.1))) + " ago" }
            return [
                ago ?? breach.at, breach.ticket, breach.department, breach.priority.rawValue,
                breach.target?.rawValue ?? "-", breach.state.rawValue,
            ]
        }
        if breaches.isEmpty {
            lines.append("  none")
        } else {
            lines += Output.table(
                ["WHEN", "TICKET", "DEPARTMENT", "PRIORITY", "TARGET", "STATE NOW"], breaches, rightAligned: [0]
            ).map { "  " + $0 }
        }
        return lines
    }

    /// The frame shown while the daemon cannot be read: what went wrong (wrapped to `width`), and that it is
    /// retrying.
    static func failure(_ error: Error, source: String, at: String, footer: String, width: Int) -> [String] {
        [title(source: source, at: at, footer: footer), ""] + wrap("\(error)", width: width) + ["", "retrying"]
    }

    /// `top  http://127.0.0.1:8570  2026-11-29T13:05:12.345Z  every 1s, q quits`
    private static func title(source: String, at: String, footer: String) -> String {
        "top  \(source)  \(at)" + (footer.isEmpty ? "" : "  \(footer)")
    }

    /// Words into lines of at most `width` characters (a longer word gets a line of its own).
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        return lines + (line.isEmpty ? [] : [line])
    }
}

/// RFC 3339 times as the API writes them (`2026-11-29T13:05:12.345Z`).
enum RFC3339 {
    static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}

/// Both values, or nil when either is absent.
private func both<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
