import SwitchboardSchema

extension BrokerCore {
    /// Offers queued requests of a department to its workers while both exist. A worker in `avoiding` (one
    /// that just failed a request) gets work only when no other worker has room.
    mutating func dispatch(department: String, avoiding: [UInt8]? = nil, now: Timestamp) {
        guard !draining else { return }
        while let workerID = pickWorker(for: department, avoiding: avoiding) ?? pickWorker(for: department),
            let ticket = popFront(department: department)
        {
            offer(ticket: ticket, to: workerID, now: now)
        }
    }

    /// Gives a worker with free credit the best requests among its departments.
    mutating func fill(workerID: [UInt8], now: Timestamp) {
        guard !draining else { return }
        while let worker = workers[workerID], worker.usableCredit > 0 {
            var best: (department: String, entry: RequestQueue.Entry)?
            for department in worker.departments {
                guard let entry = front(department: department) else { continue }
                if best == nil || entry < best!.entry { best = (department, entry) }
            }
            guard let best else { return }
            departments[best.department]!.queue.removeFront()
            offer(ticket: best.entry.ticket, to: workerID, now: now)
        }
    }

    /// The least loaded worker of the department with free credit; among equals, the longest idle.
    func pickWorker(for department: String, avoiding: [UInt8]? = nil) -> [UInt8]? {
        var chosen: WorkerRecord?
        for id in departments[department]?.workers ?? [] where id != avoiding {
            guard let worker = workers[id], worker.usableCredit > 0 else { continue }
            if let current = chosen {
                let fewer = worker.inFlight.count < current.inFlight.count
                let sameButIdler = worker.inFlight.count == current.inFlight.count
                    && worker.lastAssigned < current.lastAssigned
                if fewer || sameButIdler { chosen = worker }
            } else {
                chosen = worker
            }
        }
        return chosen?.peer.id
    }

    mutating func front(department: String) -> RequestQueue.Entry? {
        let requests = self.requests
        return departments[department]?.queue.front { entry in
            guard let request = requests[entry.ticket] else { return false }
            return request.state == .queued && request.department == department
                && request.queueGeneration == entry.generation
        }
    }

    mutating func popFront(department: String) -> String? {
        guard let entry = front(department: department) else { return nil }
        departments[department]!.queue.removeFront()
        return entry.ticket
    }

    mutating func offer(ticket: String, to workerID: [UInt8], now: Timestamp) {
        guard var request = requests[ticket], var worker = workers[workerID] else { return }
        assignments += 1
        worker.inFlight.insert(ticket)
        worker.lastAssigned = assignments
        workers[workerID] = worker
        request.state = .offered
        request.holder = worker.peer
        request.attempts += 1
        request.updatedAt = now
        request.queueGeneration &+= 1
        requests[ticket] = request
        var offered = change(.requestOffered, request, now: now)
        // An offer changes no clock: the ledger keeps the snapshot it has (one JSON write fewer per request).
        offered.sla = nil
        emit(.record(offered))
        emit(.sendToWorker(worker.peer, .dispatch(
            ticket: ticket, department: request.department, priority: request.priority,
            attempt: request.attempts, body: request.body)))
        timers.schedule(
            .offerTimeout(ticket: ticket, offer: request.queueGeneration),
            at: now + policy(request.department).offerTimeout)
    }

    /// Puts an offered or accepted request back in its queue, or dead-letters it after the last attempt.
    /// Like ``finish(ticket:state:reason:now:)``, it releases the holder's credit itself.
    mutating func requeue(ticket: String, reason: String, avoiding: [UInt8]? = nil, now: Timestamp) {
        guard var request = requests[ticket], !request.state.isFinal else { return }
        if let holder = request.holder { workers[holder.id]?.inFlight.remove(ticket) }
        let maxAttempts = policy(request.department).maxAttempts
        if request.attempts >= maxAttempts {
            deadLetter(ticket: ticket, reason: "gave up after \(request.attempts) attempts; last: \(reason)", now: now)
            return
        }
        if let holder = request.holder, !request.pastHolders.contains(holder) {
            request.pastHolders.append(holder)
        }
        let wasWaiting = request.state == .waitingOnAgent
        request.holder = nil
        request.state = .queued
        request.reason = reason
        request.updatedAt = now
        request.queueGeneration &+= 1
        requests[ticket] = request
        departments[request.department]!.queue.push(request)
        // The worker that asked the agent is gone: nobody waits on the agent any more.
        if wasWaiting { resumeSLA(ticket: ticket, now: now) }
        emit(.record(change(.requestRequeued, requests[ticket]!, now: now)))
        dispatch(department: request.department, avoiding: avoiding, now: now)
    }

    /// Gives up on a request: it is recorded with the reason and the agent gets a 504 or 422 ERROR.
    mutating func deadLetter(ticket: String, reason: String, status: StatusCode = .deadLettered, now: Timestamp) {
        guard requests[ticket] != nil else { return }
        finish(ticket: ticket, state: .deadLettered, reason: reason, now: now)
        requests[ticket]!.failure = status == .rejected ? "rejected" : "max_attempts"
        let finished = requests[ticket]!
        emit(.record(change(.requestDeadLettered, finished, now: now)))
        if let agent = finished.agent {
            emit(.sendToAgent(agent, .error(
                reference: ticket, status: status,
                detail: errorDetail(status, status == .rejected ? "rejected" : "dead-lettered", reason, ticket: ticket,
                    requestID: finished.requestID))))
        }
    }

    /// Moves a request to a final state and releases the credit of whoever held it.
    mutating func finish(ticket: String, state: RequestState, reason: String?, now: Timestamp) {
        guard var request = requests[ticket], !request.state.isFinal else { return }
        if let holder = request.holder { workers[holder.id]?.inFlight.remove(ticket) }
        // Its queue entry goes stale; the queue must stop counting it (cancel, or a late answer from an
        // earlier holder while the request waits to be offered again).
        if request.state == .queued { departments[request.department]?.queue.forget() }
        request.state = state
        request.reason = reason
        request.updatedAt = now
        request.queueGeneration &+= 1
        request.body = []
        requests[ticket] = request
        stopSLA(ticket: ticket, answered: state == .answered, now: now)
        openRequests -= 1
        finished.append(ticket)
        finishedIndex.append(FinishedEntry(finishedAt: now, requestID: request.requestID, ticket: ticket))
        // At least the request just finished stays: the caller still reads it (retainedFinishedRequests 0).
        // Its request id stays in the idempotency index for the whole retention, see pruneIndex(now:).
        let retained = max(1, configuration.retainedFinishedRequests)
        while finished.count > retained, let oldest = finished.popFirst() {
            // An operator may have requeued a dead letter since: only a request still finished leaves memory.
            if requests[oldest]?.state.isFinal == true { requests.removeValue(forKey: oldest) }
        }
    }

    /// Forgets request ids whose requests finished longer than the retention ago.
    mutating func pruneIndex(now: Timestamp) {
        while let oldest = finishedIndex.first, oldest.finishedAt + configuration.retention <= now {
            finishedIndex.removeFirst()
            // A request an operator requeued since it finished is open again: its request id still holds.
            let reopened = requests[oldest.ticket].map { !$0.state.isFinal } ?? false
            if ticketsByRequestID[oldest.requestID] == oldest.ticket && !reopened {
                ticketsByRequestID.removeValue(forKey: oldest.requestID)
            }
            if let request = requests[oldest.ticket], request.state.isFinal {
                requests.removeValue(forKey: oldest.ticket)
            }
        }
    }
}
