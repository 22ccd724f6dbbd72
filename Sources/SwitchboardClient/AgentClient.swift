import Foundation
import Logging
import Synchronization
import SwitchboardSchema
import ZeroMQ

/// The agent-side library: submit a request, get a ticket, await the answer, ask a ticket's status,
/// cancel. All calls are `async` and safe to make from any task; one background thread owns the socket.
/// A call whose task is cancelled stops waiting and throws `CancellationError`.
public final class AgentClient: Sendable {
    public let endpoint: String
    private let logger: Logger
    private let context: Context
    private let thread = SocketThread<Outgoing>(name: "sb-agent")
    private let waiters = Locked(AgentWaiters())
    let curve: CurveCredentials?
    /// How often a pending `answer` re-asks the broker, so a lost push (reconnect, broker restart) is recovered.
    public let pollInterval: Duration

    enum Outgoing: Sendable {
        case send(AgentMessage)
        case stop
    }

    /// Connects to the broker (the connection completes in the background; calls wait for it).
    /// `curve`: the keys for a broker that runs CURVE (nil for a plain, loopback broker).
    public init(
        endpoint: String, curve: CurveCredentials? = nil, pollInterval: Duration = .seconds(5), logger: Logger? = nil
    ) async throws {
        self.endpoint = endpoint
        self.curve = curve
        self.pollInterval = pollInterval
        self.logger = logger ?? Logger(label: "switchboard.agent", factory: { _ in SwiftLogNoOpLogHandler() })
        self.context = try Context()
        try await startThread()
    }

    deinit {
        thread.mailbox.post(.stop)
    }

    /// Closes the connection. Pending calls fail with ``SwitchboardClientError/closed``.
    public func close() async {
        thread.mailbox.post(.stop)
        try? await thread.join()
        let pending = waiters.withLock { $0.takeAll() }
        pending.fail(.closed)
        context.shutdown()
    }

    // MARK: Calls

    /// Submits a request and returns its ticket once the broker has accepted it.
    /// The same `requestID` submitted again returns the same ticket (status 200), never a second request.
    public func submit(
        department: String, body: [UInt8], priority: Priority = .normal, requestID: String = UUID().uuidString,
        timeout: Duration = .seconds(10)
    ) async throws -> Submission {
        // With a pair's endpoints, the submission is sent again every second until it is accepted: one sent
        // to a leader that died before it was durable is lost, and the same request id is one request anyway.
        let message = AgentMessage.submit(requestID: requestID, department: department, priority: priority, body: body)
        let resend = BrokerEndpoints.isPair(endpoint) ? repeating(message, every: .seconds(1)) : nil
        defer { resend?.cancel() }
        return try await wait(timeout: timeout, what: "ACCEPTED for request \(requestID)") { state, id, continuation in
            state.submits[requestID, default: []].append((id, continuation))
        } remove: { waiters, id in
            waiters.submits.removeWaiter(requestID, id)
        } send: {
            .submit(requestID: requestID, department: department, priority: priority, body: body)
        }
    }

    /// Waits for the answer to a ticket. Returns at once if it is already answered; throws
    /// ``SwitchboardClientError/requestFailed(ticket:status:reason:)`` if the request was rejected,
    /// dead-lettered or cancelled.
    public func answer(ticket: String, timeout: Duration = .seconds(30)) async throws -> [UInt8] {
        let poll = pollTask(ticket: ticket)
        defer { poll.cancel() }
        return try await wait(timeout: timeout, what: "the answer to \(ticket)") { state, id, continuation in
            state.answers[ticket, default: []].append((id, continuation))
        } remove: { waiters, id in
            waiters.answers.removeWaiter(ticket, id)
        } send: {
            // Ask once now: if it was answered while nobody listened, the STATUS reply carries the answer.
            .statusQuery(ticket: ticket)
        }
    }

    /// The ticket's status, with its answer if it has one.
    public func status(ticket: String, timeout: Duration = .seconds(10)) async throws -> TicketStatus {
        try await wait(timeout: timeout, what: "STATUS of \(ticket)") { state, id, continuation in
            state.statuses[ticket, default: []].append((id, continuation))
        } remove: { waiters, id in
            waiters.statuses.removeWaiter(ticket, id)
        } send: {
            .statusQuery(ticket: ticket)
        }
    }

    /// Cancels a ticket; returns its status afterwards (state `cancelled`).
    public func cancel(ticket: String, timeout: Duration = .seconds(10)) async throws -> TicketStatus {
        try await wait(timeout: timeout, what: "CANCEL of \(ticket)") { state, id, continuation in
            state.cancels[ticket, default: []].append((id, continuation))
        } remove: { waiters, id in
            waiters.cancels.removeWaiter(ticket, id)
        } send: {
            .cancel(ticket: ticket)
        }
    }

    /// The ticket's recorded history, oldest change first (from the broker's ledger).
    public func history(ticket: String, timeout: Duration = .seconds(10)) async throws -> RequestHistory {
        try await wait(timeout: timeout, what: "HISTORY of \(ticket)") { state, id, continuation in
            state.histories[ticket, default: []].append((id, continuation))
        } remove: { waiters, id in
            waiters.histories.removeWaiter(ticket, id)
        } send: {
            .historyQuery(ticket: ticket)
        }
    }

    /// Calls `handler` (on the client's socket thread: keep it quick) for every update and question pushed
    /// about tickets this client submitted or asked about.
    public func onPush(_ handler: @escaping @Sendable (AgentPush) -> Void) {
        waiters.withLock { $0.pushHandlers.append(handler) }
    }

    /// Answers a department's question about a ticket; returns the ticket's status afterwards (worked on
    /// again). Refused with 409 `not-waiting` if the ticket is not waiting on the agent.
    public func provideInfo(ticket: String, body: [UInt8], timeout: Duration = .seconds(10)) async throws -> TicketStatus {
        try await wait(timeout: timeout, what: "INFO for \(ticket)") { state, id, continuation in
            state.infos[ticket, default: []].append((id, continuation))
        } remove: { waiters, id in
            waiters.infos.removeWaiter(ticket, id)
        } send: {
            .info(ticket: ticket, body: body)
        }
    }

    /// Round trip to the broker: returns when it answers a HEARTBEAT.
    public func ping(timeout: Duration = .seconds(5)) async throws {
        try await wait(timeout: timeout, what: "HEARTBEAT reply") { state, id, continuation in
            state.pings.append((id, continuation))
        } remove: { waiters, id in
            guard let index = waiters.pings.firstIndex(where: { $0.0 == id }) else { return nil }
            return waiters.pings.remove(at: index).1
        } send: {
            .heartbeat
        }
    }

    // MARK: Plumbing

    private func wait<Value: Sendable>(
        timeout: Duration, what: String,
        register: @escaping @Sendable (inout AgentWaiters, UInt64, CheckedContinuation<Value, Error>) -> Void,
        remove: @escaping @Sendable (inout AgentWaiters, UInt64) -> CheckedContinuation<Value, Error>?,
        send: () -> AgentMessage
    ) async throws -> Value {
        let message = send()
        let waiters = self.waiters
        let id = waiters.withLock { $0.nextID() }
        // The timer starts once the waiter is registered, so even a zero timeout finds something to end.
        let timer = Locked<Task<Void, Never>?>(nil)
        defer { timer.withLock { $0?.cancel() } }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, Error>) in
                let refusal = waiters.withLock { state -> Error? in
                    if state.closed { return SwitchboardClientError.closed }
                    // Checked under the lock: a cancellation handler that ran before this found nothing to end.
                    if Task.isCancelled { return CancellationError() }
                    register(&state, id, continuation)
                    return nil
                }
                if let refusal {
                    continuation.resume(throwing: refusal)
                    return
                }
                timer.withLock {
                    $0 = Task {
                        try? await Task.sleep(for: timeout)
                        if Task.isCancelled { return }
                        waiters.withLock { remove(&$0, id) }?.resume(throwing: SwitchboardClientError.timeout(what))
                    }
                }
                if !thread.mailbox.post(.send(message)) {
                    waiters.withLock { remove(&$0, id) }?.resume(throwing: SwitchboardClientError.closed)
                }
            }
        } onCancel: {
            waiters.withLock { remove(&$0, id) }?.resume(throwing: CancellationError())
        }
    }

    private func repeating(_ message: AgentMessage, every interval: Duration) -> Task<Void, Never> {
        let mailbox = thread.mailbox
        return Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { return }
                mailbox.post(.send(message))
            }
        }
    }

    private func pollTask(ticket: String) -> Task<Void, Never> {
        let mailbox = thread.mailbox, interval = pollInterval
        return Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { return }
                mailbox.post(.send(.statusQuery(ticket: ticket)))
            }
        }
    }

    private func startThread() async throws {
        let endpoint = self.endpoint, context = self.context, mailbox = thread.mailbox
        let waiters = self.waiters, logger = self.logger, curve = self.curve
        try await thread.start { ready in
            let socket = try context.socket(.dealer)
            defer { socket.close() }
            try socket.setLinger(milliseconds: 0)
            try curve?.apply(to: socket)
            // A pair: the standby's endpoint is tried often, so the agent reaches a new leader soon after it binds.
            try socket.setReconnectInterval(milliseconds: 100, maxMilliseconds: BrokerEndpoints.isPair(endpoint) ? 500 : 2000)
            try BrokerEndpoints.connect(socket, to: endpoint)
            ready()
            var poller = Poller()
            poller.add(socket)
            poller.add(fileDescriptor: mailbox.fileDescriptor)
            while true {
                let readable = try poller.poll(timeoutMilliseconds: -1)
                if readable[0] {
                    while let message = try socket.receive(dontWait: true) {
                        AgentInbox.handle(message.frames, waiters: waiters, logger: logger)
                    }
                }
                if readable[1] {
                    for item in mailbox.drain() {
                        switch item {
                        case .send(let message):
                            do {
                                try socket.send(frames: message.encode(), dontWait: true)
                            } catch {
                                logger.warning("could not send to the broker", metadata: ["error": "\(error)"])
                            }
                        case .stop:
                            mailbox.close()
                            return
                        }
                    }
                }
            }
        }
    }
}
