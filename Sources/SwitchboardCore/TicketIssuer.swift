import SwitchboardSchema

/// Issues tickets that are unique, short enough to read over the phone, and sort by submission time:
/// `T-` and 13 Crockford base-32 digits of (milliseconds << 16 | sequence).
public struct TicketIssuer: Sendable {
    private var last: UInt64 = 0
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    public init() {}

    public mutating func next(at now: Timestamp) -> String {
        let candidate = UInt64(max(0, now.rawValue)) << 16
        last = max(candidate, last + 1)
        return TicketIssuer.format(last)
    }

    /// Makes later tickets sort after `ticket` (used after recovering tickets from the ledger).
    public mutating func advance(past ticket: String) {
        if let value = TicketIssuer.parse(ticket) { last = max(last, value) }
    }

    static func format(_ value: UInt64) -> String {
        var digits = [UInt8](repeating: 0, count: 13)
        var rest = value
        for index in (0..<13).reversed() {
            digits[index] = alphabet[Int(rest & 31)]
            rest >>= 5
        }
        return "T-" + String(decoding: digits, as: UTF8.self)
    }

    static func parse(_ ticket: String) -> UInt64? {
        let bytes = Array(ticket.utf8)
        guard bytes.count == 15, bytes.starts(with: Array("T-".utf8)) else { return nil }
        var value: UInt64 = 0
        for byte in bytes.dropFirst(2) {
            guard let digit = alphabet.firstIndex(of: byte) else { return nil }
            value = value << 5 | UInt64(digit)
        }
        return value
    }
}
