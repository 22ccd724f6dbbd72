import SwitchboardSchema

extension BrokerCore {
    /// An agent submits a request. Replies ACCEPTED (or ERROR) and dispatches it if a worker is free.
    public mutating func submit(
        from agent: Peer, requestID: String, department: String, priority: Priority, body: [UInt8], now: Timestamp,
        owner: String? = nil
    ) -> [CoreAction] {
        if let ticket = ticketsByRequestID[requestID], var request = requests[ticket] {
            // The same request id again: the same ticket, never a second request.
            if !request.state.isFinal { request.agent = agent }
            requests[ticket] = request
            emit(.sendToAgent(agent, .accepted(requestID: requestID, ticket: ticket, status: .ok)))
            if request.state == .answered, let answer = request.answer {
                emit(.sendToAgent(agent, .answer(ticket: ticket, body: answer)))
            }
            return takeActions()
        }
        if let ticket = ticketsByRequestID[requestID] {
            // Finished long enough ago to have left memory: the same ticket, which STATUS reads from the ledger.
            emit(.sendToAgent(agent, .accepted(requestID: requestID, ticket: ticket, status: .ok)))
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
        guard takesRequests(department), let policy = departments[department]?.policy else {
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
        let request = RequestRecord(
            ticket: ticket, requestID: requestID, department: department, priority: priority, state: .queued,
            owner: owner, agent: agent, body: body, submittedAt: now, updatedAt: now,
            deadline: now + policy.answerTarget(for: priority), sequence: nextSequence)
        requests[ticket] = request
        ticketsByRequestID[requestID] = ticket
        openRequests += 1
        startSLA(ticket: ticket, now: now)
        departments[department]!.queue.push(requests[ticket]!)

        var change = change(.requestSubmitted, requests[ticket]!, now: now)
        change.body = body
        change.deadline = requests[ticket]!.deadline
        change.submitter = owner ?? agent.description
        emit(.record(change))
        // Draining workers take nothing new: a department served only by them is served by nobody.
        let status: StatusCode = isServed(department) ? .created : .acceptedNoWorker
        emit(.sendToAgent(agent, .accepted(requestID: requestID, ticket: ticket, status: status)))
        dispatch(department: department, now: now)
        return takeActions()
    }

    /// An agent asks for a ticket's status. An open ticket's answer will be pushed to this agent.
    /// `reattach: false` (someone other than the submitter asks, such as ops) leaves the pushes where they go.
    public mutating func status(from agent: Peer, ticket: String, now: Timestamp, reattach: Bool = true) -> [CoreAction] {
        guard let request = requests[ticket] else {
            emit(configuration.ledgerBacked ? .lookUp(.status(agent: agent, ticket: ticket)) : .sendToAgent(agent, unknownTicket(ticket)))
            return takeActions()
        }
        if reattach && !request.state.isFinal { requests[ticket]!.agent = agent }
        emit(.sendToAgent(agent, statusReply(request, now: now)))
        return takeActions()
    }

    /// An agent cancels a ticket. The worker holding it is told to stop.
    public mutating func cancel(from agent: Peer, ticket: String, now: Timestamp) -> [CoreAction] {
        guard let request = requests[ticket] else {
            emit(configuration.ledgerBacked ? .lookUp(.cancel(agent: agent, ticket: ticket)) : .sendToAgent(agent, unknownTicket(ticket)))
            return takeActions()
        }
        guard !request.state.isFinal else {
            emit(.sendToAgent(agent, .error(
                reference: ticket, status: .conflict,
                detail: errorDetail(.conflict, "already-final",
                    "ticket \(ticket) is already \(request.state.rawValue); it cannot be cancelled", ticket: ticket))))
            return takeActions()
        }
        cancelOpen(ticket: ticket, reason: "cancelled by the agent", now: now, replyingTo: agent)
        return takeActions()
    }

    /// Cancels an open request: recorded, `replyingTo` gets its STATUS, and the worker holding it is told to
    /// stop (and may take other work).
    mutating func cancelOpen(ticket: String, reason: String, now: Timestamp, replyingTo agent: Peer? = nil) {
        let holder = requests[ticket]?.holder
        finish(ticket: ticket, state: .cancelled, reason: reason, now: now)
        emit(.record(change(.requestCancelled, requests[ticket]!, now: now)))
        if let agent { emit(.sendToAgent(agent, statusReply(requests[ticket]!, now: now))) }
        if let holder {
            emit(.sendToWorker(holder, .cancel(ticket: ticket)))
            fill(workerID: holder.id, now: now)
        }
    }

    // MARK: Replies

    func statusReply(_ request: RequestRecord, now: Timestamp) -> AgentMessage {
        .status(ticket: request.ticket, info: JSONCoding.encode(status(of: request, now: now)), answer: request.answer)
    }

    func status(of request: RequestRecord, now: Timestamp) -> RequestStatus {
        // A finished request keeps its last holder (for duplicate answers), but nobody holds it any more.
        let worker = request.state.isFinal ? nil : request.holder.flatMap { workers[$0.id]?.name }
        return RequestStatus(
            ticket: request.ticket, requestID: request.requestID, department: request.department,
            priority: request.priority, state: request.state, attempts: request.attempts,
            worker: worker, reason: request.reason,
            updates: request.updates, submittedAt: request.submittedAt.iso8601,
            updatedAt: request.updatedAt.iso8601, deadline: request.deadline.iso8601,
            answeredAt: request.answeredAt?.iso8601, failure: request.failure, clocks: request.sla?.status(at: now))
    }

    func unknownTicket(_ ticket: String) -> AgentMessage {
        .error(
            reference: ticket, status: .notFound,
            detail: errorDetail(.notFound, "unknown-ticket", "ticket \(ticket) is not known", ticket: ticket))
    }

    func errorDetail(
        _ status: StatusCode, _ error: String, _ message: String, ticket: String? = nil, requestID: String? = nil
    ) -> [UInt8] {
        JSONCoding.encode(ErrorDetail(status: status, error: error, message: message, ticket: ticket, requestID: requestID))
    }

    func change(_ type: EventType, _ request: RequestRecord, now: Timestamp) -> Change {
        var change = Change(type: type, at: now)
        change.ticket = request.ticket
        change.requestID = request.requestID
        change.department = request.department
        change.priority = request.priority
        change.state = request.state
        change.attempt = request.attempts
        change.worker = request.holder.flatMap { workers[$0.id]?.name }
        change.reason = request.reason
        change.failure = request.failure
        change.sla = request.sla.map(SLAState.init)
        change.submittedAt = request.submittedAt
        return change
    }
}

extension BrokerCore {
    /// The agent answers a worker's question: the clocks resume, the request is worked on again, and the
    /// reply goes to the worker holding it. The agent gets the STATUS afterwards.
    public mutating func provideInfo(from agent: Peer, ticket: String, body: [UInt8], now: Timestamp) -> [CoreAction] {
        guard let request = requests[ticket], request.state == .waitingOnAgent else {
            if requests[ticket] == nil && configuration.ledgerBacked {
                emit(.lookUp(.info(agent: agent, ticket: ticket)))
                return takeActions()
            }
            let message = requests[ticket] == nil
                ? unknownTicket(ticket)
                : AgentMessage.error(
                    reference: ticket, status: .conflict,
                    detail: errorDetail(.conflict, "not-waiting",
                        "ticket \(ticket) is not waiting for information from the agent", ticket: ticket))
            emit(.sendToAgent(agent, message))
            return takeActions()
        }
        requests[ticket]!.state = .accepted
        requests[ticket]!.updatedAt = now
        requests[ticket]!.agent = agent
        resumeSLA(ticket: ticket, now: now)
        var change = change(.requestInfoReceived, requests[ticket]!, now: now)
        change.body = body
        emit(.record(change))
        if let holder = request.holder {
            emit(.sendToWorker(holder, .info(ticket: ticket, body: body)))
        }
        emit(.sendToAgent(agent, statusReply(requests[ticket]!, now: now)))
        return takeActions()
    }
}
