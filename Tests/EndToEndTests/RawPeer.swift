import Foundation
import SwitchboardSchema
import ZeroMQ

/// A bare DEALER socket for tests that speak the protocol by hand (or send garbage).
final class RawPeer {
    let context: Context
    let socket: Socket

    /// `curve`: a client key pair and the broker's public key, for a broker that runs CURVE.
    init(endpoint: String, curve: (CurveKeyPair, [UInt8])? = nil) throws {
        context = try Context()
        socket = try context.socket(.dealer)
        try socket.setLinger(milliseconds: 0)
        if let (pair, server) = curve { try socket.setCurveClient(keyPair: pair, serverKey: server) }
        try socket.connect(endpoint)
    }

    deinit {
        socket.close()
    }

    func send(_ frames: [[UInt8]]) throws {
        try socket.send(frames: frames)
    }

    /// The next message, or nil if none arrives within the timeout. Polls in short slices so the
    /// cooperative thread it runs on is never held for long.
    func receive(within timeout: Duration = .seconds(5)) async throws -> [[UInt8]]? {
        let deadline = ContinuousClock.now + timeout
        var poller = Poller()
        poller.add(socket)
        while ContinuousClock.now < deadline {
            if try poller.poll(timeoutMilliseconds: 20)[0], let message = try socket.receive(dontWait: true) {
                return message.frames
            }
            await Task.yield()
        }
        return nil
    }

    /// Receives until a message satisfies `match`, discarding others (e.g. heartbeats).
    func receive(within timeout: Duration = .seconds(5), where match: ([[UInt8]]) -> Bool) async throws -> [[UInt8]]? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let frames = try await receive(within: deadline - ContinuousClock.now) else { return nil }
            if match(frames) { return frames }
        }
        return nil
    }
}
