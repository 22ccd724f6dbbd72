import Logging
import Synchronization
import SwitchboardSchema
import ZeroMQ

/// Matches what the broker sends an agent to the calls waiting for it. Runs on the client's socket thread.
enum AgentInbox {
    static func handle(_ frames: [[UInt8]], waiters: Locked<AgentWaiters>, logger: Logger) {
        var content = frames[...]
        if content.first?.isEmpty == true { content = content.dropFirst() }
        guard let signature = content.first, signature == Signature.agentBytes else {
            logger.warning("ignored a message without the SWBA01 signature", metadata: ["frames": "\(frames.count)"])
            return
        }
        let message: AgentMessage
        do {
            message = try AgentMessage.decode(content.dropFirst(), direction: .fromBroker, limits: ProtocolLimits(maxBodyBytes: Int.max))
        } catch {
            logger.warning("ignored a malformed message from the broker", metadata: ["error": "\(error)"])
            return
        }
        switch message {
        case let .accepted(requestID, ticket, status):
            let submission = Submission(ticket: ticket, requestID: requestID, status: status)
            waiters.withLock { $0.submits.takeWaiters(requestID) }.forEach { $0.resume(returning: submission) }
        case let .answer(ticket, body):
            waiters.withLock { $0.answers.takeWaiters(ticket) }.forEach { $0.resume(returning: body) }
        case let .update(ticket, body):
            for handler in waiters.withLock({ $0.pushHandlers }) { handler(.update(ticket: ticket, body: body)) }
        case let .question(ticket, body):
            for handler in waiters.withLock({ $0.pushHandlers }) { handler(.question(ticket: ticket, body: body)) }
        case let .status(ticket, infoBytes, answer):
            guard let info = try? JSONCoding.decode(RequestStatus.self, from: infoBytes) else {
                let error = SwitchboardClientError.protocolViolation("STATUS for \(ticket) has an unreadable body")
                waiters.withLock { $0.statuses.popWaiter(ticket) ?? $0.cancels.popWaiter(ticket) }?
                    .resume(throwing: error)
                return
            }
            let (status, answerWaiters) = waiters.withLock { state in
                // Only a STATUS saying `cancelled` can be the reply to a CANCEL; any other is the reply to a
                // STATUS query (from status() or from answer()'s polling) and must not end a cancel() call.
                let waiter = info.state == .cancelled
                    ? state.cancels.popWaiter(ticket) ?? state.statuses.popWaiter(ticket)
                    : info.state != .waitingOnAgent && state.infos[ticket] != nil
                    ? state.infos.popWaiter(ticket)
                    : state.statuses.popWaiter(ticket)
                return (waiter, info.state.isFinal ? state.answers.takeWaiters(ticket) : [])
            }
            status?.resume(returning: TicketStatus(info: info, answer: answer))
            for waiter in answerWaiters {
                if info.state == .answered, let answer {
                    waiter.resume(returning: answer)
                } else {
                    let code: StatusCode = info.state == .cancelled ? .gone
                        : info.isRejection ? .rejected : .deadLettered
                    waiter.resume(throwing: SwitchboardClientError.requestFailed(
                        ticket: ticket, status: code, reason: info.reason ?? info.state.rawValue))
                }
            }
        case let .error(reference, status, detail):
            handleError(reference: reference, status: status, detail: detail, waiters: waiters, logger: logger)
        case .heartbeat:
            waiters.withLock { state in state.pings.isEmpty ? nil : state.pings.removeFirst().1 }?.resume()
        case let .history(ticket, infoBytes):
            let waiter = waiters.withLock { $0.histories.popWaiter(ticket) }
            if let history = try? JSONCoding.decode(RequestHistory.self, from: infoBytes) {
                waiter?.resume(returning: history)
            } else {
                waiter?.resume(throwing: SwitchboardClientError.protocolViolation("HISTORY for \(ticket) has an unreadable body"))
            }
        case .submit, .statusQuery, .cancel, .historyQuery, .info:
            break
        }
    }

    private static func handleError(
        reference: String, status: StatusCode, detail: [UInt8], waiters: Locked<AgentWaiters>, logger: Logger
    ) {
        let error = SwitchboardClientError.from(status, detail: detail)
        // A request's final failure (rejected, dead-lettered) is the outcome its answer waiters get.
        if status == .rejected || status == .deadLettered {
            let reason: String
            if case let .refused(_, _, message) = error { reason = message } else { reason = "\(error)" }
            let failure = SwitchboardClientError.requestFailed(ticket: reference, status: status, reason: reason)
            waiters.withLock { $0.answers.takeWaiters(reference) }.forEach { $0.resume(throwing: failure) }
            return
        }
        let (submits, status, history, answers) = waiters.withLock { state in
            let submits = state.submits.takeWaiters(reference)
            // 409 (already-final) answers only CANCEL; other errors answer STATUS first.
            let statusWaiter: CheckedContinuation<TicketStatus, Error>? =
                !submits.isEmpty ? nil
                : status == .conflict
                    ? state.infos.popWaiter(reference) ?? state.cancels.popWaiter(reference)
                        ?? state.statuses.popWaiter(reference)
                : state.statuses.popWaiter(reference) ?? state.cancels.popWaiter(reference)
                    ?? state.infos.popWaiter(reference)
            let historyWaiter = submits.isEmpty && statusWaiter == nil ? state.histories.popWaiter(reference) : nil
            // An unknown ticket will never be answered either.
            let answers = status == .notFound && submits.isEmpty ? state.answers.takeWaiters(reference) : []
            return (submits, statusWaiter, historyWaiter, answers)
        }
        if submits.isEmpty && status == nil && history == nil && answers.isEmpty {
            logger.warning("error from the broker", metadata: ["reference": "\(reference)", "error": "\(error)"])
        }
        submits.forEach { $0.resume(throwing: error) }
        status?.resume(throwing: error)
        history?.resume(throwing: error)
        answers.forEach { $0.resume(throwing: error) }
    }
}

extension RequestStatus {
    /// Whether the department refused the request (REJECT), as opposed to the broker giving up on it.
    var isRejection: Bool {
        state == .deadLettered && failure == "rejected"
    }
}
