import SwitchboardSchema

/// A connected peer as the ROUTER socket sees it: its routing identity, and how to talk to it: whether it
/// frames its messages with an empty delimiter (REQ sockets do), so that replies are framed the same way,
/// and, for a Majordomo peer, the dialect it speaks (Core never looks at it; the broker translates).
public struct Peer: Sendable, Hashable, CustomStringConvertible {
    public let id: [UInt8]
    public var delimited: Bool
    public var majordomo: MajordomoDialect?

    public init(id: [UInt8], delimited: Bool = false, majordomo: MajordomoDialect? = nil) {
        self.id = id
        self.delimited = delimited
        self.majordomo = majordomo
    }

    // Identity alone names a peer; the framing flag and dialect are how to talk to it.
    public static func == (lhs: Peer, rhs: Peer) -> Bool { lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }

    /// The identity in hex, for logs.
    public var description: String {
        let digits = Array("0123456789abcdef")
        return String(id.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
    }
}
