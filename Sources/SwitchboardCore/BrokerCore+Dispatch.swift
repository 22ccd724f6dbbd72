import SwitchboardSchema

extension BrokerCore {
    /// Offers queued requests of a department to its workers while both exist. A worker in `avoiding` (one
    /// that just failed a request) gets work only when no other worker has room.
    mutating func dispatch(department: String, avoiding: PeerID? = nil, now: Timestamp) {
        guard let slot = departments.slot(of: department) else { return }
        dispatch(departmentSlot: slot, avoiding: avoiding, now: now)
    }

    mutating func dispatch(departmentSlot: Int, avoiding: PeerID? = nil, now: Timestamp) {
        guard !draining else { return }
        while let workerID = pickWorker(departmentSlot: departmentSlot, avoiding: avoiding)
            ?? pickWorker(departmentSlot: departmentSlot),
            let ticket = popFront(departmentSlot: departmentSlot)
        {
            offer(ticket: ticket, to: workerID, now: now)
        }
    }

    /// Gives a worker with free credit the best requests among its departments.
    mutating func fill(workerID: PeerID, now: Timestamp) {
        guard !draining else { return }
        while let index = workers.slot(of: workerID), workers[slot: index].usableCredit > 0 {
            var best: (departmentSlot: Int, entry: RequestQueue.Entry)?
            for departmentSlot in workers[slot: index].departmentSlots {
                guard let entry = front(departmentSlot: departmentSlot) else { continue }
                if best == nil || entry < best!.entry { best = (departmentSlot, entry) }
            }
            guard let best else { return }
            departments[slot: best.departmentSlot].queue.removeFront()
            offer(ticket: best.entry.ticket, to: workerID, now: now)
        }
    }

    /// The least loaded worker of the department with free credit; among equals, the longest idle.
    func pickWorker(for department: String, avoiding: PeerID? = nil) -> PeerID? {
        departments.slot(of: department).flatMap { pickWorker(departmentSlot: $0, avoiding: avoiding) }
    }

    func pickWorker(departmentSlot: Int, avoiding: PeerID? = nil) -> PeerID? {
        var chosen: (id: PeerID, load: Int, lastAssigned: UInt64)?
        for id in departments[slot: departmentSlot].workers where id != avoiding {
            guard let index = workers.slot(of: id), workers[slot: index].usableCredit > 0 else { continue }
            let load = workers[slot: index].inFlight.count, lastAssigned = workers[slot: index].lastAssigned
            if let current = chosen, !(load < current.load || (load == current.load && lastAssigned < current.lastAssigned)) {
                continue
            }
            chosen = (id, load, lastAssigned)
        }
        return chosen?.id
    }

    mutating func front(department: String) -> RequestQueue.Entry? {
        departments.slot(of: department).flatMap { front(departmentSlot: $0) }
    }

    mutating func front(departmentSlot: Int) -> RequestQueue.Entry? {
        // A second reference to the requests, not a copy: nothing changes them while the queue is read.
        let requests = self.requests
        return departments[slot: departmentSlot].queue.front { entry in
            guard let slot = requests.slot(of: entry.ticket) else { return false }
            return requests[slot: slot].state == .queued && requests[slot: slot].queueGeneration == entry.generation
                && requests[slot: slot].departmentSlot == departmentSlot
        }
    }

    mutating func popFront(departmentSlot: Int) -> Ticket? {
        guard let entry = front(departmentSlot: departmentSlot) else { return nil }
        departments[slot: departmentSlot].queue.removeFront()
        return entry.ticket
    }

    mutating func offer(ticket: Ticket, to workerID: PeerID, now: Timestamp) {
        guard let slot = requests.slot(of: ticket), let workerIndex = workers.slot(of: workerID) else { return }
        assignments += 1
        workers[slot: workerIndex].inFlight.insert(ticket)
        workers[slot: workerIndex].lastAssigned = assignments
        let peer = workers[slot: workerIndex].peer
        requests[slot: slot].state = .offered
        requests[slot: slot].holder = peer
        requests[slot: slot].holderName = workers[slot: workerIndex].name
        requests[slot: slot].attempts += 1
        requests[slot: slot].updatedAt = now
        requests[slot: slot].queueGeneration &+= 1
        // An offer changes no clock: the ledger keeps the snapshot it has.
        emit(.record(.offered(requests[slot: slot].facts(at: now))))
        emit(.sendToWorker(peer, .dispatch(
            ticket: ticket, department: requests[slot: slot].department, priority: requests[slot: slot].priority,
            attempt: requests[slot: slot].attempts, body: requests[slot: slot].body)))
        // Read here, not through a helper of Core's: calling one from this mutating method would copy Core.
        let timeout = departments[slot: requests[slot: slot].departmentSlot].limits.offerTimeout
        let generation = requests[slot: slot].queueGeneration
        schedule(.offerTimeout(ticket: ticket, offer: generation), at: now + timeout)
    }

    /// Puts an offered or accepted request back in its queue, or dead-letters it after the last attempt.
    /// Like ``finish(ticket:state:reason:now:)``, it releases the holder's credit itself.
    mutating func requeue(ticket: Ticket, reason: String, avoiding: PeerID? = nil, now: Timestamp) {
        guard var request = requests[ticket], !request.state.isFinal else { return }
        if let holder = request.holder { workers.update(holder.id) { $0.inFlight.remove(ticket) } }
        let maxAttempts = departments[slot: request.departmentSlot].limits.maxAttempts
        if request.attempts >= maxAttempts {
            deadLetter(ticket: ticket, reason: "gave up after \(request.attempts) attempts; last: \(reason)", now: now)
            return
        }
        if let holder = request.holder, !request.pastHolders.contains(holder) {
            request.pastHolders.append(holder)
        }
        let wasWaiting = request.state == .waitingOnAgent
        request.holder = nil
        request.holderName = nil
        request.state = .queued
        request.reason = reason
        request.updatedAt = now
        request.queueGeneration &+= 1
        requests[ticket] = request
        departments[slot: request.departmentSlot].queue.push(RequestQueue.Entry(request))
        // The worker that asked the agent is gone: nobody waits on the agent any more.
        if wasWaiting { resumeSLA(ticket: ticket, now: now) }
        emit(.record(.requeued(facts(of: ticket, now: now, sla: wasWaiting), reason: reason, deadline: nil)))
        dispatch(departmentSlot: request.departmentSlot, avoiding: avoiding, now: now)
    }

    /// Gives up on a request: it is recorded with the reason and the agent gets a 504 or 422 ERROR.
    mutating func deadLetter(ticket: Ticket, reason: String, status: StatusCode = .deadLettered, now: Timestamp) {
        deadLetter(
            ticket: ticket, reason: reason, failure: status == .rejected ? .rejected : .maxAttempts, status: status,
            now: now)
    }

    mutating func deadLetter(ticket: Ticket, reason: String, failure: Change.Failure, status: StatusCode, now: Timestamp) {
        guard requests.contains(ticket) else { return }
        finish(ticket: ticket, state: .deadLettered, reason: reason, now: now)
        requests.update(ticket) { $0.failure = failure }
        let finished = requests[ticket]!
        emit(.record(.deadLettered(finished.facts(at: now, sla: true), reason: reason, failure: failure)))
        if let agent = finished.agent, failure != .noDepartment {
            emit(.sendToAgent(agent, .error(
                reference: ticket.text, status: status,
                detail: errorDetail(status, status == .rejected ? "rejected" : "dead-lettered", reason, ticket: ticket,
                    requestID: finished.requestID))))
        }
    }

    /// Moves a request to a final state and releases the credit of whoever held it.
    mutating func finish(ticket: Ticket, state: RequestState, reason: String?, now: Timestamp) {
        guard let index = requests.slot(of: ticket), !requests[slot: index].state.isFinal else { return }
        if let holder = requests[slot: index].holder, let worker = workers.slot(of: holder.id) {
            workers[slot: worker].inFlight.remove(ticket)
        }
        // Its queue entry goes stale; the queue must stop counting it (cancel, or a late answer from an
        // earlier holder while the request waits to be offered again).
        if requests[slot: index].state == .queued, requests[slot: index].departmentSlot >= 0 {
            departments[slot: requests[slot: index].departmentSlot].queue.forget()
        }
        requests[slot: index].state = state
        requests[slot: index].reason = reason
        requests[slot: index].updatedAt = now
        requests[slot: index].queueGeneration &+= 1
        requests[slot: index].body = []
        let requestID = requests[slot: index].requestID
        stopSLA(ticket: ticket, answered: state == .answered, now: now)
        openRequests -= 1
        finished.append(ticket)
        finishedIndex.append(FinishedEntry(finishedAt: now, requestID: requestID, ticket: ticket))
        // At least the request just finished stays: the caller still reads it (retainedFinishedRequests 0).
        // Its request id stays in the idempotency index for the whole retention, see pruneIndex(now:).
        let retained = max(1, configuration.retainedFinishedRequests)
        while finished.count > retained, let oldest = finished.popFirst() {
            // An operator may have requeued a dead letter since: only a request still finished leaves memory.
            if requests.read(oldest) { $0.state.isFinal } == true { requests.remove(oldest) }
        }
    }

    /// Forgets request ids whose requests finished longer than the retention ago.
    mutating func pruneIndex(now: Timestamp) {
        while let oldest = finishedIndex.first, oldest.finishedAt + configuration.retention <= now {
            finishedIndex.removeFirst()
            // A request an operator requeued since it finished is open again: its request id still holds.
            let reopened = requests[oldest.ticket].map { !$0.state.isFinal } ?? false
            let key = RequestIDKey(oldest.requestID)
            if ticketsByRequestID[key] == oldest.ticket && !reopened {
                ticketsByRequestID.remove(key)
            }
            if let request = requests[oldest.ticket], request.state.isFinal {
                requests.remove(oldest.ticket)
            }
        }
    }
}
