/// One message of the worker sub-protocol, either direction. Frames are listed in `schemas/PROTOCOL.md`.
public enum WorkerMessage: Sendable, Equatable {
    /// `[SWBW01, 0x01, ready-json]`: departments, credit and a display name (see `schemas/ready.schema.json`).
    case ready(info: [UInt8])
    /// `[SWBW01, 0x02, ticket, department, priority, attempt, body]`
    case dispatch(ticket: String, department: String, priority: Priority, attempt: Int, body: [UInt8])
    /// `[SWBW01, 0x03, ticket]`
    case accept(ticket: String)
    /// `[SWBW01, 0x04, ticket, body]`
    case answer(ticket: String, body: [UInt8])
    /// `[SWBW01, 0x05, ticket, body]`
    case update(ticket: String, body: [UInt8])
    /// `[SWBW01, 0x06, ticket, department, reason]`
    case transfer(ticket: String, department: String, reason: String)
    /// `[SWBW01, 0x07, ticket, reason]`
    case reject(ticket: String, reason: String)
    /// `[SWBW01, 0x08]`
    case heartbeat
    /// `[SWBW01, 0x09]`
    case disconnect
    /// `[SWBW01, 0x0A, ticket]`
    case cancel(ticket: String)
    /// `[SWBW01, 0x0B, reference, status, error-json]`
    case error(reference: String, status: StatusCode, detail: [UInt8])
    /// `[SWBW01, 0x0C, ticket, question]`: ask the agent for more information (opaque to the broker).
    case needsInfo(ticket: String, question: [UInt8])
    /// `[SWBW01, 0x0D, ticket, info]`: the agent's reply, byte for byte.
    case info(ticket: String, body: [UInt8])
    /// `[SWBW01, 0x0E, ticket, reason]`: the request given back, to be requeued with the attempt counted.
    case release(ticket: String, reason: String)

    public var command: WorkerCommand {
        switch self {
        case .ready: .ready
        case .dispatch: .dispatch
        case .accept: .accept
        case .answer: .answer
        case .update: .update
        case .transfer: .transfer
        case .reject: .reject
        case .heartbeat: .heartbeat
        case .disconnect: .disconnect
        case .cancel: .cancel
        case .error: .error
        case .needsInfo: .needsInfo
        case .info: .info
        case .release: .release
        }
    }
}

extension WorkerMessage {
    /// The frames of this message, signature first (no routing identity, no delimiter).
    public func encode() -> [[UInt8]] {
        let head: [[UInt8]] = [Signature.workerBytes, [command.rawValue]]
        switch self {
        case let .ready(info):
            return head + [info]
        case let .dispatch(ticket, department, priority, attempt, body):
            return head + [Array(ticket.utf8), Array(department.utf8), priority.frame, Array(String(attempt).utf8), body]
        case let .accept(ticket), let .cancel(ticket):
            return head + [Array(ticket.utf8)]
        case let .answer(ticket, body), let .update(ticket, body), let .needsInfo(ticket, body),
            let .info(ticket, body):
            return head + [Array(ticket.utf8), body]
        case let .transfer(ticket, department, reason):
            return head + [Array(ticket.utf8), Array(department.utf8), Array(reason.utf8)]
        case let .reject(ticket, reason), let .release(ticket, reason):
            return head + [Array(ticket.utf8), Array(reason.utf8)]
        case .heartbeat, .disconnect:
            return head
        case let .error(reference, status, detail):
            return head + [Array(reference.utf8), status.frame, detail]
        }
    }

    /// Decodes the frames after the signature: the command byte first. Checks direction and limits.
    public static func decode(
        _ frames: ArraySlice<[UInt8]>, direction: Direction, limits: ProtocolLimits = .default
    ) throws(ProtocolError) -> WorkerMessage {
        try decode(Frames(frames)[...], direction: direction, limits: limits)
    }

    /// Decodes the frames after the signature, read in place from a received message.
    public static func decode(
        _ frames: Slice<Frames>, direction: Direction, limits: ProtocolLimits = .default
    ) throws(ProtocolError) -> WorkerMessage {
        guard let commandFrame = frames.first else {
            throw ProtocolError(.badRequest, "missing-command", "worker message has no command frame (frame 2)")
        }
        guard commandFrame.count == 1, let command = WorkerCommand(rawValue: commandFrame[commandFrame.startIndex]) else {
            throw ProtocolError(
                .badRequest, "unknown-command",
                "unknown worker command \(Printable.describe(commandFrame)); "
                    + "commands are one byte, 0x01 READY to 0x0E RELEASE")
        }
        var reader = FrameReader(frames.dropFirst(), command: command.description, limits: limits)
        let message: WorkerMessage
        switch (command, direction) {
        case (.ready, .toBroker):
            message = .ready(info: try reader.metadata("ready"))
        case (.dispatch, .fromBroker):
            let ticket = try reader.ticket()
            let department = try reader.department()
            let priority = try Priority.parse(try reader.next("priority"))
            let attemptText = try reader.text("attempt", maxBytes: 9)
            guard let attempt = Int(attemptText), attempt > 0 else {
                throw ProtocolError(.badRequest, "bad-attempt", "DISPATCH: attempt must be a positive decimal number")
            }
            message = .dispatch(
                ticket: ticket, department: department, priority: priority, attempt: attempt, body: try reader.body())
        case (.accept, .toBroker):
            message = .accept(ticket: try reader.ticket())
        case (.answer, .toBroker):
            message = .answer(ticket: try reader.ticket(), body: try reader.body("answer"))
        case (.update, .toBroker):
            message = .update(ticket: try reader.ticket(), body: try reader.body("update"))
        case (.transfer, .toBroker):
            message = .transfer(ticket: try reader.ticket(), department: try reader.department(), reason: try reader.reason())
        case (.reject, .toBroker):
            message = .reject(ticket: try reader.ticket(), reason: try reader.reason())
        case (.release, .toBroker):
            message = .release(ticket: try reader.ticket(), reason: try reader.reason())
        case (.heartbeat, _):
            message = .heartbeat
        case (.disconnect, _):
            message = .disconnect
        case (.cancel, .fromBroker):
            message = .cancel(ticket: try reader.ticket())
        case (.error, .fromBroker):
            let reference = try reader.text("reference", maxBytes: limits.maxRequestIDBytes, allowEmpty: true)
            let status = try reader.status()
            message = .error(reference: reference, status: status, detail: try reader.metadata("error"))
        case (.needsInfo, .toBroker):
            message = .needsInfo(ticket: try reader.ticket(), question: try reader.body("question"))
        case (.info, .fromBroker):
            message = .info(ticket: try reader.ticket(), body: try reader.body("info"))
        default:
            let sender = direction == .toBroker ? "a worker" : "the broker"
            throw ProtocolError(
                .badRequest, "wrong-direction",
                "\(command) (0x\(Printable.hex(command.rawValue))) is not sent by \(sender)")
        }
        try reader.end()
        return message
    }
}
