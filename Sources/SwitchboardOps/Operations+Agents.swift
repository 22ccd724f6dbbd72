import Foundation
import SwitchboardBroker
import SwitchboardCore
import SwitchboardSchema
import SwitchboardStore

/// The agent API (schemas/API.md, "Agents"): what an agent or a CRM does over HTTP, through the same Core
/// commands as over ZeroMQ.
extension Operations {
    /// A parsed `POST /api/v1/requests` body.
    struct Submission: Sendable {
        var department: String
        var priority: Priority
        var body: [UInt8]
        var requestID: String?
        var agent: String?
    }

    func submit(_ submission: Submission, requestID: String, as agent: Broker.HTTPAgent) async throws -> AgentSubmitted {
        // A request id another agent used must not hand its ticket over (Core checks the tickets it holds;
        // the ledger knows the older ones).
        let earlier = try await ledgerRead { ledger in try ledger.requests(Self.byRequestID(requestID), now: Timestamp.now()) }
        if let taken = earlier.items.first, let stored = try await ledgerRead({ ledger in try ledger.request(ticket: taken.ticket) }),
            stored.agent != agent.name
        {
            throw Self.requestIDTaken(requestID)
        }
        let outcome = try await live {
            try await $0.submit(
                as: agent, requestID: requestID, department: submission.department, priority: submission.priority,
                body: submission.body)
        }
        switch outcome {
        case .reply(.accepted(let id, let ticket, let status)):
            let stored = status == .ok ? try await ledgerRead { ledger in try ledger.request(ticket: ticket.text) } : nil
            return AgentSubmitted(
                ticket: ticket.text, requestId: id, status: Int(status.rawValue),
                department: stored?.department ?? submission.department, agent: stored?.agent ?? agent.name,
                via: stored == nil ? agent.via : stored?.via, noWorker: status == .acceptedNoWorker)
        case .reply(.error(_, let status, let detail)):
            throw Self.refusal(status, detail)
        case .notTheirs:
            throw Self.requestIDTaken(requestID)
        case .reply, .notHeld:
            throw OpsError(.internalError, "internal-error", "the broker gave no ticket for request id \(requestID)")
        }
    }

    /// A ticket as its agent sees it, from the ledger (every change an agent is told of is durable there).
    func agentView(ticket: String, as agent: Broker.HTTPAgent, caller: HTTPCaller) async throws -> AgentRequestView {
        let stored = try await ownTicket(ticket, as: agent, caller: caller)
        let (messages, history) = try await ledgerRead { ledger in
            (try ledger.messages(ticket: ticket), try ledger.history(ticket: ticket))
        }
        var status = stored.status
        status.clocks = stored.sla?.clockStatus(at: stored.finishedAt ?? Timestamp.now())?.clocks
        func said(_ type: EventType) -> [AgentRequestView.Message] {
            messages.filter { $0.type == type }.map {
                AgentRequestView.Message(at: $0.at.iso8601, body: String(decoding: $0.body, as: UTF8.self))
            }
        }
        let updates = said(.requestUpdated)
        let question = stored.state == .waitingOnAgent
            ? messages.last(where: { $0.type == .requestWaitingOnAgent }).map {
                AgentRequestView.Message(at: $0.at.iso8601, body: String(decoding: $0.body, as: UTF8.self))
            } : nil
        return AgentRequestView(
            request: status, agent: stored.agent, via: stored.via,
            answer: stored.answer.map { String(decoding: $0, as: UTF8.self) }, answeredAt: stored.answeredAt?.iso8601,
            updates: updates, questions: said(.requestWaitingOnAgent), replies: said(.requestInfoReceived), question: question,
            history: history.map(\.entry))
    }

    func reply(ticket: String, body: [UInt8], as agent: Broker.HTTPAgent, caller: HTTPCaller) async throws -> AgentActionResult {
        let stored = try await ownTicket(ticket, as: agent, caller: caller)
        guard let parsed = Ticket(ticket) else { throw Self.unknownTicket(ticket) }
        let outcome = try await live { try await $0.provideInfo(as: agent, ticket: parsed, body: body) }
        return try actionResult(outcome, ticket: ticket) {
            OpsError(.conflict, "not-waiting", "ticket \(ticket) is \(stored.state.rawValue), not waiting for information from the agent", ticket: ticket)
        }
    }

    func cancel(ticket: String, as agent: Broker.HTTPAgent, caller: HTTPCaller) async throws -> AgentActionResult {
        let stored = try await ownTicket(ticket, as: agent, caller: caller)
        guard let parsed = Ticket(ticket) else { throw Self.unknownTicket(ticket) }
        let outcome = try await live { try await $0.cancel(as: agent, ticket: parsed) }
        return try actionResult(outcome, ticket: ticket) {
            OpsError(.conflict, "already-final", "ticket \(ticket) is already \(stored.state.rawValue); it cannot be cancelled", ticket: ticket)
        }
    }

    /// The caller's own tickets (open and recent, newest first), from the ledger.
    func agentRequests(_ filter: RequestFilter) async throws -> RequestPage {
        try await ledgerRead { ledger in try ledger.requests(filter, now: Timestamp.now()) }
    }

    // MARK: Helpers

    /// The ticket from the ledger, if the caller may see it: 404 if unknown, 403 if another agent's.
    private func ownTicket(_ ticket: String, as agent: Broker.HTTPAgent, caller: HTTPCaller) async throws -> StoredRequest {
        guard Ticket(ticket) != nil else { throw Self.unknownTicket(ticket) }
        guard let stored = try await ledgerRead({ ledger in try ledger.request(ticket: ticket) }) else {
            throw Self.unknownTicket(ticket)
        }
        guard HTTPCaller.may(agent, see: stored.agent, via: stored.via, caller: caller) else {
            throw OpsError(
                .forbidden, "not-permitted",
                "\(agent.name ?? caller.auditName.principal) may not see ticket \(ticket): it was submitted by another agent",
                ticket: ticket)
        }
        return stored
    }

    private func actionResult(
        _ outcome: Broker.AgentOutcome, ticket: String, notHeld: () -> OpsError
    ) throws -> AgentActionResult {
        switch outcome {
        case .reply(.status(_, let info, _)):
            return AgentActionResult(request: try JSONCoding.decode(RequestStatus.self, from: info))
        case .reply(.error(_, let status, let detail)):
            throw Self.refusal(status, detail, ticket: ticket)
        case .notTheirs:
            throw OpsError(.forbidden, "not-permitted", "ticket \(ticket) was submitted by another agent", ticket: ticket)
        case .notHeld, .reply:
            throw notHeld()
        }
    }

    static func byRequestID(_ requestID: String) -> RequestFilter {
        var filter = RequestFilter()
        filter.requestID = requestID
        filter.limit = 1
        return filter
    }

    /// Core's ERROR reply as the API's error.
    static func refusal(_ status: StatusCode, _ detail: [UInt8], ticket: String? = nil) -> OpsError {
        if let parsed = try? JSONCoding.decode(ErrorDetail.self, from: detail) {
            return OpsError(parsed.status, parsed.error, parsed.message, ticket: parsed.ticket ?? ticket)
        }
        return OpsError(status, "refused", String(decoding: detail, as: UTF8.self), ticket: ticket)
    }

    static func unknownTicket(_ ticket: String) -> OpsError {
        OpsError(.notFound, "unknown-ticket", "ticket \(ticket.prefix(64)) is not known", ticket: ticket)
    }

    static func requestIDTaken(_ requestID: String) -> OpsError {
        OpsError(
            .conflict, "request-id-taken",
            "request id '\(requestID.prefix(128))' was used by another agent's request; choose another id")
    }
}
