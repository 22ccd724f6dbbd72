import Logging
import SwitchboardCore
import SwitchboardSchema
import ZeroMQ

/// The broker thread's state: the ROUTER socket, Core, and what the thread does with Core's actions.
/// Lives on the broker thread only (see ``Broker``).
struct BrokerLoop {
    let router: Socket
    var core: BrokerCore
    /// Frame limits and whether bodies are logged (both replaced on SIGHUP).
    var limits: ProtocolLimits
    let writer: LedgerWriter
    let logger: Logger
    var logBodies: Bool
    var metrics = BrokerMetrics()
    var warningLimiter = RateLimiter(perSecond: 20)
    /// Where messages are received, reused from one to the next.
    private var received = FrameBuffer()
    /// Changes of the current batch: one group, handed to the ledger writer in one go.
    private var changes: [Change] = []
    /// Ledger questions of the current batch, posted after its group so they see it.
    private var queries: [LedgerWriter.Command] = []
    /// What agents are told (and operators' actions), held until the changes before it are durable.
    private var gate = DurabilityGate<Outgoing>()
    /// CURVE on: who may do what (replaced on SIGHUP), the principal of the message being handled, and the
    /// audit lines of the current batch (committed with its changes).
    var securityEnabled: Bool
    var principalsByKey: [[UInt8]: Principal] = [:]
    /// The ZAP handler's nonce: only `User-Id`s that carry it were set by ZAP.
    var zapNonce = ""
    /// Which principal (public key) each connection last spoke as, and which registered each worker: a
    /// routing id taken over by another principal gets nothing meant for the first.
    var keyByIdentity: [PeerID: [UInt8]] = [:]
    var workerKeys: [PeerID: [UInt8]] = [:]
    var currentPrincipal: Principal?
    var audits: [AuditRecord] = []
    /// Majordomo: the service each MDP client's open ticket was asked of (its replies name it), the service
    /// of the REQUEST being submitted.
    var majordomoServices: [Ticket: String] = [:]
    var majordomoSubmission: String?

    /// Something to send (or run) once what was recorded before it is durable.
    enum Outgoing {
        case agent(Peer, AgentReply)
        /// Frames already in the peer's own framing (Majordomo's encoders add their empty frame themselves).
        case frames(Peer, [[UInt8]])
        /// An operator's action is done once the ledger has it; false if the broker stops first.
        case whenDurable(@Sendable (_ durable: Bool) -> Void)
    }

    init(router: Socket, core: BrokerCore, configuration: BrokerConfiguration, writer: LedgerWriter, logger: Logger) {
        self.router = router
        self.core = core
        self.limits = configuration.limits
        self.writer = writer
        self.logger = logger
        self.logBodies = configuration.logBodies
        self.securityEnabled = configuration.security.isEnabled
        apply(security: configuration.security)
    }

    /// Messages handled per turn of the broker loop before timers and the mailbox are looked at.
    static let batchSize = 256

    /// Reads waiting messages (up to a batch) and handles each. Returns how many were read.
    mutating func readMessages() throws -> Int {
        var count = 0
        var buffer = FrameBuffer()
        swap(&buffer, &received)
        defer { swap(&buffer, &received) }
        while count < BrokerLoop.batchSize, try router.receive(into: &buffer, dontWait: true, userID: securityEnabled) {
            count += 1
            // The frames share the buffer's storage; they are gone before the next receive reuses it.
            handle(Frames(bytes: buffer.bytes, ends: buffer.ends), userID: buffer.userID, now: Timestamp.now())
        }
        flushChanges()
        return count
    }

    mutating func tick(now: Timestamp) {
        perform(core.tick(now: now))
        flushChanges()
    }

    /// Stops intake: new submissions get 503, nothing new is offered; workers finish what they hold.
    mutating func beginDrain(now: Timestamp) {
        perform(core.beginDrain(now: now))
        flushChanges()
    }

    /// Hands what workers still hold back to the ledger as queued, and tells the workers to disconnect.
    mutating func handBack(reason: String, now: Timestamp) -> Int {
        let (actions, count) = core.handBack(reason: reason, now: now)
        perform(actions)
        flushChanges()
        return count
    }

    /// A SIGHUP's configuration: principals, departments and policies, limits, and body logging.
    mutating func apply(_ reload: Reconfiguration) {
        limits = reload.limits
        logBodies = reload.logBodies
        // Frames over the new limit (plus headroom) make libzmq drop the connection: raise it with the limit.
        try? router.setMaxMessageSize(Int64(reload.limits.maxBodyBytes) + 16 * 1024 * 1024)
        perform(core.reconfigure(reload.core, now: Timestamp.now()))
        apply(security: reload.security)
        flushChanges()
        writer.post(.notifications(reload.notifications))
    }

    // MARK: Incoming

    mutating func handle(_ frames: Frames, userID: String?, now: Timestamp) {
        metrics.messagesReceived += 1
        guard frames.count >= 2 else {
            // Nothing after the identity: no way to reply meaningfully.
            refuse(peer: PeerID(frames.first ?? []), frames: frames.dropFirst(), error: ProtocolError(
                .badRequest, "empty-message", "message has no frames"), reply: false)
            return
        }
        let identity = PeerID(frames[0])
        let body = frames.dropFirst()
        currentPrincipal = nil
        if securityEnabled {
            // The ZAP handler named the principal at the handshake; after a reload it may be gone (revoked).
            guard let userID, let key = ZAPHandler.key(in: userID, nonce: zapNonce),
                let principal = principalsByKey[key]
            else {
                refuseUnknownPrincipal(identity: identity, frames: body, now: now)
                return
            }
            currentPrincipal = principal
            keyByIdentity[identity] = key
        }
        if Majordomo.claims(body) {
            handleMajordomo(identity: identity, frames: body, now: now)
            return
        }
        let decoded: (message: NativeMessage, delimited: Bool)
        do {
            decoded = try Envelope.decodeToBroker(body, limits: limits)
        } catch {
            refuse(peer: identity, frames: body, error: error, reply: true)
            // A worker that tried to finish a request with a message we cannot take (an answer over the size
            // limit, a transfer to a malformed department) has let go of it: it must not stay held forever.
            if let ticket = MalformedMessage.finishedTicket(in: body) {
                let peer = Peer(id: identity, delimited: body.first?.isEmpty ?? false)
                perform(core.abandon(from: peer, ticket: ticket, reason: "\(error.reason) (\(error.status.rawValue))", now: now))
            }
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
            // A request id another principal already used must not hand its ticket (and answer) to this one.
            // A ticket no longer in memory has an unknown owner here: its id is refused too (STATUS by ticket
            // still works for its submitter).
            if currentPrincipal != nil {
                let taken: (Principal) -> Bool = core.ticket(forRequestID: requestID).map { ticket in
                    let owner = core.owner(of: ticket)
                    return { principal in owner == .some(principal.name) }
                } ?? { _ in true }
                if let refusal = authorize("submit", department: department, { $0.maySubmit(to: department) && taken($0) }) {
                    send(to: peer, agent: .error(reference: requestID, status: refusal.status, detail: JSONCoding.encode(ErrorDetail(refusal))))
                    return
                }
            }
            perform(core.submit(
                from: peer, requestID: requestID, department: department, priority: priority, body: body, now: now,
                owner: currentPrincipal?.name))
        case .statusQuery(let text):
            guard let ticket = agentTicket(text, from: peer),
                agentMay("view", ticket, from: peer, { $0.mayView(ticketOwnedBy: $1) })
            else { return }
            // Ops reading a ticket must not take its pushes away from the agent that submitted it.
            let owns = currentPrincipal.map { principal in core.owner(of: ticket).map { $0 == principal.name } ?? true } ?? true
            perform(core.status(from: peer, ticket: ticket, now: now, reattach: owns))
        case .cancel(let text):
            guard let ticket = agentTicket(text, from: peer),
                agentMay("cancel", ticket, from: peer, { $0.mayCancel(ticketOwnedBy: $1) })
            else { return }
            perform(core.cancel(from: peer, ticket: ticket, now: now))
        case .heartbeat:
            send(to: peer, agent: .heartbeat)
        case .historyQuery(let text):
            guard let ticket = agentTicket(text, from: peer) else { return }
            queries.append(.history(agent: peer, ticket: ticket, requester: currentPrincipal))
        case let .info(text, body):
            // Answering the department's question acts on the request: its submitter, or ops that may operate.
            guard let ticket = agentTicket(text, from: peer),
                agentMay("info", ticket, from: peer, { $0.mayCancel(ticketOwnedBy: $1) })
            else { return }
            perform(core.provideInfo(from: peer, ticket: ticket, body: body, now: now))
        case .accepted, .answer, .update, .status, .error, .history, .question:
            // Decoding with direction .toBroker never yields these.
            break
        }
    }

    private mutating func handleWorker(_ message: WorkerMessage, from peer: Peer, now: Timestamp) {
        switch message {
        case .ready(let infoBytes):
            do {
                let info = try ReadyInfo.parse(infoBytes)
                let departments = info.departments.joined(separator: ",")
                if let refusal = authorize("serve", department: departments, { p in info.departments.allSatisfy(p.mayServe) }) {
                    send(to: peer, worker: .error(reference: "READY", status: refusal.status, detail: JSONCoding.encode(ErrorDetail(refusal))))
                    return
                }
                if let key = keyByIdentity[peer.id], currentPrincipal != nil { workerKeys[peer.id] = key }
                perform(core.ready(from: peer, info: info, now: now))
            } catch {
                refuse(
                    peer: peer.id, frames: Frames([Signature.workerBytes])[...], error: error, reply: true,
                    delimited: peer.delimited, reference: "READY")
            }
        case .accept(let text):
            guard let ticket = workerTicket(text, "ACCEPT", "accept", from: peer, now: now) else { return }
            perform(core.accept(from: peer, ticket: ticket, now: now))
        case let .answer(text, body):
            guard let ticket = workerTicket(text, "ANSWER", "answer", from: peer, now: now) else { return }
            perform(core.answer(from: peer, ticket: ticket, body: body, now: now))
        case let .update(text, body):
            guard let ticket = workerTicket(text, "UPDATE", "update", from: peer, now: now) else { return }
            perform(core.update(from: peer, ticket: ticket, body: body, now: now))
        case let .transfer(text, department, reason):
            guard let ticket = workerTicket(text, "TRANSFER", "transfer", from: peer, now: now) else { return }
            perform(core.transfer(from: peer, ticket: ticket, to: department, reason: reason, now: now))
        case let .reject(text, reason):
            guard let ticket = workerTicket(text, "REJECT", "reject", from: peer, now: now) else { return }
            perform(core.reject(from: peer, ticket: ticket, reason: reason, now: now))
        case let .release(text, reason):
            guard let ticket = workerTicket(text, "RELEASE", "release", from: peer, now: now) else { return }
            perform(core.release(from: peer, ticket: ticket, reason: reason, now: now))
        case let .needsInfo(text, question):
            guard let ticket = workerTicket(text, "NEEDS_INFO", "needs_info", from: peer, now: now) else { return }
            perform(core.needsInfo(from: peer, ticket: ticket, question: question, now: now))
        case .heartbeat:
            perform(core.heartbeat(from: peer, now: now))
        case .disconnect:
            perform(core.disconnect(from: peer, now: now))
        case .dispatch, .cancel, .error, .info:
            break
        }
    }

    /// The ticket an agent names, if this broker could have issued it; otherwise the agent is told it is not
    /// known (404), as for any ticket the broker does not hold.
    private mutating func agentTicket(_ text: String, from peer: Peer) -> Ticket? {
        if let ticket = Ticket(text) { return ticket }
        send(to: peer, agent: .error(
            reference: text, status: .notFound,
            detail: JSONCoding.encode(ErrorDetail(
                status: .notFound, error: "unknown-ticket", message: "ticket \(text) is not known", ticket: text))))
        return nil
    }

    /// The ticket a worker names, once the worker may act on it (``workerMay(_:_:from:)``); a ticket this
    /// broker could not have issued gets 404, and the message still counts as a sign of life.
    private mutating func workerTicket(
        _ text: String, _ command: String, _ action: String, from peer: Peer, now: Timestamp
    ) -> Ticket? {
        let ticket = Ticket(text)
        guard workerMay(action, ticket, text, from: peer) else { return nil }
        guard let ticket else {
            send(to: peer, worker: .error(
                reference: text, status: .notFound,
                detail: JSONCoding.encode(ErrorDetail(
                    status: .notFound, error: "unknown-ticket", message: "\(command) for unknown ticket \(text)"))))
            perform(core.heartbeat(from: peer, now: now))
            return nil
        }
        return ticket
    }

    /// Counts, logs (never the body) and answers a message that could not be decoded.
    mutating func refuse(
        peer: PeerID, frames: Slice<Frames>, error: ProtocolError, reply: Bool, delimited: Bool? = nil,
        reference: String? = nil
    ) {
        metrics.countProtocolError(error.reason)
        if warningLimiter.allow(now: Timestamp.now()) {
            logger.warning(
                "refused a malformed message",
                metadata: [
                    "peer": "\(peer.hex)", "error.status": "\(error.status.rawValue)",
                    "error.reason": "\(error.reason)", "error.message": "\(error.message)",
                    "frames": "\(frames.count)", "bytes": "\(frames.reduce(0) { $0 + $1.count })",
                ])
        }
        guard reply, !peer.isEmpty else { return }
        let isDelimited = delimited ?? (frames.first?.isEmpty ?? false)
        let content = isDelimited ? frames.dropFirst() : frames
        let reference = reference ?? MalformedMessage.reference(in: content)
        let detail = JSONCoding.encode(ErrorDetail(error))
        let target = Peer(id: peer, delimited: isDelimited)
        if MalformedMessage.isFromWorker(content) {
            send(to: target, worker: .error(reference: reference, status: error.status, detail: detail))
        } else {
            send(to: target, agent: .error(reference: reference, status: error.status, detail: detail))
        }
    }

    // MARK: Outgoing

    mutating func perform(_ actions: consuming [CoreAction]) {
        for index in actions.indices {
            switch actions[index] {
            case let .sendToAgent(peer, message): send(to: peer, agent: message)
            case let .sendToWorker(peer, message): send(to: peer, worker: message)
            case let .record(change): record(change)
            case let .lookUp(query): queries.append(.lookUp(query, requester: currentPrincipal))
            }
        }
        // Core's next actions go in the same storage.
        var done = actions
        core.recycle(&done)
    }

    private mutating func record(_ change: Change) {
        changes.append(change)
        gate.recorded()
        metrics.count(change)
        switch change {
        case .submitted, .offered, .accepted, .answered:
            // The routine course of a request: the events tell it; nothing is logged or formatted here.
            break
        case .workerJoined(let worker), .workerLeft(let worker), .workerLost(let worker), .workerDraining(let worker):
            logger.info(
                "\(change.type.rawValue)",
                metadata: [
                    "worker.name": "\(worker.name)", "departments": "\(worker.departments.joined(separator: ","))",
                    "credit": "\(worker.credit)", "reason": "\(worker.reason ?? "")",
                ])
        case .deadLettered, .requeued:
            // Reasons can quote a worker's words about a member (a rejection's stderr): logged only with bodies.
            let facts = change.request!
            var metadata: Logger.Metadata = [
                "ticket": "\(facts.ticket)", "department": "\(facts.department)", "attempt": "\(facts.attempt)",
            ]
            if case .deadLettered(_, _, let failure) = change { metadata["failure"] = "\(failure.rawValue)" }
            if logBodies { metadata["reason"] = "\(change.reason ?? "")" }
            logger.notice("\(change.type.rawValue)", metadata: metadata)
        default:
            logger.debug(
                "\(change.type.rawValue)",
                metadata: ["ticket": "\(change.ticket.map(\.text) ?? "")", "department": "\(change.request?.department ?? "")"])
        }
    }

    /// Hands the batch's changes to the ledger writer as one group, then its ledger questions.
    mutating func flushChanges() {
        if let group = gate.post() {
            let count = changes.count
            writer.post(.commit(group: group, changes, audits))
            // The list went to the writer: the next starts as large, so that it does not grow change by change.
            changes = []
            changes.reserveCapacity(count)
            audits = []
        } else if !audits.isEmpty {
            writer.post(.commit(group: gate.postEmpty(), [], audits))
            audits = []
        }
        for query in queries { writer.post(query) }
        queries.removeAll(keepingCapacity: true)
    }

    /// The writer made groups up to `group` durable: what was waiting on them goes out, in order.
    mutating func durable(through group: UInt64) {
        for outgoing in gate.durable(through: group) { deliver(outgoing) }
    }

    /// Flushes the changes made so far and calls `resume(true)` once they are durable (an operator's action
    /// is done when the ledger has it, like an agent's submission), or `resume(false)` if the broker stops
    /// first.
    mutating func whenDurable(_ resume: @escaping @Sendable (_ durable: Bool) -> Void) {
        flushChanges()
        if let now = gate.admit(.whenDurable(resume)) { deliver(now) }
    }

    /// The loop is leaving before the ledger confirmed these: their callers learn it was not done.
    mutating func failDurabilityWaiters() {
        for outgoing in gate.abandon() {
            if case .whenDurable(let resume) = outgoing { resume(false) }
        }
    }

    /// Messages and operators' actions still waiting for the ledger.
    var heldCount: Int { gate.heldCount }

    mutating func send(to peer: Peer, agent message: AgentReply) {
        // An HTTP caller's pushes: its stream carries them from the ledger (Broker+Agents).
        if peer.id == Peer.http.id { return }
        if let principal = currentPrincipal, case let .accepted(_, ticket, _) = message {
            audit("submit", principal, ticket: ticket.text, department: core.department(of: ticket), outcome: .allowed)
        }
        if securityEnabled, !mayReceivePush(message, at: peer) { return }
        if peer.majordomo != nil {
            sendToMajordomoClient(peer, message)
        } else if let now = gate.admit(.agent(peer, message)) {
            deliver(now)
        }
    }

    /// Workers are told at once: nothing they hear needs the ledger first (see ``DurabilityGate``).
    mutating func send(to peer: Peer, worker message: WorkerOrder) {
        if securityEnabled, case .dispatch = message, let registered = workerKeys[peer.id],
            keyByIdentity[peer.id] != registered
        {
            // Another principal has taken over this routing id since the READY: it gets no request (the offer
            // times out and goes to another worker).
            logger.warning("dispatch withheld: the worker's routing id now speaks for another principal", metadata: ["peer": "\(peer)"])
            return
        }
        if let dialect = peer.majordomo {
            sendToMajordomoWorker(peer, message, dialect: dialect)
        } else {
            transmit(to: peer) { sink in try message.write(to: &sink) }
        }
    }

    /// Majordomo frames for a client (through the gate, like every agent's message) or a worker (at once).
    mutating func sendFrames(to peer: Peer, _ frames: [[UInt8]], toWorker: Bool) {
        if toWorker {
            transmit(to: peer, frames)
        } else if let now = gate.admit(.frames(peer, frames)) {
            deliver(now)
        }
    }

    private mutating func deliver(_ outgoing: Outgoing) {
        switch outgoing {
        case let .agent(peer, message): transmit(to: peer) { sink in try message.write(to: &sink) }
        case let .frames(peer, frames): transmit(to: peer, frames)
        case let .whenDurable(resume): resume(true)
        }
    }

    private mutating func transmit(to peer: Peer, _ frames: [[UInt8]]) {
        transmit(to: peer) { sink in
            for (index, frame) in frames.enumerated() { try sink.frame(frame, more: index < frames.count - 1) }
        }
    }

    /// Sends one message to a peer: its routing identity, its delimiter if it uses one, then what `write`
    /// writes, each frame straight to the socket.
    private mutating func transmit(to peer: Peer, _ write: (inout RouterSink) throws -> Void) {
        var sink = RouterSink(socket: router)
        do {
            try peer.id.withBytes { try router.send($0, more: true, dontWait: true) }
            if peer.delimited { try router.send(UnsafeRawBufferPointer(start: nil, count: 0), more: true, dontWait: true) }
            try write(&sink)
            metrics.messagesSent += 1
        } catch let error as ZMQError where error.isHostUnreachable {
            // The peer has gone; what it would have been told stays fetchable by ticket.
            metrics.messagesUnroutable += 1
        } catch {
            metrics.messagesDropped += 1
            logger.debug("message dropped", metadata: ["peer": "\(peer)", "error": "\(error)"])
        }
    }
}

/// Frames written straight to the ROUTER socket, after the routing identity.
struct RouterSink: FrameSink {
    let socket: Socket

    mutating func frame(_ bytes: UnsafeRawBufferPointer, more: Bool) throws {
        try socket.send(bytes, more: more, dontWait: true)
    }
}

/// Best-effort facts about a message that failed to decode, to address the error reply.
enum MalformedMessage {
    /// Whether the signature frame claims the worker sub-protocol (any version).
    static func isFromWorker(_ frames: Slice<Frames>) -> Bool {
        guard let signature = frames.first else { return false }
        return signature.starts(with: "SWBW".utf8)
    }

    /// The ticket of a worker ANSWER, TRANSFER or REJECT that failed to decode, if it can be read: the worker
    /// meant to be done with that request.
    static func finishedTicket(in frames: Slice<Frames>) -> Ticket? {
        let content = frames.first?.isEmpty == true ? frames.dropFirst() : frames
        guard let signature = content.first, signature.elementsEqual(Signature.workerBytes), content.count >= 3 else {
            return nil
        }
        let command = content[content.startIndex + 1]
        let finishing: [WorkerCommand] = [.answer, .transfer, .reject, .release]
        guard command.count == 1, let parsed = WorkerCommand(rawValue: command.first!), finishing.contains(parsed) else {
            return nil
        }
        return Ticket(text: content[content.startIndex + 2])
    }

    /// The request id or ticket (frame 3) if it looks like one, so the client can match the error.
    static func reference(in frames: Slice<Frames>) -> String {
        let index = frames.startIndex + 2
        guard index < frames.endIndex else { return "" }
        let frame = frames[index]
        guard !frame.isEmpty, frame.count <= 128, frame.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return "" }
        return String(decoding: frame, as: UTF8.self)
    }
}
