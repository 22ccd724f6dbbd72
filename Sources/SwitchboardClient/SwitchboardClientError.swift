import SwitchboardSchema

/// Why a client call failed. Every case says what happened in words a person can act on.
public enum SwitchboardClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No reply within the time allowed (the broker may be down or unreachable).
    case timeout(String)
    /// The broker refused the command (4xx/5xx), with its machine-readable reason and message.
    case refused(status: StatusCode, error: String, message: String)
    /// The request ended without an answer: rejected by the department (422), dead-lettered (504) or
    /// cancelled (410).
    case requestFailed(ticket: String, status: StatusCode, reason: String)
    /// The client was closed.
    case closed
    /// The broker sent something this client does not understand.
    case protocolViolation(String)

    public var description: String {
        switch self {
        case .timeout(let what): "timed out: \(what)"
        case let .refused(status, error, message): "refused (\(status.rawValue) \(error)): \(message)"
        case let .requestFailed(ticket, status, reason): "ticket \(ticket) failed (\(status.rawValue)): \(reason)"
        case .closed: "the client is closed"
        case .protocolViolation(let what): "protocol violation: \(what)"
        }
    }

    static func from(_ status: StatusCode, detail: [UInt8]) -> SwitchboardClientError {
        if let parsed = try? JSONCoding.decode(ErrorDetail.self, from: detail) {
            return .refused(status: status, error: parsed.error, message: parsed.message)
        }
        return .refused(status: status, error: "unknown", message: "the broker sent status \(status.rawValue)")
    }
}
