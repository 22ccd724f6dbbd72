import Logging
import SwitchboardSchema
import ZeroMQ

/// The ZAP handler (ZeroMQ RFC 27) inside the daemon: libzmq asks it, at every CURVE handshake on the
/// broker's sockets, whether the client's public key may connect. A known key is accepted with the
/// principal's name as the connection's `User-Id` (the broker reads it from every message); an unknown key is
/// refused, so its handshake fails. The events endpoint (domain `switchboard-events`) admits ops only.
final class ZAPHandler: Sendable {
    static let endpoint = "inproc://zeromq.zap.01"
    static let requestDomain = "switchboard"
    static let eventsDomain = "switchboard-events"

    private let thread = SocketThread<Bool>(name: "sb-zap")
    private let state: SecurityState
    private let logger: Logger
    /// Random per start, in front of every `User-Id` this handler gives: libzmq lets a peer's own handshake
    /// metadata fill a `User-Id` that ZAP did not set, so the broker trusts only ids that carry the nonce.
    let nonce: String

    init(state: SecurityState, logger: Logger) {
        self.state = state
        self.logger = logger
        var generator = SystemRandomNumberGenerator()
        nonce = (0..<4).map { _ in String(generator.next() as UInt64, radix: 36) }.joined()
    }

    /// The `User-Id` of a connection authenticated with `key`.
    static func userID(nonce: String, key: [UInt8]) -> String { "\(nonce):\(Z85.encode(key) ?? "")" }

    /// The public key a `User-Id` names, if this handler gave it.
    static func key(in userID: String, nonce: String) -> [UInt8]? {
        guard userID.hasPrefix(nonce + ":") else { return nil }
        return Z85.decode(String(userID.dropFirst(nonce.count + 1)))
    }

    /// Waits until the handler's thread ends (it should only at stop); throws its error if it failed.
    func join() async throws {
        try await thread.join()
    }

    /// Binds the ZAP endpoint on `context` (before any CURVE socket of that context accepts a peer).
    func start(context: Context) async throws {
        let state = self.state, logger = self.logger, mailbox = thread.mailbox, nonce = self.nonce
        try await thread.start { ready in
            let socket = try context.socket(.rep)
            defer { socket.close() }
            try socket.setLinger(milliseconds: 0)
            try socket.bind(ZAPHandler.endpoint)
            ready()
            var poller = Poller()
            poller.add(socket)
            poller.add(fileDescriptor: mailbox.fileDescriptor)
            var limiter = RateLimiter(perSecond: 10)
            while true {
                let readable = try poller.poll(timeoutMilliseconds: 1000)
                if readable[1], !mailbox.drain().isEmpty { return }
                guard readable[0], let request = try socket.receive(dontWait: true) else { continue }
                let log = limiter.allow(now: Timestamp.now())
                try socket.send(frames: ZAPHandler.reply(
                    to: request.frames, security: state.configuration, nonce: nonce, logger: log ? logger : nil))
            }
        }
    }

    func stop() async {
        thread.mailbox.post(true)
        try? await thread.join()
    }

    /// The reply to one ZAP request: `[version, request id, status code, status text, user id, metadata]`.
    static func reply(to frames: [[UInt8]], security: SecurityConfiguration, nonce: String, logger: Logger?) -> [[UInt8]] {
        guard frames.count >= 6, frames[0] == Array("1.0".utf8) else {
            return [Array("1.0".utf8), [], Array("500".utf8), Array("malformed ZAP request".utf8), [], []]
        }
        let requestID = frames[1]
        let domain = String(decoding: frames[2], as: UTF8.self)
        let address = String(decoding: frames[3], as: UTF8.self)
        let mechanism = String(decoding: frames[5], as: UTF8.self)
        func answer(_ code: String, _ text: String, user: String = "") -> [[UInt8]] {
            [Array("1.0".utf8), requestID, Array(code.utf8), Array(text.utf8), Array(user.utf8), []]
        }
        guard mechanism == "CURVE", frames.count >= 7, frames[6].count == 32 else {
            logger?.warning("handshake refused: not CURVE", metadata: ["address": "\(address)", "mechanism": "\(mechanism)"])
            return answer("400", "CURVE is required")
        }
        let key = frames[6]
        guard let principal = security.principal(publicKey: key) else {
            logger?.warning(
                "handshake refused: unknown key", metadata: ["address": "\(address)", "key": "\(Z85.encode(key) ?? "?")"])
            return answer("400", "unknown key")
        }
        if domain == eventsDomain && principal.kind != .ops {
            logger?.warning(
                "handshake refused: events are for ops",
                metadata: ["address": "\(address)", "principal": "\(principal.name)"])
            return answer("400", "the events endpoint is for ops principals")
        }
        return answer("200", "OK", user: userID(nonce: nonce, key: key))
    }
}
