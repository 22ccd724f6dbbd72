import SwitchboardSchema

extension BrokerCore {
    /// An agent submits a request. Replies ACCEPTED (or ERROR) and dispatches it if a worker is free.
    public mutating func submit(
        from agent: Peer, requestID: String, department: String, priority: Priority, body: [UInt8], now: Timestamp,
        owner: String? = nil, via: String? = nil
    ) -> [CoreAction] {
        let requestKey = RequestIDKey(requestID)
        if let ticket = ticketsByRequestID[requestKey] {
            if let index = requests.slot(of: ticket) {
                // The same request id again: the same ticket, never a second request.
                if !requests[slot: index].state.isFinal { requests[slot: index].agent = agent }
                emit(.sendToAgent(agent, .accepted(requestID: requestID, ticket: ticket, status: .ok)))
                let request = requests[slot: index]
                if request.state == .answered, let answer = request.answer {
                    emit(.sendToAgent(agent, .answer(ticket: ticket, body: answer)))
                }
            } else {
                // Finished long enough ago to have left memory: the same ticket, which STATUS reads from the ledger.
                emit(.sendToAgent(agent, .accepted(requestID: requestID, ticket: ticket, status: .ok)))
            }
            return takeActions()
        }
        guard !draining else {
            emit(.sendToAgent(agent, .error(
                reference: requestID, status: .unavailable,
                detail: errorDetail(.unavailable, "unavailable",
                    "the broker is shutting down and takes no new requests; submit again once it is back",
                    requestID: requestID))))
            return takeActions()
        }
        // Only the policy is read here: a copy of the whole department state would make the queue insert
        // below copy the queue (copy-on-write), an O(n) cost per submission.
        guard let departmentSlot = departments.slot(of: department), !departments[slot: departmentSlot].retired else {
            emit(.sendToAgent(agent, .error(
                reference: requestID, status: .notFound,
                detail: errorDetail(.notFound, "unknown-department",
                    "department '\(department)' is not known; known departments: "
                        + departmentNames.joined(separator: ", "), requestID: requestID))))
            return takeActions()
        }
        guard openRequests < configuration.maxOpenRequests else {
            emit(.sendToAgent(agent, .error(
                reference: requestID, status: .tooManyRequests,
                detail: errorDetail(.tooManyRequests, "too-many-open-requests",
                    "the broker holds \(openRequests) open requests, its limit; retry later", requestID: requestID))))
            return takeActions()
        }
        let ticket = tickets.next(at: now)
        nextSequence += 1
        requests.insert(RequestRecord(
            ticket: ticket, requestID: requestID, department: department, departmentSlot: departmentSlot,
            priority: priority, state: .queued, owner: owner, via: via, agent: agent, body: body, submittedAt: now, updatedAt: now,
            deadline: now + departments[slot: departmentSlot].limits.answerTarget(for: priority), sequence: nextSequence),
            for: ticket)
        ticketsByRequestID.insert(ticket, for: requestKey)
        openRequests += 1
        startSLA(ticket: ticket, now: now)
        let slot = requests.slot(of: ticket)!
        departments[slot: departmentSlot].queue.push(RequestQueue.Entry(requests[slot: slot]))
        emit(.record(.submitted(Change.Submission(
            facts: requests[slot: slot].facts(at: now, sla: true), body: body,
            submitter: owner.map { .principal($0) } ?? .connection(agent.id), deadline: requests[slot: slot].deadline))))
        // Draining workers take nothing new: a department served only by them is served by nobody.
        let status: StatusCode = isServed(departmentSlot: departmentSlot) ? .created : .acceptedNoWorker
        emit(.sendToAgent(agent, .accepted(requestID: requestID, ticket: ticket, status: status)))
        dispatch(departmentSlot: departmentSlot, now: now)
        return takeActions()
    }

    /// An agent asks for a ticket's status. An open ticket's answer will be pushed to this agent.
    /// `reattach: false` (someone other than the submitter asks, such as ops) leaves the pushes where they go.
    public mutating func status(from agent: Peer, ticket: Ticket, now: Timestamp, reattach: Bool = true) -> [CoreAction] {
        guard let request = requests[ticket] else {
            emit(configuration.ledgerBacked ? .lookUp(.status(agent: agent, ticket: ticket)) : .sendToAgent(agent, unknownTicket(ticket)))
            return takeActions()
        }
        if reattach && !request.state.isFinal { requests.update(ticket) { $0.agent = agent } }
        emit(.sendToAgent(agent, statusReply(request, now: now)))
        return takeActions()
    }

    /// An agent cancels a ticket. The worker holding it is told to stop.
    public mutating func cancel(from agent: Peer, ticket: Ticket, now: Timestamp) -> [CoreAction] {
        guard let request = requests[ticket] else {
            emit(configuration.ledgerBacked ? .lookUp(.cancel(agent: agent, ticket: ticket)) : .sendToAgent(agent, unknownTicket(ticket)))
            return takeActions()
        }
        guard !request.state.isFinal else {
            emit(.sendToAgent(agent, .error(
                reference: ticket.text, status: .conflict,
                detail: errorDetail(.conflict, "already-final",
                    "ticket \(ticket) is already \(request.state.rawValue); it cannot be cancelled", ticket: ticket))))
            return takeActions()
        }
        cancelOpen(ticket: ticket, reason: "cancelled by the agent", now: now, replyingTo: agent)
        return takeActions()
    }

    /// Cancels an open request: recorded, `replyingTo` gets its STATUS, and the worker holding it is told to
    /// stop (and may take other work).
    mutating func cancelOpen(ticket: Ticket, reason: String, now: Timestamp, replyingTo agent: Peer? = nil) {
        let holder = requests.read(ticket) { $0.holder } ?? nil
        finish(ticket: ticket, state: .cancelled, reason: reason, now: now)
        emit(.record(.cancelled(facts(of: ticket, now: now, sla: true), reason: reason)))
        if let agent { emit(.sendToAgent(agent, statusReply(of: ticket, now: now))) }
        if let holder {
            emit(.sendToWorker(holder, .cancel(ticket: ticket)))
            fill(workerID: holder.id, now: now)
        }
    }

    // MARK: Replies

    func statusReply(_ request: RequestRecord, now: Timestamp) -> AgentReply {
        .status(ticket: request.ticket, info: JSONCoding.encode(status(of: request, now: now)), answer: request.answer)
    }

    func status(of request: RequestRecord, now: Timestamp) -> RequestStatus {
        // A finished request keeps its last holder (for duplicate answers), but nobody holds it any more.
        let worker = request.state.isFinal ? nil : request.holder.flatMap { holder in workers.read(holder.id) { $0.name } }
        return RequestStatus(
            ticket: request.ticket.text, requestID: request.requestID, department: request.department,
            priority: request.priority, state: request.state, attempts: request.attempts,
            worker: worker, reason: request.reason,
            updates: request.updates, submittedAt: request.submittedAt.iso8601,
            updatedAt: request.updatedAt.iso8601, deadline: request.deadline.iso8601,
            answeredAt: request.answeredAt?.iso8601, failure: request.failure?.rawValue,
            clocks: request.sla?.status(at: now))
    }

    func unknownTicket(_ ticket: Ticket) -> AgentReply {
        .error(
            reference: ticket.text, status: .notFound,
            detail: errorDetail(.notFound, "unknown-ticket", "ticket \(ticket) is not known", ticket: ticket))
    }

    func errorDetail(
        _ status: StatusCode, _ error: String, _ message: String, ticket: Ticket? = nil, requestID: String? = nil
    ) -> [UInt8] {
        JSONCoding.encode(ErrorDetail(
            status: status, error: error, message: message, ticket: ticket?.text, requestID: requestID))
    }

    /// What a change says about a request Core holds, as it stands.
    func facts(of ticket: Ticket, now: Timestamp, sla: Bool = false, worker: String? = nil) -> Change.RequestFacts {
        requests[slot: requests.slot(of: ticket)!].facts(at: now, sla: sla, worker: worker)
    }

    func statusReply(of ticket: Ticket, now: Timestamp) -> AgentReply {
        statusReply(requests[slot: requests.slot(of: ticket)!], now: now)
    }

    /// Puts a request Core holds in its department's queue (as it stands: priority, deadline, generation).
    mutating func enqueue(_ ticket: Ticket) {
        let slot = requests.slot(of: ticket)!
        let departmentSlot = requests[slot: slot].departmentSlot
        departments[slot: departmentSlot].queue.push(RequestQueue.Entry(requests[slot: slot]))
    }


}

extension BrokerCore {
    /// The agent answers a worker's question: the clocks resume, the request is worked on again, and the
    /// reply goes to the worker holding it. The agent gets the STATUS afterwards.
    public mutating func provideInfo(from agent: Peer, ticket: Ticket, body: [UInt8], now: Timestamp) -> [CoreAction] {
        guard let request = requests[ticket], request.state == .waitingOnAgent else {
            if !requests.contains(ticket) && configuration.ledgerBacked {
                emit(.lookUp(.info(agent: agent, ticket: ticket)))
                return takeActions()
            }
            let message = !requests.contains(ticket)
                ? unknownTicket(ticket)
                : AgentReply.error(
                    reference: ticket.text, status: .conflict,
                    detail: errorDetail(.conflict, "not-waiting",
                        "ticket \(ticket) is not waiting for information from the agent", ticket: ticket))
            emit(.sendToAgent(agent, message))
            return takeActions()
        }
        requests.update(ticket) { $0.state = .accepted }
        requests.update(ticket) { $0.updatedAt = now }
        requests.update(ticket) { $0.agent = agent }
        resumeSLA(ticket: ticket, now: now)
        emit(.record(.infoReceived(facts(of: ticket, now: now, sla: true), info: body)))
        if let holder = request.holder {
            emit(.sendToWorker(holder, .info(ticket: ticket, body: body)))
        }
        emit(.sendToAgent(agent, statusReply(of: ticket, now: now)))
        return takeActions()
    }
}
