/// The frames of one message, back to back in one byte array as a socket reads them, seen as a collection of
/// slices of that array: reading a frame copies nothing, and receiving a message allocates nothing once the
/// array has grown to the size of the largest message.
public struct Frames: RandomAccessCollection, Sendable, Equatable {
    public let bytes: [UInt8]
    /// Where each frame ends in `bytes` (the next one starts there).
    public let ends: [Int]

    /// Frames over `bytes` (shared, not copied) ending at `ends`.
    public init(bytes: [UInt8], ends: [Int]) {
        precondition(ends.last ?? 0 <= bytes.count, "frame ends beyond the bytes")
        self.bytes = bytes
        self.ends = ends
    }

    /// The frames of a list of arrays (copied into one).
    public init<List: Sequence<[UInt8]>>(_ frames: List) {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for frame in frames {
            bytes.append(contentsOf: frame)
            ends.append(bytes.count)
        }
        self.bytes = bytes
        self.ends = ends
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { ends.count }

    public subscript(position: Int) -> ArraySlice<UInt8> {
        bytes[(position == 0 ? 0 : ends[position - 1])..<ends[position]]
    }

    /// Each frame as its own array (for tests and tools).
    public var arrays: [[UInt8]] { map { Array($0) } }
}

extension Collection<UInt8> {
    /// Whether these bytes are exactly `other`'s.
    @inlinable
    func equals(_ other: [UInt8]) -> Bool {
        count == other.count && elementsEqual(other)
    }
}
