import Logging
import SwitchboardCore
import SwitchboardSchema
import ZeroMQ

/// The broker thread's state: the ROUTER socket, Core, and what the thread does with Core's actions.
/// Lives on the broker thread only (see ``Broker``).
struct BrokerLoop {
    let router: Socket
    var core: BrokerCore
    let limits: ProtocolLimits
    let publisher: EventPublisher
    let logger: Logger
    let logBodies: Bool
    var stats = BrokerStats()
    var warningLimiter = RateLimiter(perSecond: 20)
    /// Changes of the current batch, handed to the publisher in one go.
    private var changes: [Change] = []

    init(router: Socket, core: BrokerCore, configuration: BrokerConfiguration, publisher: EventPublisher, logger: Logger) {
        self.router = router
        self.core = core
        self.limits = configuration.limits
        self.publisher = publisher
        self.logger = logger
        self.logBodies = configuration.logBodies
    }

    /// Messages handled per turn of the broker loop before timers and the mailbox are looked at.
    static let batchSize = 256

    /// Reads waiting messages (up to a batch) and handles each. Returns how many were read.
    mutating func readMessages() throws -> Int {
        var count = 0
        while count < BrokerLoop.batchSize, let message = try router.receive(dontWait: true) {
            count += 1
            handle(message, now: Timestamp.now())
        }
        flushChanges()
        return count
    }

    mutating func tick(now: Timestamp) {
        perform(core.tick(now: now))
        flushChanges()
    }

    mutating func shutdown() {
        perform(core.shutdown())
        flushChanges()
    }

    // MARK: Incoming

    mutating func handle(_ message: Message, now: Timestamp) {
        stats.received += 1
        let frames = message.frames
        guard frames.count >= 2 else {
            // Nothing after the identity: no way to reply meaningfully.
            refuse(peer: frames.first ?? [], frames: frames[...], error: ProtocolError(
                .badRequest, "empty-message", "message has no frames"), reply: false)
            return
        }
        let identity = frames[0]
        let body = frames[1...]
        let decoded: (message: NativeMessage, delimited: Bool)
        do {
            decoded = try Envelope.decodeToBroker(body, limits: limits)
        } catch {
            refuse(peer: identity, frames: body, error: error, reply: true)
            return
        }
        let peer = Peer(id: identity, delimited: decoded.delimited)
        switch decoded.message {
        case .agent(let command):
            handleAgent(command, from: peer, now: now)
        case .worker(let command):
            handleWorker(command, from: peer, now: now)
        }
    }

    private mutating func handleAgent(_ message: AgentMessage, from peer: Peer, now: Timestamp) {
        switch message {
        case let .submit(requestID, department, priority, body):
            if logBodies {
                logger.debug("submit body", metadata: ["request.id": "\(requestID)", "body": "\(String(decoding: body, as: UTF8.self))"])
            }
            perform(core.submit(from: peer, requestID: requestID, department: department, priority: priority, body: body, now: now))
        case .statusQuery(let ticket):
            perform(core.status(from: peer, ticket: ticket, now: now))
        case .cancel(let ticket):
            perform(core.cancel(from: peer, ticket: ticket, now: now))
        case .heartbeat:
            send(to: peer, agent: .heartbeat)
        case .accepted, .answer, .update, .status, .error:
            // Decoding with direction .toBroker never yields these.
            break
        }
    }

    private mutating func handleWorker(_ message: WorkerMessage, from peer: Peer, now: Timestamp) {
        switch message {
        case .ready(let infoBytes):
            do {
                let info = try ReadyInfo.parse(infoBytes)
                perform(core.ready(from: peer, info: info, now: now))
            } catch {
                refuse(peer: peer.id, frames: [Signature.workerBytes][...], error: error, reply: true, delimited: peer.delimited)
            }
        case .accept(let ticket):
            perform(core.accept(from: peer, ticket: ticket, now: now))
        case let .answer(ticket, body):
            perform(core.answer(from: peer, ticket: ticket, body: body, now: now))
        case let .update(ticket, body):
            perform(core.update(from: peer, ticket: ticket, body: body, now: now))
        case let .transfer(ticket, department, reason):
            perform(core.transfer(from: peer, ticket: ticket, to: department, reason: reason, now: now))
        case let .reject(ticket, reason):
            perform(core.reject(from: peer, ticket: ticket, reason: reason, now: now))
        case .heartbeat:
            perform(core.heartbeat(from: peer, now: now))
        case .disconnect:
            perform(core.disconnect(from: peer, now: now))
        case .dispatch, .cancel, .error:
            break
        }
    }

    /// Counts, logs (never the body) and answers a message that could not be decoded.
    private mutating func refuse(
        peer: [UInt8], frames: ArraySlice<[UInt8]>, error: ProtocolError, reply: Bool, delimited: Bool? = nil
    ) {
        stats.countProtocolError(error.reason)
        if warningLimiter.allow(now: Timestamp.now()) {
            logger.warning(
                "refused a malformed message",
                metadata: [
                    "peer": "\(Peer(id: peer))", "error.status": "\(error.status.rawValue)",
                    "error.reason": "\(error.reason)", "error.message": "\(error.message)",
                    "frames": "\(frames.count)", "bytes": "\(frames.reduce(0) { $0 + $1.count })",
                ])
        }
        guard reply, !peer.isEmpty else { return }
        let isDelimited = delimited ?? (frames.first?.isEmpty ?? false)
        let content = isDelimited ? frames.dropFirst() : frames
        let reference = MalformedMessage.reference(in: content)
        let detail = JSONCoding.encode(ErrorDetail(error))
        let target = Peer(id: peer, delimited: isDelimited)
        if MalformedMessage.isFromWorker(content) {
            send(to: target, worker: .error(reference: reference, status: error.status, detail: detail))
        } else {
            send(to: target, agent: .error(reference: reference, status: error.status, detail: detail))
        }
    }

    // MARK: Outgoing

    mutating func perform(_ actions: [CoreAction]) {
        for action in actions {
            switch action {
            case let .sendToAgent(peer, message): send(to: peer, agent: message)
            case let .sendToWorker(peer, message): send(to: peer, worker: message)
            case let .record(change): record(change)
            }
        }
    }

    private mutating func record(_ change: Change) {
        changes.append(change)
        switch change.type {
        case .workerJoined, .workerLeft, .workerLost:
            logger.info(
                "\(change.type.rawValue)",
                metadata: [
                    "worker.name": "\(change.worker ?? "")",
                    "departments": "\((change.departments ?? []).joined(separator: ","))",
                    "credit": "\(change.credit ?? 0)", "reason": "\(change.reason ?? "")",
                ])
        case .requestDeadLettered, .requestRequeued:
            logger.notice(
                "\(change.type.rawValue)",
                metadata: [
                    "ticket": "\(change.ticket ?? "")", "department": "\(change.department ?? "")",
                    "attempt": "\(change.attempt ?? 0)", "reason": "\(change.reason ?? "")",
                ])
        default:
            logger.debug(
                "\(change.type.rawValue)",
                metadata: ["ticket": "\(change.ticket ?? "")", "department": "\(change.department ?? "")"])
        }
    }

    private mutating func flushChanges() {
        guard !changes.isEmpty else { return }
        publisher.publish(changes)
        changes.removeAll(keepingCapacity: true)
    }

    private mutating func send(to peer: Peer, agent message: AgentMessage) {
        deliver(to: peer, frames: message.encode())
    }

    private mutating func send(to peer: Peer, worker message: WorkerMessage) {
        deliver(to: peer, frames: message.encode())
    }

    private mutating func deliver(to peer: Peer, frames: [[UInt8]]) {
        var all: [[UInt8]] = [peer.id]
        all.reserveCapacity(frames.count + 2)
        if peer.delimited { all.append([]) }
        all.append(contentsOf: frames)
        do {
            try router.send(frames: all, dontWait: true)
            stats.sent += 1
        } catch let error as ZMQError where error.isHostUnreachable {
            // The peer has gone; what it would have been told stays fetchable by ticket.
            stats.unroutable += 1
        } catch {
            stats.dropped += 1
            logger.debug("message dropped", metadata: ["peer": "\(peer)", "error": "\(error)"])
        }
    }
}

/// Best-effort facts about a message that failed to decode, to address the error reply.
enum MalformedMessage {
    /// Whether the signature frame claims the worker sub-protocol (any version).
    static func isFromWorker(_ frames: ArraySlice<[UInt8]>) -> Bool {
        guard let signature = frames.first else { return false }
        return signature.starts(with: Array("SWBW".utf8))
    }

    /// The request id or ticket (frame 3) if it looks like one, so the client can match the error.
    static func reference(in frames: ArraySlice<[UInt8]>) -> String {
        let index = frames.startIndex + 2
        guard index < frames.endIndex else { return "" }
        let frame = frames[index]
        guard !frame.isEmpty, frame.count <= 128, frame.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return "" }
        return String(decoding: frame, as: UTF8.self)
    }
}
