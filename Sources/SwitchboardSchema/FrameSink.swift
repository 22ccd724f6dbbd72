/// Where an encoder writes a message, frame by frame: a socket (the broker sends each frame as it is
/// written, without building arrays) or a list of frames (tests, tools).
public protocol FrameSink {
    /// One frame; `more` says further frames of the same message follow.
    mutating func frame(_ bytes: UnsafeRawBufferPointer, more: Bool) throws
}

extension FrameSink {
    @inlinable
    public mutating func frame(_ bytes: [UInt8], more: Bool) throws {
        try bytes.withUnsafeBytes { try frame($0, more: more) }
    }

    @inlinable
    public mutating func frame(_ text: String, more: Bool) throws {
        var text = text
        try text.withUTF8 { try frame(UnsafeRawBufferPointer($0), more: more) }
    }

    @inlinable
    public mutating func frame(_ ticket: Ticket, more: Bool) throws {
        try ticket.withText { try frame($0, more: more) }
    }

    /// A one-byte frame (a command).
    @inlinable
    public mutating func frame(byte: UInt8, more: Bool) throws {
        var byte = byte
        try withUnsafeBytes(of: &byte) { try frame($0, more: more) }
    }

    /// A status code's three digits.
    @inlinable
    public mutating func frame(_ status: StatusCode, more: Bool) throws {
        var digits = (UInt8(48 + status.rawValue / 100), UInt8(48 + status.rawValue / 10 % 10), UInt8(48 + status.rawValue % 10))
        try withUnsafeBytes(of: &digits) { try frame($0, more: more) }
    }

    /// A decimal number (an attempt).
    @inlinable
    public mutating func frame(decimal value: Int, more: Bool) throws {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var rest = value.magnitude
            var start = 20
            repeat {
                start -= 1
                buffer[start] = UInt8(48 + rest % 10)
                rest /= 10
            } while rest > 0 && start > 0
            try frame(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[start...])), more: more)
        }
    }
}

/// A sink that keeps the frames, for tests and tools.
public struct FrameCollector: FrameSink {
    public private(set) var frames: [[UInt8]] = []

    public init() {}

    public mutating func frame(_ bytes: UnsafeRawBufferPointer, more: Bool) throws {
        frames.append(Array(bytes))
    }
}
