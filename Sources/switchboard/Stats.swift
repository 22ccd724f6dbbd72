import ArgumentParser
import Foundation
import SwitchboardClient
import SwitchboardSchema

struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the broker's totals, what is pending now, and each department.",
        discussion: "Reads GET /api/v1/stats and GET /api/v1/departments (--json prints the stats body only).")

    @OptionGroup var ops: OpsOptions

    @Flag(help: "Print the API's JSON body (GET /api/v1/stats) on one line.")
    var json = false

    func run() async throws {
        let client = ops.client
        do {
            if json {
                OpsOutput.printJSON(try await client.body(.stats))
                return
            }
            async let stats = client.stats()
            async let departments = client.departments()
            StatsPrinter.print(try await stats)
            print("")
            DepartmentTable.print(try await departments)
        } catch {
            throw OpsOutput.fail(error, command: "stats", json: json)
        }
    }
}

enum StatsPrinter {
    static func print(_ stats: OperationsStats) {
        let rows: [(String, String)] = [
            ("daemon", "switchboardd \(stats.version), up \(Age.text(stats.uptimeSeconds)) (since \(stats.startedAt))"),
            ("submitted", String(stats.submitted)),
            ("answered", String(stats.answered)),
            ("cancelled", String(stats.cancelled)),
            ("dead-lettered", String(stats.deadLettered)),
            ("retries", String(stats.retries)),
            ("sla warnings", String(stats.slaWarnings)),
            ("sla breaches", String(stats.slaBreaches)),
            ("messages", "\(stats.messagesReceived) received, \(stats.messagesSent) sent"),
            ("protocol errors", String(stats.protocolErrors)),
            ("workers", String(stats.workers)),
            ("departments", String(stats.departments)),
            ("pending", pendingLine(stats.pending)),
        ]
        for (label, value) in rows {
            Swift.print(label.padding(toLength: 17, withPad: " ", startingAt: 0) + value)
        }
    }

    /// `12: queued 5, offered 1, accepted 5, waiting_on_agent 1` (states in lifecycle order, none at zero).
    static func pendingLine(_ pending: [String: Int]) -> String {
        let order = RequestState.allCases.map(\.rawValue)
        let names = (order + pending.keys.filter { !order.contains($0) }.sorted()).filter { (pending[$0] ?? 0) != 0 }
        let total = pending.values.reduce(0, +)
        guard !names.isEmpty else { return String(total) }
        return "\(total): " + names.map { "\($0) \(pending[$0]!)" }.joined(separator: ", ")
    }
}

enum DepartmentTable {
    static func print(_ departments: [DepartmentSummary]) {
        lines(departments).forEach { Swift.print($0) }
    }

    static func lines(_ departments: [DepartmentSummary]) -> [String] {
        guard !departments.isEmpty else { return ["no department is configured"] }
        let rows = departments.map { department in
            [
                department.name, String(department.pending), String(department.queued),
                department.oldestPendingSeconds.map(Age.text) ?? "-", String(department.atRisk),
                String(department.breached),
                department.drainingWorkers > 0
                    ? "\(department.workers) (\(department.drainingWorkers) draining)" : String(department.workers),
                "\(department.freeCredit)/\(department.credit)", String(department.answeredLastDay),
                department.slaCompliance.map { String(format: "%.1f%%", $0 * 100) } ?? "-",
            ]
        }
        let header = [
            "DEPARTMENT", "PENDING", "QUEUED", "OLDEST", "AT RISK", "BREACHED", "WORKERS", "FREE CREDIT",
            "ANSWERED 24H", "COMPLIANCE",
        ]
        return Output.table(header, rows, rightAligned: Set(1...9))
    }
}
