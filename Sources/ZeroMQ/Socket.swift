import CZeroMQ

/// A libzmq socket. Like every libzmq socket it is not thread-safe: one thread owns it, creates
/// it, uses it and closes it (see ``SocketThread``).
public final class Socket {
    /// The raw libzmq handle, for ``Poller``.
    let handle: UnsafeMutableRawPointer
    public let type: SocketType
    private var isClosed = false

    init(context: Context, type: SocketType) throws {
        guard let handle = zmq_socket(context.handle, type.rawValue) else {
            throw ZMQError.last("zmq_socket(\(type))")
        }
        self.handle = handle
        self.type = type
    }

    deinit { close() }

    /// Closes the socket now. Pending outgoing messages are kept for at most the linger time.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        zmq_close(handle)
    }

    // MARK: Endpoints

    public func bind(_ endpoint: String) throws {
        try zmqCall("zmq_bind(\(endpoint))") { zmq_bind(handle, endpoint) }
    }

    public func connect(_ endpoint: String) throws {
        try zmqCall("zmq_connect(\(endpoint))") { zmq_connect(handle, endpoint) }
    }

    public func unbind(_ endpoint: String) throws {
        try zmqCall("zmq_unbind(\(endpoint))") { zmq_unbind(handle, endpoint) }
    }

    public func disconnect(_ endpoint: String) throws {
        try zmqCall("zmq_disconnect(\(endpoint))") { zmq_disconnect(handle, endpoint) }
    }

    /// The endpoint last bound, with the port the system chose for `tcp://127.0.0.1:*`.
    public var lastEndpoint: String {
        get throws {
            let bytes = try bytesOption(ZMQ_LAST_ENDPOINT, capacity: 256)
            return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    // MARK: Sending

    /// Sends one multipart message. With `dontWait`, throws a would-block error instead of waiting.
    public func send(_ message: Message, dontWait: Bool = false) throws {
        try send(frames: message.frames, dontWait: dontWait)
    }

    /// Sends the frames as one multipart message.
    public func send(frames: [[UInt8]], dontWait: Bool = false) throws {
        let base = dontWait ? ZMQ_DONTWAIT : 0
        let last = frames.count - 1
        for (index, frame) in frames.enumerated() {
            let flags = base | (index < last ? ZMQ_SNDMORE : 0)
            try sendFrame(frame, flags: flags)
        }
    }

    /// Sends one frame; `more` says further frames of the same message follow.
    public func send(frame: [UInt8], more: Bool, dontWait: Bool = false) throws {
        try sendFrame(frame, flags: (more ? ZMQ_SNDMORE : 0) | (dontWait ? ZMQ_DONTWAIT : 0))
    }

    /// Sends one frame from raw bytes; `more` says further frames of the same message follow.
    @inline(__always)
    public func send(_ bytes: UnsafeRawBufferPointer, more: Bool, dontWait: Bool = false) throws {
        let flags = (more ? ZMQ_SNDMORE : 0) | (dontWait ? ZMQ_DONTWAIT : 0)
        _ = try zmqCall("zmq_send") { zmq_send(handle, bytes.baseAddress, bytes.count, flags) }
    }

    @inline(__always)
    private func sendFrame(_ frame: [UInt8], flags: Int32) throws {
        try frame.withUnsafeBytes { buffer in
            _ = try zmqCall("zmq_send") { zmq_send(handle, buffer.baseAddress, buffer.count, flags) }
        }
    }

    // MARK: Receiving

    /// Receives one whole multipart message; returns nil when `dontWait` is set and nothing is waiting,
    /// or when a receive timeout expires.
    public func receive(dontWait: Bool = false) throws -> Message? {
        try receive(dontWait: dontWait, userID: false)
    }

    /// Receives a message; with `userID`, also the `User-Id` property the ZAP handler set for the connection
    /// it came from (nil without authentication).
    public func receive(dontWait: Bool, userID: Bool) throws -> Message? {
        var frames: [[UInt8]] = []
        var user: String?
        let received = try receiveFrames(
            dontWait: dontWait, userID: userID, frame: { frames.append(Array($0)) }, user: { user = $0 })
        guard received else { return nil }
        var message = Message(frames: frames)
        message.userID = user
        return message
    }

    /// Receives one whole multipart message into `buffer`, replacing what it held and reusing its storage (no
    /// allocation per frame); false when `dontWait` is set and nothing is waiting. With `userID`, also the
    /// `User-Id` the ZAP handler set for the connection it came from.
    public func receive(into buffer: inout FrameBuffer, dontWait: Bool, userID: Bool = false) throws -> Bool {
        buffer.clear()
        return try receiveFrames(
            dontWait: dontWait, userID: userID, frame: { buffer.append($0) }, user: { buffer.userID = $0 })
    }

    /// The loop both receives share: hands each frame's bytes to `frame` (valid only during the call) and, with
    /// `userID`, the connection's `User-Id` to `user` once; false when `dontWait` is set and nothing is waiting.
    @inline(__always)
    private func receiveFrames(
        dontWait: Bool, userID: Bool, frame: (UnsafeRawBufferPointer) -> Void, user: (String) -> Void
    ) throws -> Bool {
        var msg = zmq_msg_t()
        zmq_msg_init(&msg)
        defer { zmq_msg_close(&msg) }
        var flags = dontWait ? ZMQ_DONTWAIT : 0
        var first = true, wantsUser = userID
        while true {
            do {
                try zmqCall("zmq_msg_recv") { zmq_msg_recv(&msg, handle, flags) }
            } catch let error as ZMQError where error.isWouldBlock && first {
                return false
            }
            first = false
            frame(UnsafeRawBufferPointer(start: zmq_msg_data(&msg), count: zmq_msg_size(&msg)))
            // A ROUTER's identity frame is made locally; the frames from the wire carry the metadata.
            if wantsUser, let value = zmq_msg_gets(&msg, "User-Id") {
                user(String(cString: value))
                wantsUser = false
            }
            if zmq_msg_more(&msg) == 0 { return true }
            // The rest of a multipart message is already here: never wait for it.
            flags = 0
        }
    }

    // MARK: Options

    func setOption(_ option: Int32, _ value: Int32, _ name: String) throws {
        var value = value
        try zmqCall("zmq_setsockopt(\(name))") {
            zmq_setsockopt(handle, option, &value, MemoryLayout<Int32>.size)
        }
    }

    func setInt64Option(_ option: Int32, _ value: Int64, _ name: String) throws {
        var value = value
        try zmqCall("zmq_setsockopt(\(name))") {
            zmq_setsockopt(handle, option, &value, MemoryLayout<Int64>.size)
        }
    }

    func setOption(_ option: Int32, bytes: [UInt8], _ name: String) throws {
        try bytes.withUnsafeBytes { buffer in
            _ = try zmqCall("zmq_setsockopt(\(name))") {
                zmq_setsockopt(handle, option, buffer.baseAddress, buffer.count)
            }
        }
    }

    func intOption(_ option: Int32, _ name: String) throws -> Int32 {
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        try zmqCall("zmq_getsockopt(\(name))") { zmq_getsockopt(handle, option, &value, &size) }
        return value
    }

    func int64Option(_ option: Int32, _ name: String) throws -> Int64 {
        var value: Int64 = 0
        var size = MemoryLayout<Int64>.size
        try zmqCall("zmq_getsockopt(\(name))") { zmq_getsockopt(handle, option, &value, &size) }
        return value
    }

    func bytesOption(_ option: Int32, capacity: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: capacity)
        var size = capacity
        try buffer.withUnsafeMutableBytes { raw in
            _ = try zmqCall("zmq_getsockopt") { zmq_getsockopt(handle, option, raw.baseAddress, &size) }
        }
        return Array(buffer.prefix(size))
    }
}
