import SwitchboardSchema

/// A connected peer as the ROUTER socket sees it: its routing identity, and how to talk to it: whether it
/// frames its messages with an empty delimiter (REQ sockets do), so that replies are framed the same way,
/// and, for a Majordomo peer, the dialect it speaks (Core never looks at it; the broker translates).
public struct Peer: Sendable, Hashable, CustomStringConvertible {
    public let id: PeerID
    public var delimited: Bool
    public var majordomo: MajordomoDialect?

    public init(id: PeerID, delimited: Bool = false, majordomo: MajordomoDialect? = nil) {
        self.id = id
        self.delimited = delimited
        self.majordomo = majordomo
    }

    public init(id: [UInt8], delimited: Bool = false, majordomo: MajordomoDialect? = nil) {
        self.init(id: PeerID(id), delimited: delimited, majordomo: majordomo)
    }

    // Identity alone names a peer; the framing flag and dialect are how to talk to it.
    public static func == (lhs: Peer, rhs: Peer) -> Bool { lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }

    /// The identity in hex, for logs.
    public var description: String { id.hex }
}
