import ArgumentParser
import SwitchboardClient
import SwitchboardSchema

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a ticket's state, and its answer once there is one.")

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Print one JSON object for scripts.")
    var json = false

    @Argument(help: "The ticket, as printed by `switchboard ask`.")
    var ticket: String

    func run() async throws {
        let client = try await AgentClient(endpoint: connection.endpoint)
        defer { Task { await client.close() } }
        do {
            let status = try await client.status(ticket: ticket)
            StatusPrinter.print(status, json: json)
        } catch {
            throw Output.fail(error, json: json, fields: ["ticket": ticket])
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
        let client = try await AgentClient(endpoint: connection.endpoint)
        defer { Task { await client.close() } }
        do {
            let status = try await client.cancel(ticket: ticket)
            StatusPrinter.print(status, json: json)
        } catch {
            throw Output.fail(error, json: json, fields: ["ticket": ticket])
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
        for (label, value) in rows {
            Swift.print(label.padding(toLength: 12, withPad: " ", startingAt: 0) + value)
        }
        if let answer = status.answer {
            Swift.print("answer:")
            Output.printBody(answer)
        }
    }
}
