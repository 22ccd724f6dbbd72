import Logging
import SwitchboardCore
import SwitchboardSchema
import ZeroMQ

/// Publishes every change as an event on the events endpoint. Owns the XPUB socket on its own thread;
/// the broker thread hands it batches of compact ``Change`` records, so JSON encoding never happens on
/// the routing path, and no event is encoded when nobody subscribed to its topic.
final class EventPublisher: Sendable {
    enum Command: Sendable {
        case publish([Change])
        case stop
    }

    private let thread = SocketThread<Command>(name: "switchboard-events")
    private let endpoint: String
    private let context: Context
    private let logger: Logger

    init(endpoint: String, context: Context, logger: Logger) {
        self.endpoint = endpoint
        self.context = context
        self.logger = logger
    }

    /// Binds the events endpoint on the publisher thread; throws if it cannot.
    func start() async throws {
        let endpoint = self.endpoint, context = self.context, logger = self.logger, mailbox = thread.mailbox
        try await thread.start { ready in
            let socket = try context.socket(.xpub)
            defer { socket.close() }
            try socket.setLinger(milliseconds: 0)
            try socket.setSendHighWaterMark(100_000)
            try socket.bind(endpoint)
            ready()
            var loop = PublisherLoop(socket: socket, logger: logger)
            var poller = Poller()
            poller.add(socket)
            poller.add(fileDescriptor: mailbox.fileDescriptor)
            while true {
                let readable = try poller.poll(timeoutMilliseconds: -1)
                if readable[0] { try loop.readSubscriptions() }
                if readable[1] {
                    for command in mailbox.drain() {
                        switch command {
                        case .publish(let changes): loop.publish(changes)
                        case .stop: return
                        }
                    }
                }
            }
        }
    }

    /// Hands a batch of changes to the publisher thread. Never blocks.
    func publish(_ changes: [Change]) {
        thread.mailbox.post(.publish(changes))
    }

    func stop() async throws {
        thread.mailbox.post(.stop)
        try await thread.join()
    }
}

/// The publisher thread's state: who subscribed to what, and the event sequence.
struct PublisherLoop {
    let socket: Socket
    let logger: Logger
    /// Subscribed prefixes. XPUB (not verbose) reports the first subscription and last unsubscription of
    /// each prefix, so a set is enough.
    var subscriptions: Set<[UInt8]> = []
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
    }

    mutating func publish(_ changes: [Change]) {
        for change in changes {
            sequence += 1
            let topic = change.type.topic
            guard subscriptions.contains(where: { topic.starts(with: $0) }) else { continue }
            let body = JSONCoding.encode(change.event(sequence: sequence))
            do {
                try socket.send(frames: [topic, body], dontWait: true)
            } catch {
                // PUB drops for slow subscribers by design; nothing else to do here.
                logger.debug("event not published", metadata: ["event.type": "\(change.type.rawValue)", "error": "\(error)"])
            }
        }
    }
}
