/// One message of the agent sub-protocol, either direction. Frames are listed in `schemas/PROTOCOL.md`.
public enum AgentMessage: Sendable, Equatable {
    /// `[SWBA01, 0x01, request-id, department, priority, body]`
    case submit(requestID: String, department: String, priority: Priority, body: [UInt8])
    /// `[SWBA01, 0x02, request-id, ticket, status]`: status 201, 202 (no worker now) or 200 (duplicate).
    case accepted(requestID: String, ticket: String, status: StatusCode)
    /// `[SWBA01, 0x03, ticket, body]`
    case answer(ticket: String, body: [UInt8])
    /// `[SWBA01, 0x04, ticket, body]`
    case update(ticket: String, body: [UInt8])
    /// Agent → broker `[SWBA01, 0x05, ticket]`.
    case statusQuery(ticket: String)
    /// Broker → agent `[SWBA01, 0x05, ticket, status-json]` or `[..., status-json, answer]` once answered.
    case status(ticket: String, info: [UInt8], answer: [UInt8]?)
    /// `[SWBA01, 0x06, ticket]`
    case cancel(ticket: String)
    /// `[SWBA01, 0x07, reference, status, error-json]`: reference is the request id or ticket, or empty.
    case error(reference: String, status: StatusCode, detail: [UInt8])
    /// `[SWBA01, 0x08]`
    case heartbeat
    /// Agent → broker `[SWBA01, 0x09, ticket]`.
    case historyQuery(ticket: String)
    /// Broker → agent `[SWBA01, 0x09, ticket, history-json]` (see `schemas/history.schema.json`).
    case history(ticket: String, info: [UInt8])
    /// Broker → agent `[SWBA01, 0x0A, ticket, question]`: the worker's NEEDS_INFO question, byte for byte.
    case question(ticket: String, body: [UInt8])
    /// Agent → broker `[SWBA01, 0x0B, ticket, info]`: the agent's reply to a QUESTION.
    case info(ticket: String, body: [UInt8])

    public var command: AgentCommand {
        switch self {
        case .submit: .submit
        case .accepted: .accepted
        case .answer: .answer
        case .update: .update
        case .statusQuery, .status: .status
        case .cancel: .cancel
        case .error: .error
        case .heartbeat: .heartbeat
        case .historyQuery, .history: .history
        case .question: .question
        case .info: .info
        }
    }
}

extension AgentMessage {
    /// The frames of this message, signature first (no routing identity, no delimiter).
    public func encode() -> [[UInt8]] {
        let head: [[UInt8]] = [Signature.agentBytes, [command.rawValue]]
        switch self {
        case let .submit(requestID, department, priority, body):
            return head + [Array(requestID.utf8), Array(department.utf8), priority.frame, body]
        case let .accepted(requestID, ticket, status):
            return head + [Array(requestID.utf8), Array(ticket.utf8), status.frame]
        case let .answer(ticket, body), let .update(ticket, body), let .question(ticket, body),
            let .info(ticket, body):
            return head + [Array(ticket.utf8), body]
        case let .statusQuery(ticket), let .cancel(ticket), let .historyQuery(ticket):
            return head + [Array(ticket.utf8)]
        case let .history(ticket, info):
            return head + [Array(ticket.utf8), info]
        case let .status(ticket, info, answer):
            return head + [Array(ticket.utf8), info] + (answer.map { [$0] } ?? [])
        case let .error(reference, status, detail):
            return head + [Array(reference.utf8), status.frame, detail]
        case .heartbeat:
            return head
        }
    }

    /// Decodes the frames after the signature: the command byte first. Checks direction and limits.
    public static func decode(
        _ frames: ArraySlice<[UInt8]>, direction: Direction, limits: ProtocolLimits = .default
    ) throws(ProtocolError) -> AgentMessage {
        try decode(Frames(frames)[...], direction: direction, limits: limits)
    }

    /// Decodes the frames after the signature, read in place from a received message.
    public static func decode(
        _ frames: Slice<Frames>, direction: Direction, limits: ProtocolLimits = .default
    ) throws(ProtocolError) -> AgentMessage {
        guard let commandFrame = frames.first else {
            throw ProtocolError(.badRequest, "missing-command", "agent message has no command frame (frame 2)")
        }
        guard commandFrame.count == 1, let command = AgentCommand(rawValue: commandFrame[commandFrame.startIndex]) else {
            throw ProtocolError(
                .badRequest, "unknown-command",
                "unknown agent command \(Printable.describe(commandFrame)); "
                    + "commands are one byte, 0x01 SUBMIT to 0x0B INFO")
        }
        var reader = FrameReader(frames.dropFirst(), command: command.description, limits: limits)
        let message: AgentMessage
        switch (command, direction) {
        case (.submit, .toBroker):
            let requestID = try reader.text("request-id", maxBytes: limits.maxRequestIDBytes)
            let department = try reader.department()
            let priority = try Priority.parse(try reader.next("priority"))
            message = .submit(requestID: requestID, department: department, priority: priority, body: try reader.body())
        case (.accepted, .fromBroker):
            let requestID = try reader.text("request-id", maxBytes: limits.maxRequestIDBytes)
            let ticket = try reader.ticket()
            message = .accepted(requestID: requestID, ticket: ticket, status: try reader.status())
        case (.answer, .fromBroker):
            message = .answer(ticket: try reader.ticket(), body: try reader.body("answer"))
        case (.update, .fromBroker):
            message = .update(ticket: try reader.ticket(), body: try reader.body("update"))
        case (.status, .toBroker):
            message = .statusQuery(ticket: try reader.ticket())
        case (.status, .fromBroker):
            let ticket = try reader.ticket()
            let info = try reader.metadata("status")
            let answer = reader.optional()
            if let answer { try reader.checkSize(answer, field: "answer") }
            message = .status(ticket: ticket, info: info, answer: answer.map { Array($0) })
        case (.cancel, .toBroker):
            message = .cancel(ticket: try reader.ticket())
        case (.error, .fromBroker):
            let reference = try reader.text("reference", maxBytes: limits.maxRequestIDBytes, allowEmpty: true)
            let status = try reader.status()
            message = .error(reference: reference, status: status, detail: try reader.metadata("error"))
        case (.heartbeat, _):
            message = .heartbeat
        case (.history, .toBroker):
            message = .historyQuery(ticket: try reader.ticket())
        case (.history, .fromBroker):
            let ticket = try reader.ticket()
            message = .history(ticket: ticket, info: try reader.body("history"))
        case (.question, .fromBroker):
            message = .question(ticket: try reader.ticket(), body: try reader.body("question"))
        case (.info, .toBroker):
            message = .info(ticket: try reader.ticket(), body: try reader.body("info"))
        default:
            let sender = direction == .toBroker ? "an agent" : "the broker"
            throw ProtocolError(
                .badRequest, "wrong-direction",
                "\(command) (0x\(Printable.hex(command.rawValue))) is not sent by \(sender)")
        }
        try reader.end()
        return message
    }
}

extension FrameReader {
    mutating func status() throws(ProtocolError) -> StatusCode {
        let frame = try next("status")
        guard let status = StatusCode.parse(frame) else {
            throw ProtocolError(.badRequest, "bad-status", "\(command): status must be three ASCII digits, 100 to 599")
        }
        return status
    }
}
