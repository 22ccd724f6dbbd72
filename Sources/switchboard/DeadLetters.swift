import ArgumentParser
import Foundation
import SwitchboardClient
import SwitchboardSchema

struct DeadLetters: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead-letters",
        abstract: "List dead-lettered requests, newest first, with why they failed.",
        discussion: "Reads GET /api/v1/dead-letters. Put one back in its queue with `switchboard requeue TICKET`.")

    @OptionGroup var ops: OpsOptions

    @Option(help: "Only this department.")
    var department: String?

    @Option(help: "How many to show (1 to \(RequestFilter.maxLimit)).")
    var limit: Int = RequestFilter.defaultLimit

    @Option(help: "How many to skip (for the next page).")
    var offset: Int = 0

    @Flag(help: "Print the API's JSON body (a page of requests) on one line.")
    var json = false

    func validate() throws {
        guard (1...RequestFilter.maxLimit).contains(limit) else {
            throw ValidationError("--limit must be from 1 to \(RequestFilter.maxLimit)")
        }
        guard offset >= 0 else { throw ValidationError("--offset must be 0 or more") }
    }

    func run() async throws {
        let client = ops.client
        do {
            if json {
                OpsOutput.printJSON(
                    try await client.body(.deadLetters(department: department, limit: limit, offset: offset)))
            } else {
                print(try await client.deadLetters(department: department, limit: limit, offset: offset))
            }
        } catch {
            throw OpsOutput.fail(error, command: "dead-letters", json: json)
        }
    }

    private func print(_ page: RequestPage) {
        if page.items.isEmpty {
            Swift.print("no dead-lettered request" + (department.map { " in \($0)" } ?? ""))
        } else {
            let rows = page.items.map { request in
                [
                    request.ticket, request.department, request.priority.rawValue, String(request.attempts),
                    request.updatedAt, request.failure ?? "-", request.reason ?? "-",
                ]
            }
            let header = ["TICKET", "DEPARTMENT", "PRIORITY", "ATTEMPTS", "DEAD-LETTERED", "FAILURE", "REASON"]
            Output.table(header, rows, rightAligned: [3]).forEach { Swift.print($0) }
        }
        Swift.print(RequestTable.footer(page))
    }
}
