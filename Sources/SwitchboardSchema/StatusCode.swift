/// A three-digit status, grouped like HTTP and ZeroMQ's own protocols: 2xx done, 3xx not yet,
/// 4xx the peer's mistake (do not retry unchanged), 5xx the broker's trouble (retry later).
public struct StatusCode: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: Int

    public init(rawValue: Int) { self.rawValue = rawValue }
    public init(_ rawValue: Int) { self.rawValue = rawValue }

    /// The request was already known: the same ticket is returned (idempotent resubmission).
    public static let ok = StatusCode(200)
    /// A new request was accepted and a worker of its department is connected.
    public static let created = StatusCode(201)
    /// A new request was accepted and queued, but no worker is serving its department right now.
    public static let acceptedNoWorker = StatusCode(202)
    /// Not finished yet.
    public static let pending = StatusCode(300)
    public static let badRequest = StatusCode(400)
    public static let unauthorized = StatusCode(401)
    public static let forbidden = StatusCode(403)
    public static let notFound = StatusCode(404)
    public static let conflict = StatusCode(409)
    public static let gone = StatusCode(410)
    public static let payloadTooLarge = StatusCode(413)
    public static let rejected = StatusCode(422)
    public static let tooManyRequests = StatusCode(429)
    public static let internalError = StatusCode(500)
    public static let notImplemented = StatusCode(501)
    public static let unavailable = StatusCode(503)
    public static let deadLettered = StatusCode(504)
    public static let versionNotSupported = StatusCode(505)

    public var isSuccess: Bool { (200..<300).contains(rawValue) }
    public var isClientError: Bool { (400..<500).contains(rawValue) }
    public var isServerError: Bool { (500..<600).contains(rawValue) }

    /// The status as the three ASCII digits that travel in a frame.
    public var frame: [UInt8] { Array(String(rawValue).utf8) }

    /// Parses a status frame: exactly three ASCII digits, 100 to 599.
    public static func parse<Bytes: Collection<UInt8>>(_ frame: Bytes) -> StatusCode? {
        guard frame.count == 3, frame.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let value = frame.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        return (100..<600).contains(value) ? StatusCode(value) : nil
    }

    public init(from decoder: Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(Int.self)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { String(rawValue) }
}
