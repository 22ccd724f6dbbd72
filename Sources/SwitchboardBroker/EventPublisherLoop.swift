import Logging
import SwitchboardCore
import SwitchboardSchema
import ZeroMQ

/// Publishes durable changes as events on the XPUB socket it is given (owned by the ledger writer thread):
/// tracks who subscribed to what, so no event is encoded for a topic nobody follows, and numbers events.
struct PublisherLoop {
    let socket: Socket
    let logger: Logger
    /// Subscribed prefixes. XPUB (not verbose) reports the first subscription and last unsubscription of
    /// each prefix, so a set is enough.
    var subscriptions: Set<[UInt8]> = []
    /// Which event types some subscription covers, worked out when subscriptions change, not per event.
    private var followed: Set<EventType> = []
    var sequence: UInt64 = 0

    init(socket: Socket, logger: Logger) {
        self.socket = socket
        self.logger = logger
    }

    mutating func readSubscriptions() throws {
        while let message = try socket.receive(dontWait: true) {
            guard let frame = message.frames.first, let flag = frame.first else { continue }
            let prefix = Array(frame.dropFirst())
            if flag == 1 { subscriptions.insert(prefix) } else if flag == 0 { subscriptions.remove(prefix) }
        }
        followed = Set(EventType.allCases.filter { type in
            subscriptions.contains { type.topic.starts(with: $0) }
        })
    }

    mutating func publish(_ changes: [Change]) {
        guard !followed.isEmpty else {
            sequence += UInt64(changes.count)
            return
        }
        for change in changes {
            sequence += 1
            let type = change.type
            guard followed.contains(type) else { continue }
            let body = JSONCoding.encode(change.event(sequence: sequence))
            do {
                try socket.send(frames: [type.topic, body], dontWait: true)
            } catch {
                // PUB drops for slow subscribers by design; nothing else to do here.
                logger.debug("event not published", metadata: ["event.type": "\(type.rawValue)", "error": "\(error)"])
            }
        }
    }
}
