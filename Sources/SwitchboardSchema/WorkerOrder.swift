/// What the broker sends a worker, with tickets as the broker holds them (``Ticket``): the broker-to-worker
/// half of ``WorkerMessage``, written straight to a ``FrameSink``. Its frames are exactly those of the
/// corresponding ``WorkerMessage`` (the golden vectors check both).
public enum WorkerOrder: Sendable, Equatable {
    /// `[SWBW01, 0x02, ticket, department, priority, attempt, body]`
    case dispatch(ticket: Ticket, department: String, priority: Priority, attempt: Int, body: [UInt8])
    /// `[SWBW01, 0x08]`
    case heartbeat
    /// `[SWBW01, 0x09]`
    case disconnect
    /// `[SWBW01, 0x0A, ticket]`
    case cancel(ticket: Ticket)
    /// `[SWBW01, 0x0B, reference, status, error-json]`
    case error(reference: String, status: StatusCode, detail: [UInt8])
    /// `[SWBW01, 0x0D, ticket, info]`
    case info(ticket: Ticket, body: [UInt8])

    public var command: WorkerCommand {
        switch self {
        case .dispatch: .dispatch
        case .heartbeat: .heartbeat
        case .disconnect: .disconnect
        case .cancel: .cancel
        case .error: .error
        case .info: .info
        }
    }

    /// Writes the frames, signature first (no routing identity, no delimiter).
    @inlinable
    public func write<Sink: FrameSink>(to sink: inout Sink) throws {
        try Signature.workerBytes.withUnsafeBytes { try sink.frame($0, more: true) }
        switch self {
        case let .dispatch(ticket, department, priority, attempt, body):
            try sink.frame(byte: command.rawValue, more: true)
            try sink.frame(ticket, more: true)
            try sink.frame(department, more: true)
            try sink.frame(priority.rawValue, more: true)
            try sink.frame(decimal: attempt, more: true)
            try sink.frame(body, more: false)
        case .heartbeat, .disconnect:
            try sink.frame(byte: command.rawValue, more: false)
        case let .cancel(ticket):
            try sink.frame(byte: command.rawValue, more: true)
            try sink.frame(ticket, more: false)
        case let .error(reference, status, detail):
            try sink.frame(byte: command.rawValue, more: true)
            try sink.frame(reference, more: true)
            try sink.frame(status, more: true)
            try sink.frame(detail, more: false)
        case let .info(ticket, body):
            try sink.frame(byte: command.rawValue, more: true)
            try sink.frame(ticket, more: true)
            try sink.frame(body, more: false)
        }
    }

    /// The same message as workers decode it.
    public var message: WorkerMessage {
        switch self {
        case let .dispatch(ticket, department, priority, attempt, body):
            .dispatch(ticket: ticket.text, department: department, priority: priority, attempt: attempt, body: body)
        case .heartbeat: .heartbeat
        case .disconnect: .disconnect
        case let .cancel(ticket): .cancel(ticket: ticket.text)
        case let .error(reference, status, detail): .error(reference: reference, status: status, detail: detail)
        case let .info(ticket, body): .info(ticket: ticket.text, body: body)
        }
    }

    /// The broker's form of a broker-to-worker message; nil for worker-to-broker messages, and for tickets
    /// this broker could not have issued.
    public init?(_ message: WorkerMessage) {
        switch message {
        case let .dispatch(text, department, priority, attempt, body):
            guard let ticket = Ticket(text) else { return nil }
            self = .dispatch(ticket: ticket, department: department, priority: priority, attempt: attempt, body: body)
        case .heartbeat:
            self = .heartbeat
        case .disconnect:
            self = .disconnect
        case let .cancel(text):
            guard let ticket = Ticket(text) else { return nil }
            self = .cancel(ticket: ticket)
        case let .error(reference, status, detail):
            self = .error(reference: reference, status: status, detail: detail)
        case let .info(text, body):
            guard let ticket = Ticket(text) else { return nil }
            self = .info(ticket: ticket, body: body)
        case .ready, .accept, .answer, .update, .transfer, .reject, .needsInfo, .release:
            return nil
        }
    }
}
