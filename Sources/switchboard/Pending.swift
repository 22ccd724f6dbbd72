import ArgumentParser
import Foundation
import SwitchboardClient
import SwitchboardSchema

struct Pending: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List pending requests, nearest to breach first (from the daemon's HTTP surface).",
        discussion: """
            Reads GET /api/v1/requests. Without --state it lists the open requests (queued, offered, accepted, \
            waiting_on_agent); --state answered, cancelled or dead_lettered lists finished ones from the ledger.
            """)

    @OptionGroup var ops: OpsOptions

    @Option(help: "Only this department.")
    var department: String?

    @Flag(help: "Only requests that breached a target or passed a warning threshold (about to breach).")
    var breaching = false

    @Option(help: "Only this priority: urgent, high, normal or low.")
    var priority: String?

    @Option(
        parsing: .singleValue,
        help: ArgumentHelp(
            "Only these states (repeatable or comma-separated): queued, offered, accepted, waiting_on_agent, "
                + "answered, cancelled, dead_lettered."))
    var state: [String] = []

    @Option(help: "deadline (nearest deadline first, overdue first) or newest (newest submission first).")
    var order: String = RequestFilter.Order.deadline.rawValue

    @Option(help: "How many requests to show (1 to \(RequestFilter.maxLimit)).")
    var limit: Int = RequestFilter.defaultLimit

    @Option(help: "How many matching requests to skip (for the next page).")
    var offset: Int = 0

    @Flag(help: "Print the API's JSON body (a page of requests) on one line.")
    var json = false

    func validate() throws {
        _ = try filter()
    }

    /// The options as the API's filter; a `ValidationError` naming the option for anything unusable.
    func filter() throws -> RequestFilter {
        var filter = RequestFilter()
        filter.department = department
        filter.breaching = breaching
        if let priority {
            guard let parsed = Priority(rawValue: priority) else {
                throw ValidationError("--priority must be urgent, high, normal or low, not '\(priority)'")
            }
            filter.priority = parsed
        }
        for name in state.flatMap({ $0.split(separator: ",") }).map(String.init) {
            let spelled = name.replacingOccurrences(of: "-", with: "_")
            guard let parsed = RequestState(rawValue: spelled) else {
                let known = RequestState.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("--state must be one of \(known), not '\(name)'")
            }
            filter.states.insert(parsed)
        }
        guard let parsedOrder = RequestFilter.Order(rawValue: order) else {
            throw ValidationError("--order must be deadline or newest, not '\(order)'")
        }
        filter.order = parsedOrder
        guard (1...RequestFilter.maxLimit).contains(limit) else {
            throw ValidationError("--limit must be from 1 to \(RequestFilter.maxLimit)")
        }
        filter.limit = limit
        guard offset >= 0 else { throw ValidationError("--offset must be 0 or more") }
        filter.offset = offset
        return filter
    }

    func run() async throws {
        let filter = try filter(), client = ops.client
        do {
            if json {
                OpsOutput.printJSON(try await client.body(.requests(filter)))
            } else {
                RequestTable.print(try await client.requests(filter), empty: "no request matches")
            }
        } catch {
            throw OpsOutput.fail(error, command: "pending", json: json)
        }
    }
}

/// A page of requests as a table, with a footer `N of TOTAL`.
enum RequestTable {
    static func print(_ page: RequestPage, empty: String) {
        if page.items.isEmpty {
            Swift.print(empty)
        } else {
            lines(page.items).forEach { Swift.print($0) }
        }
        Swift.print(footer(page))
    }

    /// The table's lines: a header, then one request a line.
    static func lines(_ requests: some Sequence<RequestSummary>) -> [String] {
        let rows = requests.map { request in
            [
                request.ticket, request.department, request.priority.rawValue, request.state.rawValue,
                Age.text(request.ageSeconds), Age.due(request.dueInSeconds), request.sla.rawValue,
                request.worker ?? "-",
            ]
        }
        let header = ["TICKET", "DEPARTMENT", "PRIORITY", "STATE", "AGE", "DUE IN", "SLA", "WORKER"]
        return Output.table(header, rows, rightAligned: [4, 5])
    }

    /// `3 of 3`, or `50 of 212 (from 51)` on a later page.
    static func footer(_ page: RequestPage) -> String {
        var line = "\(page.items.count) of \(page.total)"
        if page.offset > 0 { line += " (from \(page.offset + 1))" }
        return line
    }
}
