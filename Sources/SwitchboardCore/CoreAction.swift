import SwitchboardSchema

/// What Core asks the broker thread to do. Core itself never touches a socket or a file.
public enum CoreAction: Sendable, Equatable {
    /// Send a message to an agent.
    case sendToAgent(Peer, AgentReply)
    /// Send a message to a worker.
    case sendToWorker(Peer, WorkerOrder)
    /// Persist this change (the ledger) and publish its event. Messages to agents that follow a `record` in
    /// the same list describe the recorded state.
    case record(Change)
    /// Core does not hold this ticket in memory: answer the agent from the ledger (STATUS, or CANCEL of a
    /// request that can only be finished). Only with ``CoreConfiguration/ledgerBacked``.
    case lookUp(LedgerQuery)
}

/// A question Core cannot answer from memory.
public enum LedgerQuery: Sendable, Equatable {
    case status(agent: Peer, ticket: Ticket)
    case cancel(agent: Peer, ticket: Ticket)
    /// An agent's INFO for a ticket Core no longer holds: 409 not-waiting if the ledger has it, else 404.
    case info(agent: Peer, ticket: Ticket)

    /// Who asked.
    public var agent: Peer {
        switch self {
        case .status(let agent, _), .cancel(let agent, _), .info(let agent, _): agent
        }
    }
}
