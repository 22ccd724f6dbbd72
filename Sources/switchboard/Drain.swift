import ArgumentParser
import Foundation
import SwitchboardClient
import SwitchboardSchema

struct Drain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Drain a worker: it gets nothing new and finishes what it holds.",
        discussion: """
            POST /api/v1/workers/WORKER/drain. WORKER is the worker's id, or its name when no other connected \
            worker has that name (see `switchboard workers`).
            """)

    @OptionGroup var ops: OpsOptions

    @Flag(help: "Print the API's JSON body (the action's result) on one line.")
    var json = false

    @Argument(help: "The worker's name or id.")
    var worker: String

    func run() async throws {
        try await OperatorAction.perform(
            .drain(worker: worker), command: "drain", client: ops.client, json: json, fields: ["worker": worker])
    }
}
