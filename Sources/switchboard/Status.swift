import ArgumentParser
import Foundation
import SwitchboardClient
import SwitchboardSchema

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a ticket's state, and its answer once there is one.")

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Print one JSON object for scripts.")
    var json = false

    @Flag(help: "Print the ticket's recorded history (every change, oldest first) instead of its status.")
    var history = false

    @Argument(help: "The ticket, as printed by `switchboard ask`.")
    var ticket: String

    func run() async throws {
        try await connection.withAgent { client in
            do {
                if history {
                    HistoryPrinter.print(try await client.history(ticket: ticket), json: json)
                } else {
                    StatusPrinter.print(try await client.status(ticket: ticket), json: json)
                }
            } catch {
                throw Output.fail(error, json: json, fields: ["ticket": ticket])
            }
        }
    }
}

struct Cancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Cancel a ticket that is not finished yet.")

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Print one JSON object for scripts.")
    var json = false

    @Argument(help: "The ticket to cancel.")
    var ticket: String

    func run() async throws {
        try await connection.withAgent { client in
            do {
                StatusPrinter.print(try await client.cancel(ticket: ticket), json: json)
            } catch {
                throw Output.fail(error, json: json, fields: ["ticket": ticket])
            }
        }
    }
}

struct Reply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Answer a department's question about a ticket (its clocks resume).",
        discussion: "The reply is TEXT, or standard input when TEXT is absent.")

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Print one JSON object for scripts.")
    var json = false

    @Argument(help: "The ticket the question is about.")
    var ticket: String

    @Argument(help: "The reply.")
    var text: [String] = []

    func run() async throws {
        let body: [UInt8] = text.isEmpty
            ? Array(FileHandle.standardInput.readDataToEndOfFile())
            : Array(text.joined(separator: " ").utf8)
        try await connection.withAgent { client in
            do {
                StatusPrinter.print(try await client.provideInfo(ticket: ticket, body: body), json: json)
            } catch {
                throw Output.fail(error, json: json, fields: ["ticket": ticket])
            }
        }
    }
}

enum StatusPrinter {
    static func print(_ status: TicketStatus, json: Bool) {
        let info = status.info
        if json {
            Output.json(Output.statusObject(info).merging(Output.bodyFields("answer", status.answer)) { $1 })
            return
        }
        var rows: [(String, String)] = [
            ("ticket", info.ticket), ("state", info.state.rawValue), ("department", info.department),
            ("priority", info.priority.rawValue), ("request id", info.requestId), ("attempts", String(info.attempts)),
            ("submitted", info.submittedAt), ("updated", info.updatedAt),
        ]
        if let deadline = info.deadline { rows.append(("deadline", deadline)) }
        if let worker = info.worker { rows.append(("worker", worker)) }
        if info.updates > 0 { rows.append(("updates", String(info.updates))) }
        if let answeredAt = info.answeredAt { rows.append(("answered", answeredAt)) }
        if let reason = info.reason { rows.append(("reason", reason)) }
        for (index, clock) in (info.clocks ?? []).enumerated() {
            rows.append((index == 0 ? "sla" : "", clockLine(clock)))
        }
        for (label, value) in rows {
            Swift.print(label.padding(toLength: 12, withPad: " ", startingAt: 0) + value)
        }
        if let answer = status.answer {
            Swift.print("answer:")
            Output.printBody(answer)
        }
    }
}

extension StatusPrinter {
    /// `answer          target 4h        1h 12m left        running, due 2026-11-29T15:40:09.768Z`
    static func clockLine(_ clock: SLAClockStatus) -> String {
        let remaining = clock.remainingMs >= 0
            ? "\(duration(clock.remainingMs)) left" : "overdue by \(duration(-clock.remainingMs))"
        var line = clock.target.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)
            + ("target " + duration(clock.targetMs)).padding(toLength: 17, withPad: " ", startingAt: 0)
            + remaining.padding(toLength: 19, withPad: " ", startingAt: 0) + clock.state.rawValue
        if let due = clock.dueAt, clock.state == .running || clock.state == .breached { line += ", due \(due)" }
        return line
    }

    /// 2h 5m, 3m 20s, 4.2s.
    static func duration(_ milliseconds: Int64) -> String {
        let seconds = milliseconds / 1000
        switch seconds {
        case _ where milliseconds < 1000: return "\(milliseconds)ms"
        case ..<60: return String(format: "%.1fs", Double(milliseconds) / 1000)
        case ..<3600: return "\(seconds / 60)m \(seconds % 60)s"
        case ..<86_400: return "\(seconds / 3600)h \(seconds % 3600 / 60)m"
        default: return "\(seconds / 86_400)d \(seconds % 86_400 / 3600)h"
        }
    }
}

enum HistoryPrinter {
    /// One line per recorded change: `2026-11-29T10:49:27.123Z  request.offered  claims  attempt=1 worker=claims-bot`.
    static func print(_ history: RequestHistory, json: Bool) {
        if json {
            Swift.print(String(decoding: JSONCoding.encode(history), as: UTF8.self))
            return
        }
        for event in history.events {
            var parts = [event.at, event.type.rawValue.padding(toLength: 26, withPad: " ", startingAt: 0)]
            if let department = event.department { parts.append(department) }
            if let from = event.fromDepartment { parts.append("from=\(from)") }
            if let state = event.state { parts.append("state=\(state.rawValue)") }
            if let attempt = event.attempt, attempt > 0 { parts.append("attempt=\(attempt)") }
            if let worker = event.worker { parts.append("worker=\(worker)") }
            if let reason = event.reason { parts.append("reason=\"\(reason)\"") }
            Swift.print(parts.joined(separator: "  "))
        }
    }
}
