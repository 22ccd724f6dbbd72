/// Why an incoming message was refused: the status for the error reply, a stable machine-readable
/// reason (`bad-signature`, `body-too-large`, ...) and a sentence that names what exactly is wrong.
public struct ProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    public let status: StatusCode
    public let reason: String
    public let message: String

    public init(_ status: StatusCode, _ reason: String, _ message: String) {
        self.status = status
        self.reason = reason
        self.message = message
    }

    public var description: String { "\(status.rawValue) \(reason): \(message)" }
}
