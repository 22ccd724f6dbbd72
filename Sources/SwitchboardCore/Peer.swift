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

    /// The agent API over HTTP, as Core sees its callers. Not a ZeroMQ connection: libzmq's own routing ids
    /// are 5 bytes starting with 0 and a peer's chosen ones never start with 0, so no peer has this 6-byte id.
    /// The broker sends it nothing: HTTP callers get their replies from the broker's operations and their
    /// tickets' later events from their stream (``AgentEvent``).
    public static let http = Peer(id: PeerID([0, 0x48, 0x54, 0x54, 0x50, 0x2F]))

    /// The identity in hex, for logs.
    public var description: String { id.hex }
}
