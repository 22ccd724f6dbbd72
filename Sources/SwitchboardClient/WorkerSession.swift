import Foundation
import Logging
import SwitchboardSchema
import ZeroMQ

/// The worker thread's loop: one DEALER socket at a time (a new one after each reconnect), heartbeats
/// both ways, and the handler tasks of the requests it holds.
final class WorkerSession: @unchecked Sendable {
    // @unchecked Sendable: created on the caller's thread, then used only by the worker thread, except
    // `tasks`, which is behind a lock because handler tasks finish on other threads.
    let worker: DepartmentWorker
    let context: Context
    let handler: DepartmentWorker.Handler
    private let tasks = Locked([String: Task<Void, Never>]())

    init(worker: DepartmentWorker, context: Context, handler: @escaping DepartmentWorker.Handler) {
        self.worker = worker
        self.context = context
        self.handler = handler
    }

    private var interval: Int64 { worker.options.heartbeatInterval.milliseconds }

    func run(mailbox: Mailbox<DepartmentWorker.WorkerCommand>) throws {
        var reconnectDelay = worker.options.reconnectDelay.milliseconds
        while true {
            let socket = try connect()
            defer { socket?.close() }
            switch try socket.map({ try serve(socket: $0, mailbox: mailbox) }) ?? .connectionLost {
            case .stopped:
                return
            case .brokerSaidGoodbye, .connectionLost:
                reconnectDelay = worker.options.reconnectDelay.milliseconds
            case .brokerSilent:
                break
            }
            cancelAll()
            worker.logger.info("reconnecting to the broker", metadata: ["delay.ms": "\(reconnectDelay)"])
            // Wait out the backoff, but stay responsive to stop().
            if waitForStop(mailbox: mailbox, milliseconds: reconnectDelay) { return }
            reconnectDelay = min(reconnectDelay * 2, worker.options.maxReconnectDelay.milliseconds)
        }
    }

    /// `connectionLost`: a pair's leader went away, or no daemon of the pair took READY yet (a takeover in
    /// progress): the backoff starts over, as a daemon is about to lead. `brokerSilent`: the broker fell silent.
    private enum SessionEnd { case stopped, brokerSaidGoodbye, brokerSilent, connectionLost }

    /// A socket that has sent READY; nil if no daemon of a pair took it in time (it is closed then).
    private func connect() throws -> Socket? {
        let socket = try context.socket(.dealer)
        try socket.setLinger(milliseconds: 500)
        try worker.options.curve?.apply(to: socket)
        try BrokerEndpoints.connect(socket, to: worker.endpoint)
        if BrokerEndpoints.isPair(worker.endpoint) {
            // READY waits for a connection to the daemon that leads; none within the silence limit (a failover
            // in progress) ends this session, and the next one tries again.
            try socket.setSendTimeout(milliseconds: Int32(clamping: interval * Int64(worker.options.liveness)))
        }
        let ready = ReadyInfo(departments: worker.departments, credit: worker.credit, name: worker.name)
        do {
            try socket.send(frames: WorkerMessage.ready(info: JSONCoding.encode(ready)).encode())
        } catch let error as ZMQError where error.isWouldBlock {
            socket.close()
            return nil
        }
        return socket
    }

    private func serve(socket: Socket, mailbox: Mailbox<DepartmentWorker.WorkerCommand>) throws -> SessionEnd {
        var poller = Poller()
        poller.add(socket)
        poller.add(fileDescriptor: mailbox.fileDescriptor)
        // A pair: the leader's connection breaking (it died, or stopped) ends the session at once, rather than
        // after the heartbeat silence limit, so the worker registers with the new leader as soon as it binds.
        let lost = BrokerEndpoints.isPair(worker.endpoint) ? try watchDisconnects(socket) : nil
        defer {
            socket.stopMonitor()
            lost?.close()
        }
        if let lost { poller.add(lost) }
        var lastHeard = Timestamp.now()
        var nextHeartbeat = Timestamp(milliseconds: lastHeard.rawValue + interval)
        let silenceLimit = interval * Int64(worker.options.liveness)
        while true {
            let wait = max(0, nextHeartbeat.rawValue - Timestamp.now().rawValue)
            let readable = try poller.poll(timeoutMilliseconds: Int(wait))
            if readable[0] {
                while let message = try socket.receive(dontWait: true) {
                    lastHeard = Timestamp.now()
                    if let end = try handle(message.frames, socket: socket, mailbox: mailbox) { return end }
                }
            }
            if readable[1] {
                for command in mailbox.drain() {
                    switch command {
                    case let .outcome(ticket, outcome):
                        guard tasks.withLock({ $0.removeValue(forKey: ticket) }) != nil else { continue }
                        try send(socket, outcome.message(ticket: ticket))
                    case let .update(ticket, body):
                        try send(socket, .update(ticket: ticket, body: body))
                    case let .needsInfo(ticket, question):
                        try send(socket, .needsInfo(ticket: ticket, question: question))
                    case .stop:
                        try? socket.send(frames: WorkerMessage.disconnect.encode(), dontWait: true)
                        cancelAll()
                        return .stopped
                    }
                }
            }
            if let lost, readable.count > 2, readable[2] {
                while let event = try lost.receive(dontWait: true) {
                    if Socket.monitorEvent(event.frames) == .disconnected {
                        worker.logger.notice("the connection to the broker was lost; registering again")
                        return .connectionLost
                    }
                }
            }
            let now = Timestamp.now()
            if now.rawValue - lastHeard.rawValue > silenceLimit {
                worker.logger.warning("the broker is silent", metadata: ["silence.ms": "\(now.rawValue - lastHeard.rawValue)"])
                return .brokerSilent
            }
            if now >= nextHeartbeat {
                try send(socket, .heartbeat)
                nextHeartbeat = Timestamp(milliseconds: now.rawValue + interval)
            }
        }
    }

    /// A PAIR socket that receives `socket`'s broken connections.
    private func watchDisconnects(_ socket: Socket) throws -> Socket {
        let address = "inproc://switchboard-worker-monitor-\(UUID().uuidString)"
        try socket.monitor(address, events: .disconnected)
        let monitor = try context.socket(.pair)
        try monitor.setLinger(milliseconds: 0)
        try monitor.connect(address)
        return monitor
    }

    /// Handles one message from the broker; returns how the session ends, if it does.
    private func handle(_ frames: [[UInt8]], socket: Socket, mailbox: Mailbox<DepartmentWorker.WorkerCommand>)
        throws -> SessionEnd?
    {
        guard frames.first == Signature.workerBytes else {
            worker.logger.warning("ignored a message without the SWBW01 signature")
            return nil
        }
        let message: WorkerMessage
        do {
            message = try WorkerMessage.decode(
                frames.dropFirst(), direction: .fromBroker, limits: ProtocolLimits(maxBodyBytes: Int.max))
        } catch {
            worker.logger.warning("ignored a malformed message from the broker", metadata: ["error": "\(error)"])
            return nil
        }
        switch message {
        case let .dispatch(ticket, department, priority, attempt, body):
            try send(socket, .accept(ticket: ticket))
            let item = WorkItem(ticket: ticket, department: department, priority: priority, attempt: attempt, body: body)
            start(item, mailbox: mailbox)
        case .cancel(let ticket):
            tasks.withLock { $0.removeValue(forKey: ticket) }?.cancel()
        case let .info(ticket, body):
            worker.infoWaiters.withLock { $0.removeValue(forKey: ticket) }?.resume(returning: body)
        case .disconnect:
            worker.logger.info("the broker asked this worker to reconnect")
            return .brokerSaidGoodbye
        case let .error(reference, status, detail):
            let text = (try? JSONCoding.decode(ErrorDetail.self, from: detail))?.message ?? "status \(status.rawValue)"
            if reference == "READY" && status.isClientError {
                throw WorkerRegistrationError(status: status, message: text)
            }
            worker.logger.warning("the broker refused a command", metadata: ["reference": "\(reference)", "error": "\(text)"])
        case .heartbeat, .ready, .accept, .answer, .update, .transfer, .reject, .needsInfo, .release:
            break
        }
        return nil
    }

    private func start(_ item: WorkItem, mailbox: Mailbox<DepartmentWorker.WorkerCommand>) {
        let handler = self.handler
        tasks.withLock { tasks in
            tasks[item.ticket] = Task {
                let outcome = await handler(item)
                if !Task.isCancelled { mailbox.post(.outcome(ticket: item.ticket, outcome)) }
            }
        }
    }

    private func cancelAll() {
        for task in tasks.withLock({ tasks in defer { tasks.removeAll() }; return Array(tasks.values) }) {
            task.cancel()
        }
    }

    private func waitForStop(mailbox: Mailbox<DepartmentWorker.WorkerCommand>, milliseconds: Int64) -> Bool {
        var poller = Poller()
        poller.add(fileDescriptor: mailbox.fileDescriptor)
        let deadline = Timestamp.now().rawValue + milliseconds
        while Timestamp.now().rawValue < deadline {
            guard (try? poller.poll(timeoutMilliseconds: Int(deadline - Timestamp.now().rawValue)))?.first == true else {
                continue
            }
            if mailbox.drain().contains(where: { if case .stop = $0 { true } else { false } }) { return true }
        }
        return false
    }

    private func send(_ socket: Socket, _ message: WorkerMessage) throws {
        do {
            try socket.send(frames: message.encode(), dontWait: true)
        } catch let error as ZMQError where error.isWouldBlock {
            worker.logger.warning("dropped a message to the broker: its queue is full", metadata: ["command": "\(message.command)"])
        }
    }
}

extension WorkOutcome {
    func message(ticket: String) -> WorkerMessage {
        switch self {
        case .answer(let body): .answer(ticket: ticket, body: body)
        case .reject(let reason): .reject(ticket: ticket, reason: reason)
        case let .transfer(department, reason): .transfer(ticket: ticket, department: department, reason: reason)
        case .release(let reason): .release(ticket: ticket, reason: reason)
        }
    }
}
