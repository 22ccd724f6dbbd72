import SwitchboardSchema

extension Change {
    /// The agent API's event for this change of a request (nil for a worker's change), bodies as text.
    public func agentEvent() -> AgentEvent? {
        guard let facts = request else { return nil }
        var event = AgentEvent(
            type: type, ticket: facts.ticket.text, requestId: facts.requestID, department: facts.department,
            priority: facts.priority, state: facts.state, at: facts.at.iso8601, agent: facts.owner, via: facts.via)
        event.reason = reason
        switch self {
        case .answered(let answered): event.body = String(decoding: answered.body, as: UTF8.self)
        case .updated(_, _, let body): event.body = String(decoding: body, as: UTF8.self)
        case .waitingOnAgent(_, _, let question): event.body = String(decoding: question, as: UTF8.self)
        case .infoReceived(_, let info): event.body = String(decoding: info, as: UTF8.self)
        case .transferred(_, let from, _): event.fromDepartment = from
        case .escalated(_, let from, _): event.fromDepartment = from
        case .deadLettered(_, _, let failure): event.failure = failure.rawValue
        case .slaWarning(_, let notice), .slaBreached(_, let notice):
            event.target = notice.target
            event.threshold = notice.threshold
            event.dueAt = notice.dueAt?.iso8601
        default: break
        }
        return event
    }
}
