/// A connected peer as the ROUTER socket sees it: its routing identity, and whether it frames its
/// messages with an empty delimiter (REQ sockets do), so that replies are framed the same way.
public struct Peer: Sendable, Hashable, CustomStringConvertible {
    public let id: [UInt8]
    public var delimited: Bool

    public init(id: [UInt8], delimited: Bool = false) {
        self.id = id
        self.delimited = delimited
    }

    // Identity alone names a peer; the framing flag is how to talk to it.
    public static func == (lhs: Peer, rhs: Peer) -> Bool { lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }

    /// The identity in hex, for logs.
    public var description: String {
        let digits = Array("0123456789abcdef")
        return String(id.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
    }
}
