import SwitchboardCore
import SwitchboardSchema

/// The agent API's actions (`POST /api/v1/requests`, `.../reply`, `.../cancel`): each runs through Core on the
/// broker thread exactly as the same command over ZeroMQ does, as ``Peer/http``, and returns Core's reply to
/// the agent once what it changed is durable, as ACCEPTED is over ZeroMQ.
extension Broker {
    /// The caller of an agent action: the agent it acts as (nil: an anonymous caller on a loopback daemon
    /// without tokens) and the integration that calls for it.
    public struct HTTPAgent: Sendable, Equatable {
        public var name: String?
        public var via: String?

        public init(name: String?, via: String?) {
            self.name = name
            self.via = via
        }
    }

    /// What Core answered an HTTP agent.
    public enum AgentOutcome: Sendable {
        /// Core's reply (ACCEPTED, STATUS or ERROR), sent once the changes it made are durable.
        case reply(AgentReply)
        /// The ticket belongs to another agent.
        case notTheirs
        /// Core does not hold the ticket in memory (finished long ago, or unknown): ask the ledger.
        case notHeld
    }

    /// Submits a request; a `requestID` this broker already knows gets its ticket again, whoever asks: the
    /// API checks beforehand that the id is not another agent's.
    public func submit(
        as agent: HTTPAgent, requestID: String, department: String, priority: Priority, body: [UInt8]
    ) async throws -> AgentOutcome {
        try await agentAction { loop, now in
            if let ticket = loop.core.ticket(forRequestID: requestID), let owner = loop.core.owner(of: ticket),
                owner != agent.name
            {
                return nil
            }
            return loop.core.submit(
                from: .http, requestID: requestID, department: department, priority: priority, body: body, now: now,
                owner: agent.name, via: agent.via)
        }
    }

    /// Answers the department's question about `ticket` (INFO).
    public func provideInfo(as agent: HTTPAgent, ticket: Ticket, body: [UInt8]) async throws -> AgentOutcome {
        try await agentAction { loop, now in
            guard Self.owns(agent, ticket, loop.core) else { return nil }
            return loop.core.provideInfo(from: .http, ticket: ticket, body: body, now: now)
        }
    }

    /// Cancels `ticket` (CANCEL).
    public func cancel(as agent: HTTPAgent, ticket: Ticket) async throws -> AgentOutcome {
        try await agentAction { loop, now in
            guard Self.owns(agent, ticket, loop.core) else { return nil }
            return loop.core.cancel(from: .http, ticket: ticket, now: now)
        }
    }

    /// Whether the ticket, if Core holds it, is the agent's.
    private static func owns(_ agent: HTTPAgent, _ ticket: Ticket, _ core: BrokerCore) -> Bool {
        guard let owner = core.owner(of: ticket) else { return true }
        return owner == agent.name
    }

    /// Runs `body` (nil: the ticket is not the agent's) and keeps Core's messages to ``Peer/http`` for the
    /// caller: the first is the reply; later pushes (an answer already there) are the stream's.
    private func agentAction(
        _ body: @escaping @Sendable (inout BrokerLoop, Timestamp) -> [CoreAction]?
    ) async throws -> AgentOutcome {
        try await actOnBrokerThread { loop, now in
            guard let actions = body(&loop, now) else { return .notTheirs }
            var reply: AgentReply?
            var notHeld = false
            var rest: [CoreAction] = []
            rest.reserveCapacity(actions.count)
            for action in actions {
                switch action {
                case let .sendToAgent(peer, message) where peer.id == Peer.http.id:
                    if reply == nil { reply = message }
                case let .lookUp(query) where query.agent.id == Peer.http.id:
                    notHeld = true
                default:
                    rest.append(action)
                }
            }
            loop.perform(rest)
            if notHeld { return .notHeld }
            return reply.map(AgentOutcome.reply) ?? .notHeld
        }
    }

    /// Writes an audit record (an HTTP refusal, or who did what) with the next commit.
    public func audit(_ record: AuditRecord) async {
        _ = try? await onBrokerThread { loop, _ in loop.audits.append(record) }
    }
}
