/// One multipart ZeroMQ message as a value: its frames, in order, as bytes.
public struct Message: Equatable, Sendable, CustomStringConvertible {
    public var frames: [[UInt8]]
    /// The `User-Id` the ZAP handler gave the connection it came from (see `Socket.receive(dontWait:userID:)`).
    public var userID: String?

    public init(frames: [[UInt8]]) {
        self.frames = frames
    }

    public init(_ frames: [UInt8]...) {
        self.frames = frames
    }

    /// Frames given as strings (UTF-8), for tests and tools.
    public init(strings: [String]) {
        self.frames = strings.map { Array($0.utf8) }
    }

    public var count: Int { frames.count }

    /// Total payload bytes in all frames.
    public var byteCount: Int { frames.reduce(0) { $0 + $1.count } }

    /// Sizes only, never contents: messages may carry members' health information.
    public var description: String {
        "Message(\(frames.count) frames, \(byteCount) bytes)"
    }
}
