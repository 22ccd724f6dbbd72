/// A ticket this broker issued, as the 64-bit number it encodes: the submission time in milliseconds since the
/// Unix epoch shifted left by 16 bits, plus a sequence number (PROTOCOL.md §7.4).
///
/// On the wire and in the ledger a ticket is its text, `T-` and 13 Crockford base-32 digits; inside the broker
/// it is this value, so that dictionaries, queues and timers hash and compare one integer and nothing formats
/// text per message. Peers treat tickets as opaque text: only the broker parses them.
public struct Ticket: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Bytes of a ticket's text.
    public static let textLength = 15

    @usableFromInline static let digits: [UInt8] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// Crockford digit value of each byte, 0xFF where the byte is not one (upper case only, as issued).
    @usableFromInline static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, digit) in digits.enumerated() { table[Int(digit)] = UInt8(value) }
        return table
    }()

    /// Parses a ticket's text; nil when it is not one this broker could have issued.
    @inlinable
    public init?<Bytes: Collection<UInt8>>(text bytes: Bytes) {
        guard bytes.count == Ticket.textLength else { return nil }
        var index = bytes.startIndex
        guard bytes[index] == UInt8(ascii: "T") else { return nil }
        bytes.formIndex(after: &index)
        guard bytes[index] == UInt8(ascii: "-") else { return nil }
        bytes.formIndex(after: &index)
        var value: UInt64 = 0
        // 13 digits of 5 bits are 65 bits: the first digit holds only the top 4 (at most 15).
        var first = true
        while index != bytes.endIndex {
            let digit = Ticket.values[Int(bytes[index])]
            guard digit != 0xFF, !first || digit <= 15 else { return nil }
            first = false
            value = value << 5 | UInt64(digit)
            bytes.formIndex(after: &index)
        }
        self.rawValue = value
    }

    public init?(_ text: String) {
        self.init(text: text.utf8)
    }

    /// Calls `body` with the ticket's text, formatted on the stack (no allocation).
    @inlinable
    public func withText<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Ticket.textLength) { buffer in
            buffer[0] = UInt8(ascii: "T")
            buffer[1] = UInt8(ascii: "-")
            var rest = rawValue
            for index in stride(from: Ticket.textLength - 1, through: 2, by: -1) {
                buffer[index] = Ticket.digits[Int(rest & 31)]
                rest >>= 5
            }
            return try body(UnsafeRawBufferPointer(buffer))
        }
    }

    /// The ticket's text, `T-038FEASF7P000`.
    public var text: String {
        withText { String(decoding: $0, as: UTF8.self) }
    }

    /// The text's bytes.
    public var bytes: [UInt8] { withText { Array($0) } }

    public var description: String { text }

    public static func < (lhs: Ticket, rhs: Ticket) -> Bool { lhs.rawValue < rhs.rawValue }
}
