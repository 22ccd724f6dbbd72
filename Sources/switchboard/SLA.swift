import ArgumentParser
import Foundation
import SwitchboardPostgres
import Logging
import SwitchboardSchema
import SwitchboardStore

/// `switchboard sla report --json`.
struct ReportJSON: Encodable {
    let since: String
    let rows: [SLAReportRow]
}

struct SLA: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sla", abstract: "Service-level reports.", subcommands: [Report.self])

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Per department and priority: the share of answer targets met, breaches, and time to answer.",
            discussion: """
                Reads the daemon's ledger (read-only; the daemon may keep running). Times to answer count open \
                (business) time only, per each department's calendar.
                """)

        @Option(help: "The period: requests finished within this long before now (e.g. 24h, 7d).")
        var since: String = "24h"

        @Option(help: "Only this department.")
        var department: String?

        @Option(name: .customLong("data-dir"), help: "The daemon's data directory (where switchboard.sqlite is).")
        var dataDirectory: String = "./var"

        @Option(
            name: .customLong("ledger-url"),
            help: "A pair's PostgreSQL ledger, postgres://USER@HOST:PORT/DATABASE (default $SWITCHBOARD_LEDGER_URL); read instead of --data-dir.")
        var ledgerURL: String? = ProcessInfo.processInfo.environment["SWITCHBOARD_LEDGER_URL"]

        @Flag(help: "Print one JSON object for scripts.")
        var json = false

        func validate() throws {
            do { _ = try DurationParser.parse(since) } catch { throw ValidationError("--since: \(error)") }
            if let ledgerURL {
                do { _ = try PostgresLocation(url: ledgerURL) } catch { throw ValidationError("--ledger-url \(error)") }
            }
        }

        func run() async throws {
            let period = try DurationParser.parse(since)
            let rows: [SLAReportRow]
            do {
                let ledger: any LedgerStore = try ledgerURL.map {
                    try PostgresLedger(
                        location: try PostgresLocation(url: $0), readingOnly: true, logger: Logger(label: "switchboard"))
                } ?? Ledger(readingFrom: dataDirectory)
                rows = try ledger.slaReport(
                    since: Timestamp(milliseconds: Timestamp.now().rawValue - period.milliseconds), department: department)
                try ledger.close()
            } catch {
                Output.error("switchboard sla report: \(error)")
                throw Exit.failed
            }
            if json {
                print(String(decoding: JSONCoding.encode(ReportJSON(since: since, rows: rows)), as: UTF8.self))
                return
            }
            print("requests finished in the last \(since)" + (department.map { " in \($0)" } ?? ""))
            let header = ["department", "priority", "finished", "answered", "met", "breached", "met %", "median", "p90"]
            let widths = [20, 9, 9, 9, 6, 9, 7, 10, 10]
            func line(_ cells: [String]) -> String {
                zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined()
            }
            print(line(header))
            for row in rows {
                print(line([
                    row.department, row.priority.rawValue, String(row.finished), String(row.answered), String(row.met),
                    String(row.breached), row.metShare.map { String(format: "%.1f", $0 * 100) } ?? "-",
                    row.medianAnswerMs.map(StatusPrinter.duration) ?? "-", row.p90AnswerMs.map(StatusPrinter.duration) ?? "-",
                ]))
            }
            if rows.isEmpty { print("(no request finished in that period)") }
        }
    }
}
