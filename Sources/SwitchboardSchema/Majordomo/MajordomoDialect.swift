/// The Majordomo framings Switchboard speaks (schemas/PROTOCOL.md, section 14). A peer is answered in the
/// dialect its messages arrive in.
public enum MajordomoDialect: String, Sendable, Hashable, CaseIterable {
    /// 7/MDP (MDP 0.1): a leading empty frame, `MDPC01`/`MDPW01`, no client command byte, worker REPLY.
    case v01 = "mdp-0.1"
    /// 18/MDP (MDP 0.2) as the RFC writes it: no empty frame, client REQUEST 0x01, PARTIAL 0x02, FINAL 0x03,
    /// replies carrying the service frame.
    case rfc18 = "mdp-0.2"
    /// MDP 0.2 as majortomo 0.2.0 puts it on the wire: the 0.1 leading empty frame kept, client commands
    /// numbered like the worker's (REQUEST 0x02, PARTIAL 0x03, FINAL 0x04), replies without a service frame.
    case majortomo = "mdp-0.2-majortomo"

    public static let clientV01: [UInt8] = Array("MDPC01".utf8)
    public static let workerV01: [UInt8] = Array("MDPW01".utf8)
    public static let clientV02: [UInt8] = Array("MDPC02".utf8)
    public static let workerV02: [UInt8] = Array("MDPW02".utf8)

    /// Whether every message starts with an empty frame.
    public var delimited: Bool { self != .rfc18 }

    public var clientHeader: [UInt8] { self == .v01 ? Self.clientV01 : Self.clientV02 }
    public var workerHeader: [UInt8] { self == .v01 ? Self.workerV01 : Self.workerV02 }

    /// The client command bytes (none in 0.1).
    var clientRequest: UInt8? { self == .v01 ? nil : self == .rfc18 ? 0x01 : 0x02 }
    var clientPartial: UInt8? { self == .v01 ? nil : self == .rfc18 ? 0x02 : 0x03 }
    var clientFinal: UInt8? { self == .v01 ? nil : self == .rfc18 ? 0x03 : 0x04 }
    /// Whether broker→client replies carry the service frame (majortomo's do not).
    var repliesNameTheService: Bool { self != .majortomo }

    /// The worker command bytes.
    static let ready: UInt8 = 0x01
    static let request: UInt8 = 0x02
    var workerPartial: UInt8? { self == .v01 ? nil : 0x03 }
    /// 0.1 REPLY, 0.2 FINAL.
    var workerFinal: UInt8 { self == .v01 ? 0x03 : 0x04 }
    var heartbeat: UInt8 { self == .v01 ? 0x04 : 0x05 }
    var disconnect: UInt8 { self == .v01 ? 0x05 : 0x06 }
}
