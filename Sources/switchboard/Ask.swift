import ArgumentParser
import Foundation
import SwitchboardClient
import SwitchboardSchema

struct Ask: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask a department a question: prints the ticket, then the answer.",
        discussion: "The question is TEXT, or standard input when TEXT is absent.")

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "The department to ask (claims, eligibility, pharmacy, billing, provider-relations, ...).")
    var department: String

    @Option(help: "urgent, high, normal or low.")
    var priority: String = "normal"

    @Option(name: .customLong("id"), help: "Your request id; asking again with the same id returns the same ticket.")
    var requestID: String?

    @Option(help: "How long to wait for the answer (e.g. 30s, 2m).")
    var timeout: String = "30s"

    @Flag(name: .customLong("no-wait"), help: "Print the ticket and exit without waiting for the answer.")
    var noWait = false

    @Flag(help: "Print one JSON object for scripts.")
    var json = false

    @Argument(help: "The question.")
    var text: [String] = []

    func validate() throws {
        guard Priority(rawValue: priority) != nil else {
            throw ValidationError("--priority must be urgent, high, normal or low")
        }
        guard DepartmentName.isValid(department) else {
            throw ValidationError("--department '\(department)' is not a valid department name")
        }
        do { _ = try DurationParser.parse(timeout) } catch { throw ValidationError("--timeout: \(error)") }
    }

    func run() async throws {
        let body: [UInt8] = text.isEmpty
            ? Array(FileHandle.standardInput.readDataToEndOfFile())
            : Array(text.joined(separator: " ").utf8)
        let wait = try DurationParser.parse(timeout)
        try await connection.withAgent { client in try await ask(client, body: body, wait: wait) }
    }

    private func ask(_ client: AgentClient, body: [UInt8], wait: Duration) async throws {
        let requestID = self.requestID ?? UUID().uuidString
        var fields: [String: Any] = ["request_id": requestID, "department": department]
        let submission: Submission
        do {
            submission = try await client.submit(
                department: department, body: body, priority: Priority(rawValue: priority)!, requestID: requestID,
                timeout: min(wait, .seconds(10)))
        } catch {
            throw Output.fail(error, json: json, fields: fields)
        }
        fields["ticket"] = submission.ticket
        fields["accepted_status"] = submission.status.rawValue
        if !json {
            var line = "ticket \(submission.ticket)"
            if submission.isDuplicate { line += " (already submitted with this id)" }
            if submission.noWorkerServing { line += " (queued: no worker is serving \(department) right now)" }
            print(line)
        }
        // While waiting, the department's updates and questions are shown as they come (on stderr with --json).
        let department = self.department, json = self.json
        client.onPush { push in
            let line: String
            switch push {
            case let .update(ticket, body): line = "update on \(ticket): \(Output.text(body))"
            case let .question(ticket, body):
                line = "question from \(department) on \(ticket): \(Output.text(body))\n"
                    + "  (reply with: switchboard reply \(ticket) TEXT)"
            }
            if json { Output.error(line) } else { print(line) }
        }
        if noWait {
            if json { Output.json(fields.merging(["state": "queued"]) { $1 }) }
            return
        }
        do {
            let answer = try await client.answer(ticket: submission.ticket, timeout: wait)
            if json {
                Output.json(fields.merging(["state": "answered"]) { $1 }.merging(Output.bodyFields("answer", answer)) { $1 })
            } else {
                Output.printBody(answer)
            }
        } catch {
            throw Output.fail(error, json: json, fields: fields)
        }
    }
}
