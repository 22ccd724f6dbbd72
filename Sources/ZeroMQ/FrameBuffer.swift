/// Where a socket receives messages, reused from one message to the next: the frames back to back in one
/// byte array, with where each ends. Once the array has grown to the largest message, receiving allocates
/// nothing.
public struct FrameBuffer: Sendable {
    /// The frames' bytes, back to back.
    public private(set) var bytes: [UInt8] = []
    /// Where each frame ends in `bytes`.
    public private(set) var ends: [Int] = []
    /// The `User-Id` the ZAP handler gave the connection the message came from (when asked for).
    public internal(set) var userID: String?

    public init() {}

    public var count: Int { ends.count }

    public subscript(frame: Int) -> ArraySlice<UInt8> {
        bytes[(frame == 0 ? 0 : ends[frame - 1])..<ends[frame]]
    }

    mutating func clear() {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        userID = nil
    }

    mutating func append(_ frame: UnsafeRawBufferPointer) {
        if !frame.isEmpty { bytes.append(contentsOf: frame) }
        ends.append(bytes.count)
    }
}
