import SwitchboardCore
import SwitchboardSchema

/// One notification a group's change calls for (a row of `notification`), and the webhooks it goes to (rows
/// of `webhook_delivery`): what every ledger backend writes in the change's own transaction.
package struct NotificationRow {
    package var ticket: String
    package var type: String
    package var at: Int64
    /// The agent whose stream shows it (nil: not streamed).
    package var agent: String?
    package var via: String?
    package var department: String
    /// The event as JSON, without its id (the ledger numbers it).
    package var payload: [UInt8]
    package var webhooks: [String]

    /// The notifications of `changes` under `policy`, in order.
    package static func rows(for changes: [Change], policy: NotificationPolicy) -> [NotificationRow] {
        guard !policy.isEmpty else { return [] }
        var rows: [NotificationRow] = []
        for change in changes {
            guard let facts = change.request else { continue }
            let type = change.type
            let streamed = policy.agentStreams && (facts.owner != nil || facts.via != nil)
                && AgentEvent.streamTypes.contains(type)
            let hooks = policy.webhooks.filter { $0.wants(type, department: facts.department) }
            guard streamed || !hooks.isEmpty, var event = change.agentEvent() else { continue }
            event.id = nil
            rows.append(NotificationRow(
                ticket: facts.ticket.text, type: type.rawValue, at: facts.at.rawValue, agent: streamed ? facts.owner : nil,
                via: streamed ? facts.via : nil, department: facts.department, payload: JSONCoding.encode(event),
                webhooks: hooks.map(\.name)))
        }
        return rows
    }
}
