import ArgumentParser
import Foundation
import SwitchboardClient
import SwitchboardSchema

struct Workers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List connected workers: departments, credit held, last heartbeat, draining.",
        discussion: "Reads GET /api/v1/workers. Drain one with `switchboard drain NAME_OR_ID`.")

    @OptionGroup var ops: OpsOptions

    @Flag(help: "Print the API's JSON body ({\"workers\": [...]}) on one line.")
    var json = false

    func run() async throws {
        let client = ops.client
        do {
            if json {
                OpsOutput.printJSON(try await client.body(.workers))
            } else {
                WorkerTable.print(try await client.workers())
            }
        } catch {
            throw OpsOutput.fail(error, command: "workers", json: json)
        }
    }
}

enum WorkerTable {
    static func print(_ workers: [WorkerSummary]) {
        guard !workers.isEmpty else {
            Swift.print("no worker is connected")
            return
        }
        let rows = workers.map { worker in
            [
                worker.name, worker.id, worker.departments.joined(separator: ","),
                "\(worker.credit - worker.freeCredit)/\(worker.credit)", Age.text(worker.lastHeartbeatSeconds) + " ago",
                worker.draining ? "draining" : "-",
            ]
        }
        let header = ["NAME", "ID", "DEPARTMENTS", "HELD/CREDIT", "HEARD", "DRAINING"]
        Output.table(header, rows, rightAligned: [3, 4]).forEach { Swift.print($0) }
        Swift.print("\(workers.count) worker\(workers.count == 1 ? "" : "s")")
    }
}
