/// What the broker sends an agent, with tickets as the broker holds them (``Ticket``): the broker-to-agent
/// half of ``AgentMessage``, written straight to a ``FrameSink``. Its frames are exactly those of the
/// corresponding ``AgentMessage`` (the golden vectors check both).
public enum AgentReply: Sendable, Equatable {
    /// `[SWBA01, 0x02, request-id, ticket, status]`
    case accepted(requestID: String, ticket: Ticket, status: StatusCode)
    /// `[SWBA01, 0x03, ticket, body]`
    case answer(ticket: Ticket, body: [UInt8])
    /// `[SWBA01, 0x04, ticket, body]`
    case update(ticket: Ticket, body: [UInt8])
    /// `[SWBA01, 0x05, ticket, status-json]` or `[..., status-json, answer]` once answered.
    case status(ticket: Ticket, info: [UInt8], answer: [UInt8]?)
    /// `[SWBA01, 0x07, reference, status, error-json]`
    case error(reference: String, status: StatusCode, detail: [UInt8])
    /// `[SWBA01, 0x08]`
    case heartbeat
    /// `[SWBA01, 0x09, ticket, history-json]`
    case history(ticket: Ticket, info: [UInt8])
    /// `[SWBA01, 0x0A, ticket, question]`
    case question(ticket: Ticket, body: [UInt8])

    public var command: AgentCommand {
        switch self {
        case .accepted: .accepted
        case .answer: .answer
        case .update: .update
        case .status: .status
        case .error: .error
        case .heartbeat: .heartbeat
        case .history: .history
        case .question: .question
        }
    }

    /// The ticket the message is about, if any.
    public var ticket: Ticket? {
        switch self {
        case .accepted(_, let ticket, _), .answer(let ticket, _), .update(let ticket, _), .status(let ticket, _, _),
            .history(let ticket, _), .question(let ticket, _):
            ticket
        case .error, .heartbeat: nil
        }
    }

    /// Writes the frames, signature first (no routing identity, no delimiter).
    @inlinable
    public func write<Sink: FrameSink>(to sink: inout Sink) throws {
        try Signature.agentBytes.withUnsafeBytes { try sink.frame($0, more: true) }
        switch self {
        case .heartbeat:
            try sink.frame(byte: command.rawValue, more: false)
            return
        default:
            try sink.frame(byte: command.rawValue, more: true)
        }
        switch self {
        case let .accepted(requestID, ticket, status):
            try sink.frame(requestID, more: true)
            try sink.frame(ticket, more: true)
            try sink.frame(status, more: false)
        case let .answer(ticket, body), let .update(ticket, body), let .question(ticket, body),
            let .history(ticket, body):
            try sink.frame(ticket, more: true)
            try sink.frame(body, more: false)
        case let .status(ticket, info, answer):
            try sink.frame(ticket, more: true)
            try sink.frame(info, more: answer != nil)
            if let answer { try sink.frame(answer, more: false) }
        case let .error(reference, status, detail):
            try sink.frame(reference, more: true)
            try sink.frame(status, more: true)
            try sink.frame(detail, more: false)
        case .heartbeat:
            break
        }
    }

    /// The same message as clients decode it.
    public var message: AgentMessage {
        switch self {
        case let .accepted(requestID, ticket, status): .accepted(requestID: requestID, ticket: ticket.text, status: status)
        case let .answer(ticket, body): .answer(ticket: ticket.text, body: body)
        case let .update(ticket, body): .update(ticket: ticket.text, body: body)
        case let .status(ticket, info, answer): .status(ticket: ticket.text, info: info, answer: answer)
        case let .error(reference, status, detail): .error(reference: reference, status: status, detail: detail)
        case .heartbeat: .heartbeat
        case let .history(ticket, info): .history(ticket: ticket.text, info: info)
        case let .question(ticket, body): .question(ticket: ticket.text, body: body)
        }
    }

    /// The broker's form of a broker-to-agent message; nil for agent-to-broker messages, and for tickets
    /// this broker could not have issued.
    public init?(_ message: AgentMessage) {
        func ticket(_ text: String) -> Ticket? { Ticket(text) }
        switch message {
        case let .accepted(requestID, text, status):
            guard let ticket = ticket(text) else { return nil }
            self = .accepted(requestID: requestID, ticket: ticket, status: status)
        case let .answer(text, body):
            guard let ticket = ticket(text) else { return nil }
            self = .answer(ticket: ticket, body: body)
        case let .update(text, body):
            guard let ticket = ticket(text) else { return nil }
            self = .update(ticket: ticket, body: body)
        case let .status(text, info, answer):
            guard let ticket = ticket(text) else { return nil }
            self = .status(ticket: ticket, info: info, answer: answer)
        case let .error(reference, status, detail):
            self = .error(reference: reference, status: status, detail: detail)
        case .heartbeat:
            self = .heartbeat
        case let .history(text, info):
            guard let ticket = ticket(text) else { return nil }
            self = .history(ticket: ticket, info: info)
        case let .question(text, body):
            guard let ticket = ticket(text) else { return nil }
            self = .question(ticket: ticket, body: body)
        case .submit, .statusQuery, .cancel, .historyQuery, .info:
            return nil
        }
    }
}
