/// The JSON body of an ERROR message (`schemas/error.schema.json`).
public struct ErrorDetail: Codable, Sendable, Equatable {
    /// The same three-digit status as the status frame.
    public var status: StatusCode
    /// A stable, machine-readable reason such as `unknown-department` or `body-too-large`.
    public var error: String
    /// One sentence for people: what is wrong and, where it helps, what to do.
    public var message: String
    public var ticket: String?
    public var requestId: String?

    public init(status: StatusCode, error: String, message: String, ticket: String? = nil, requestID: String? = nil) {
        self.status = status
        self.error = error
        self.message = message
        self.ticket = ticket
        self.requestId = requestID
    }

    public init(_ protocolError: ProtocolError) {
        self.init(status: protocolError.status, error: protocolError.reason, message: protocolError.message)
    }
}
