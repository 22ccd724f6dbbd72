import SwitchboardSchema

/// Why an `OperationsClient` call failed. Every case says what happened in words an operator can act on.
public enum OperationsClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The daemon answered with an error status (4xx, 5xx) and the API's error body: 400 a bad parameter,
    /// 404 an unknown ticket, department or worker, 409 an action that does not apply, 503 starting or stopping.
    case refused(ErrorDetail)
    /// Nothing answers at that address (connection refused, no route, unknown host, ...).
    case unreachable(url: String, reason: String)
    /// The daemon accepted the connection but sent no complete response in time.
    case timeout(url: String, after: Duration)
    /// The response could not be read or its body is not what the API describes.
    case invalidResponse(url: String, reason: String)
    /// The address given to the client cannot be used.
    case invalidAddress(address: String, reason: String)
    /// The token contains a control character (a line break, say), which cannot go in an HTTP header.
    case invalidToken
    /// The task making the call was cancelled.
    case cancelled

    /// The HTTP status for `refused`, nil for the others.
    public var status: Int? {
        if case .refused(let detail) = self { return detail.status.rawValue }
        return nil
    }

    public var description: String {
        switch self {
        case .refused(let detail):
            "\(detail.message) (\(detail.status.rawValue) \(detail.error))"
        case let .unreachable(url, reason):
            "cannot reach switchboardd at \(url): \(reason); is it running, with its HTTP surface on that address "
                + "(switchboardd --http)?"
        case let .timeout(url, after):
            "switchboardd at \(url) did not answer within \(Self.seconds(after)); it may be overloaded or stuck"
        case let .invalidResponse(url, reason):
            "unreadable response from \(url): \(reason)"
        case let .invalidAddress(address, reason):
            "invalid HTTP address '\(address)': \(reason)"
        case .invalidToken:
            "the API token contains a control character (a line break?), which cannot be sent in an HTTP header"
        case .cancelled:
            "cancelled"
        }
    }

    private static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 { return "\(seconds) s" }
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return "\(milliseconds) ms"
    }
}
