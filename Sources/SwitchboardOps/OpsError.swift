import SwitchboardSchema

/// A refusal of the HTTP API: its status and the same error body as the ZeroMQ protocol's ERROR.
struct OpsError: Error, CustomStringConvertible {
    let detail: ErrorDetail

    init(_ status: StatusCode, _ error: String, _ message: String, ticket: String? = nil) {
        // A ticket from the URL is echoed only if it could be one (error.schema.json: at most 64 characters).
        let ticket = ticket.flatMap { $0.count <= 64 ? $0 : nil }
        detail = ErrorDetail(status: status, error: error, message: message, ticket: ticket)
    }

    init(_ error: ProtocolError, ticket: String? = nil) {
        self.init(error.status, error.reason, error.message, ticket: ticket)
    }

    var description: String { "\(detail.status.rawValue) \(detail.error): \(detail.message)" }

    static let unavailable = OpsError(
        .unavailable, "not-serving", "the broker is not serving (starting or stopping); retry in a moment")

    static func notFound(method: String, path: String) -> OpsError {
        OpsError(.notFound, "unknown-endpoint", "no such endpoint: \(method) \(path); schemas/API.md lists the API")
    }
}
