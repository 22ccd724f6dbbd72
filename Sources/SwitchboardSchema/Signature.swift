/// The first frame of every native message: who speaks (agent or worker) and which protocol version.
///
/// The broker tells its peers apart by this frame alone, as Majordomo does with `MDPC01`/`MDPW01`.
public enum Signature: Sendable, Equatable {
    case agent
    case worker

    /// `SWBA01`: an agent (client) speaking version 1 of the native protocol.
    public static let agentBytes: [UInt8] = Array("SWBA01".utf8)
    /// `SWBW01`: a department worker speaking version 1 of the native protocol.
    public static let workerBytes: [UInt8] = Array("SWBW01".utf8)
    /// The family prefix shared by every version: `SWBA` or `SWBW` followed by a two-digit version.
    static let agentFamily: [UInt8] = Array("SWBA".utf8)
    static let workerFamily: [UInt8] = Array("SWBW".utf8)

    public var bytes: [UInt8] {
        switch self {
        case .agent: Signature.agentBytes
        case .worker: Signature.workerBytes
        }
    }

    /// Reads a signature frame. A known family with another two-digit version gives `505`; anything else `400`.
    public static func parse<Bytes: Collection<UInt8>>(_ frame: Bytes) throws(ProtocolError) -> Signature {
        if frame.equals(agentBytes) { return .agent }
        if frame.equals(workerBytes) { return .worker }
        let isFamily = frame.starts(with: agentFamily) || frame.starts(with: workerFamily)
        if frame.count == 6, isFamily, frame.dropFirst(4).allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            throw ProtocolError(
                .versionNotSupported, "unsupported-version",
                "protocol version '\(String(decoding: frame, as: UTF8.self))' is not supported; "
                    + "this broker speaks SWBA01 (agents) and SWBW01 (workers)")
        }
        throw ProtocolError(
            .badRequest, "bad-signature",
            "frame 1 must be the signature SWBA01 (agent) or SWBW01 (worker); got \(Printable.describe(frame))")
    }
}
