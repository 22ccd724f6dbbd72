import ArgumentParser
import Foundation
import SwitchboardClient
import SwitchboardSchema

struct Requeue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put a dead-lettered request back in its department's queue.",
        discussion: "POST /api/v1/requests/TICKET/requeue. Exits 1 with the daemon's reason when it does not apply.")

    @OptionGroup var ops: OpsOptions

    @Flag(help: "Print the API's JSON body (the action's result) on one line.")
    var json = false

    @Argument(help: "The dead-lettered ticket (see `switchboard dead-letters`).")
    var ticket: String

    func run() async throws {
        try await OperatorAction.perform(
            .requeue(ticket: ticket), command: "requeue", client: ops.client, json: json, fields: ["ticket": ticket])
    }
}

/// Sends an action and prints its result: the daemon's sentence, or its JSON body.
enum OperatorAction {
    static func perform(
        _ endpoint: OperationsClient.Endpoint, command: String, client: OperationsClient, json: Bool,
        fields: [String: Any]
    ) async throws {
        do {
            let body = try await client.body(endpoint)
            if json {
                OpsOutput.printJSON(body)
                return
            }
            guard let result = try? JSONCoding.decode(ActionResult.self, from: body) else {
                throw OperationsClientError.invalidResponse(
                    url: client.url + endpoint.path, reason: "the body is not the ActionResult the API describes")
            }
            print(result.message)
        } catch {
            throw OpsOutput.fail(error, command: command, json: json, fields: fields)
        }
    }
}
