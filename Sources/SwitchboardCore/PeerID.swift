/// A ROUTER routing identity as a value: up to 16 bytes are held inline (libzmq's own identities are 5), so
/// that keeping, hashing and comparing the peer of every message allocates nothing. Longer identities (a
/// peer may choose up to 255 bytes) are kept in an array.
public struct PeerID: Hashable, Sendable {
    private let low: UInt64
    private let high: UInt64
    private let length: UInt8
    private let long: [UInt8]?

    public init<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
        let initialized: PeerID? = bytes.withContiguousStorageIfAvailable { PeerID(raw: UnsafeRawBufferPointer($0)) }
        self = initialized ?? Array(bytes).withUnsafeBytes { PeerID(raw: $0) }
    }

    public init(_ bytes: ArraySlice<UInt8>) {
        self = bytes.withUnsafeBytes { PeerID(raw: $0) }
    }

    public init(_ bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { PeerID(raw: $0) }
    }

    private init(raw bytes: UnsafeRawBufferPointer) {
        guard bytes.count <= 16 else {
            low = 0
            high = 0
            length = UInt8(truncatingIfNeeded: min(bytes.count, 255))
            long = Array(bytes)
            return
        }
        var words: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: bytes) }
        low = UInt64(littleEndian: words.0)
        high = UInt64(littleEndian: words.1)
        length = UInt8(bytes.count)
        long = nil
    }

    /// Calls `body` with the identity's bytes, without allocating for an inline one.
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if let long { return try long.withUnsafeBytes(body) }
        var words = (low.littleEndian, high.littleEndian)
        return try withUnsafeBytes(of: &words) { try body(UnsafeRawBufferPointer(rebasing: $0.prefix(Int(length)))) }
    }

    /// The identity's bytes.
    public var bytes: [UInt8] { withBytes { Array($0) } }

    public var count: Int { Int(length) }

    public var isEmpty: Bool { length == 0 }

    /// The identity in hex, for logs and the ops surface's worker ids.
    public var hex: String {
        withBytes { bytes in
            var text = [UInt8]()
            text.reserveCapacity(bytes.count * 2)
            for byte in bytes {
                text.append(PeerID.hexDigits[Int(byte >> 4)])
                text.append(PeerID.hexDigits[Int(byte & 0x0F)])
            }
            return String(decoding: text, as: UTF8.self)
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A cheap hash (see ``FastHashable``): identities are libzmq's counters or a peer's own choice, never
    /// inserted in bulk by a peer.
    var fastHash: UInt64 {
        if let long {
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            for byte in long { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
            return hash
        }
        return (low &* 0xFF51_AFD7_ED55_8CCD) ^ (high &* 0xC4CE_B9FE_1A85_EC53) ^ UInt64(length)
    }
}
