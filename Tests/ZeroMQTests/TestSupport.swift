import Testing
import ZeroMQ

/// A context and the sockets one test made. ``withSockets(_:)`` closes every socket (linger 0) before the
/// context is released, so `zmq_ctx_term` in `Context.deinit` never waits.
final class Sockets {
    let context: Context
    private var open: [Socket] = []

    init() throws {
        context = try Context()
    }

    /// A new socket with linger 0, closed when the test ends.
    func make(_ type: SocketType) throws -> Socket {
        let socket = try context.socket(type)
        try socket.setLinger(milliseconds: 0)
        // A safety net, not a wait: a call that wrongly blocks fails after 10 s instead of hanging the run.
        try socket.setReceiveTimeout(milliseconds: 10_000)
        try socket.setSendTimeout(milliseconds: 10_000)
        open.append(socket)
        return socket
    }

    func closeAll() {
        for socket in open.reversed() { socket.close() }
        open.removeAll()
    }
}

/// Runs `body` with a fresh context; closes its sockets afterwards, whatever happens.
func withSockets<R>(_ body: (Sockets) throws -> R) throws -> R {
    let sockets = try Sockets()
    defer { sockets.closeAll() }
    return try body(sockets)
}

extension Duration {
    var wholeMilliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}

/// Waits (in `zmq_poll`, never sleeping) for the next whole message on `socket`; nil if none comes in time.
func receive(_ socket: Socket, within timeout: Duration = .seconds(5)) throws -> Message? {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    var poller = Poller()
    poller.add(socket)
    while true {
        if let message = try socket.receive(dontWait: true) { return message }
        let remaining = deadline - clock.now
        if remaining <= .zero { return nil }
        _ = try poller.poll(timeoutMilliseconds: max(1, remaining.wholeMilliseconds))
    }
}

/// Like ``receive(_:within:)`` but records a test failure when nothing arrives.
func expectMessage(
    _ socket: Socket, within timeout: Duration = .seconds(5), sourceLocation: SourceLocation = #_sourceLocation
) throws -> Message {
    try #require(try receive(socket, within: timeout), "no message within \(timeout)", sourceLocation: sourceLocation)
}

/// The port of a `tcp://host:port` endpoint.
func port(of endpoint: String) -> Int? {
    guard endpoint.hasPrefix("tcp://"), let colon = endpoint.lastIndex(of: ":") else { return nil }
    return Int(endpoint[endpoint.index(after: colon)...])
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Frames that exercise the edges: empty frames first, in the middle and last, every byte value, a NUL.
let awkwardFrames: [[UInt8]] = [[], Array(0...255), bytes("hello"), [], [0], Array(repeating: 0xFF, count: 4096), []]
