import HTTPTypes
import Hummingbird
import SwitchboardBroker
import SwitchboardSchema

/// Who calls the HTTP surface, from the bearer token it sends (see ``TokenState``).
enum HTTPCaller: Sendable, Equatable {
    /// No token is configured (a loopback daemon): everyone may read, act, and submit as the agent named by
    /// `X-Switchboard-Agent`.
    case anyone
    case observer
    case `operator`
    /// An agent's own token: it acts as the holder.
    case agent(HTTPAgentAccess.Holder)
    /// A system that acts for the human agent named by `X-Switchboard-Agent` on each call.
    case integration(HTTPAgentAccess.Holder)

    /// The header an integration (or anyone, without tokens) names the human agent with.
    static let agentHeader = HTTPField.Name("X-Switchboard-Agent")!

    /// The caller of the agent API: ops tokens are not agents.
    var isAgentSide: Bool {
        switch self {
        case .anyone, .agent, .integration: true
        case .observer, .operator: false
        }
    }

    /// Whether a route both sides share (a ticket, the request list, cancel) answers as the agent API: for
    /// agent and integration tokens, and without tokens when the call names an agent.
    func actsAsAgent(_ request: Request) -> Bool {
        switch self {
        case .agent, .integration: true
        case .anyone: request.headers[Self.agentHeader] != nil
        case .observer, .operator: false
        }
    }

    var mayOperate: Bool {
        switch self {
        case .anyone, .operator: true
        case .observer, .agent, .integration: false
        }
    }

    /// Name and kind, for the audit trail.
    var auditName: (principal: String, kind: String) {
        switch self {
        case .anyone: ("anonymous", "http")
        case .observer: ("observe-token", "ops")
        case .operator: ("operate-token", "ops")
        case .agent(let holder): (holder.name, "agent")
        case .integration(let holder): (holder.name, "integration")
        }
    }

    /// The agent the call acts as: the agent token's holder, or the agent an integration names
    /// (`X-Switchboard-Agent`, or `named` from the body). Throws 400 for a name that is not one.
    func agent(in request: Request, named: String? = nil) throws(OpsError) -> Broker.HTTPAgent {
        let header = request.headers[Self.agentHeader]
        if let header, let named, header != named {
            throw OpsError(
                .badRequest, "invalid-agent", "the X-Switchboard-Agent header and the body's agent name different agents")
        }
        let given = header ?? named
        if let given, !Self.isValidAgentName(given) {
            throw OpsError(.badRequest, "invalid-agent", "an agent's name is 1 to 64 letters, digits, '.', '-', '_' or '@'")
        }
        switch self {
        case .agent(let holder):
            if let given, given != holder.name {
                throw OpsError(
                    .forbidden, "not-permitted", "this token is agent \(holder.name)'s; it cannot act as \(given)")
            }
            return .init(name: holder.name, via: nil)
        case .integration(let holder):
            return .init(name: given, via: holder.name)
        case .anyone:
            return .init(name: given, via: nil)
        case .observer, .operator:
            throw OpsError(.forbidden, "not-permitted", "ops tokens do not act as agents; use an agent or integration token")
        }
    }

    /// Whether a call for `agent` may see a ticket submitted by `owner` through `via`.
    static func may(_ agent: Broker.HTTPAgent, see owner: String?, via: String?, caller: HTTPCaller) -> Bool {
        switch caller {
        case .anyone: agent.name == nil || agent.name == owner
        case .agent: agent.name == owner
        case .integration(let holder): agent.name == nil ? via == holder.name : agent.name == owner
        case .observer, .operator: true
        }
    }

    static func isValidAgentName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2E || byte == 0x2D || byte == 0x5F || byte == 0x40
            }
    }
}
