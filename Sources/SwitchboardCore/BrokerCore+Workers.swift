import SwitchboardSchema

extension BrokerCore {
    /// A worker registers (READY). Unknown departments refuse the whole registration.
    public mutating func ready(from peer: Peer, info: ReadyInfo, now: Timestamp) -> [CoreAction] {
        if workers[peer.id] != nil {
            emit(.sendToWorker(peer, workerError(
                "READY", .conflict, "already-registered",
                "this connection is already registered; send DISCONNECT before a new READY")))
            return takeActions()
        }
        let unknown = info.departments.filter { departments[$0] == nil }
        guard unknown.isEmpty else {
            emit(.sendToWorker(peer, workerError(
                "READY", .notFound, "unknown-department",
                "unknown department(s): \(unknown.joined(separator: ", ")); known: "
                    + departmentNames.joined(separator: ", "))))
            return takeActions()
        }
        let departmentsServed = Array(Set(info.departments)).sorted()
        let name = info.name ?? "worker-\(peer)"
        workers[peer.id] = WorkerRecord(
            peer: peer, name: name, departments: departmentsServed, credit: info.credit, lastSeen: now, joinedAt: now)
        for department in departmentsServed {
            departments[department]!.workers.append(peer.id)
        }
        registrations += 1
        workers[peer.id]!.registration = registrations
        workers[peer.id]!.timeout = configuration.workerTimeout
        timers.schedule(.workerExpiry(id: peer.id, registration: registrations), at: now + configuration.workerTimeout)
        var change = Change(type: .workerJoined, at: now)
        change.worker = name
        change.departments = departmentsServed
        change.credit = info.credit
        emit(.record(change))
        fill(workerID: peer.id, now: now)
        return takeActions()
    }

    /// Any message from a worker proves it alive. Unknown workers are told to register again.
    public mutating func heartbeat(from peer: Peer, now: Timestamp) -> [CoreAction] {
        if !touch(peer, now: now) {
            emit(.sendToWorker(peer, .disconnect))
        }
        return takeActions()
    }

    /// The worker leaves: what it held goes back to the queues.
    public mutating func disconnect(from peer: Peer, now: Timestamp) -> [CoreAction] {
        if workers[peer.id] != nil {
            removeWorker(id: peer.id, event: .workerLeft, reason: "worker disconnected", now: now)
        }
        return takeActions()
    }

    /// The worker confirms it took an offered request: its first response.
    public mutating func accept(from peer: Peer, ticket: String, now: Timestamp) -> [CoreAction] {
        let known = touch(peer, now: now)
        guard let request = requests[ticket], request.holder == peer, !request.state.isFinal else {
            if requests[ticket]?.state.isFinal != true {
                emit(.sendToWorker(peer, notYours("ACCEPT", ticket)))
            }
            return finishWorkerMessage(peer, known: known)
        }
        if request.state == .offered {
            requests[ticket]!.state = .accepted
            requests[ticket]!.updatedAt = now
            let first = firstResponse(ticket: ticket, now: now)
            var change = change(.requestAccepted, requests[ticket]!, now: now)
            change.firstResponse = first
            emit(.record(change))
        }
        return finishWorkerMessage(peer, known: known)
    }

    /// The final answer. The first answer wins; later ones are recorded and never delivered.
    public mutating func answer(from peer: Peer, ticket: String, body: [UInt8], now: Timestamp) -> [CoreAction] {
        let known = touch(peer, now: now)
        guard let request = requests[ticket] else {
            emit(.sendToWorker(peer, workerError(ticket, .notFound, "unknown-ticket", "ticket \(ticket) is not known")))
            return finishWorkerMessage(peer, known: known)
        }
        // A worker that never held the ticket gets 409, also once the ticket is finished: its "answer" is
        // neither delivered nor stored as a duplicate.
        guard request.holder == peer || request.pastHolders.contains(peer) else {
            emit(.sendToWorker(peer, notYours("ANSWER", ticket)))
            return finishWorkerMessage(peer, known: known)
        }
        if request.state.isFinal {
            var change = change(.requestDuplicateAnswer, request, now: now)
            change.worker = workers[peer.id]?.name ?? "\(peer)"
            change.reason = "request already \(request.state.rawValue)"
            change.body = body
            emit(.record(change))
            return finishWorkerMessage(peer, known: known)
        }
        let holder = request.holder
        let answeringWorker = workers[peer.id]?.name
        finish(ticket: ticket, state: .answered, reason: nil, now: now)
        requests[ticket]!.answer = body
        requests[ticket]!.answeredAt = now
        let answered = requests[ticket]!
        var change = change(.requestAnswered, answered, now: now)
        change.worker = answeringWorker
        change.body = body
        emit(.record(change))
        if let agent = answered.agent {
            emit(.sendToAgent(agent, .answer(ticket: ticket, body: body)))
        }
        if let holder, holder != peer {
            // A late answer from an earlier holder won: the current holder can stop.
            emit(.sendToWorker(holder, .cancel(ticket: ticket)))
            fill(workerID: holder.id, now: now)
        }
        fill(workerID: peer.id, now: now)
        return finishWorkerMessage(peer, known: known)
    }

    /// An interim update for the agent; it counts as the first response.
    public mutating func update(from peer: Peer, ticket: String, body: [UInt8], now: Timestamp) -> [CoreAction] {
        let known = touch(peer, now: now)
        guard var request = requests[ticket], !request.state.isFinal, request.holder == peer else {
            emit(.sendToWorker(peer, notYours("UPDATE", ticket)))
            return finishWorkerMessage(peer, known: known)
        }
        if request.state == .offered { request.state = .accepted }
        request.updates += 1
        request.updatedAt = now
        requests[ticket] = request
        let first = updateReceived(ticket: ticket, now: now)
        var change = change(.requestUpdated, request, now: now)
        change.firstResponse = first
        change.body = body
        emit(.record(change))
        if let agent = request.agent {
            emit(.sendToAgent(agent, .update(ticket: ticket, body: body)))
        }
        return finishWorkerMessage(peer, known: known)
    }

    /// Sends the request to another department with the same ticket; its deadline carries over.
    public mutating func transfer(
        from peer: Peer, ticket: String, to target: String, reason: String, now: Timestamp
    ) -> [CoreAction] {
        let known = touch(peer, now: now)
        guard let request = requests[ticket], !request.state.isFinal, request.holder == peer else {
            emit(.sendToWorker(peer, notYours("TRANSFER", ticket)))
            return finishWorkerMessage(peer, known: known)
        }
        guard takesRequests(target), target != request.department else {
            let message = target == request.department
                ? "ticket \(ticket) is already in \(target)"
                : "department '\(target)' is not known; known: " + departmentNames.joined(separator: ", ")
            emit(.sendToWorker(peer, workerError(
                ticket, target == request.department ? .badRequest : .notFound,
                target == request.department ? "same-department" : "unknown-department", message)))
            // The worker has let go of the request; it goes back to its own queue (the attempt counts, so a bot
            // that keeps transferring to a wrong department ends in the dead letters, not in a loop).
            requeue(ticket: ticket, reason: "transfer refused: \(message)", now: now)
            fill(workerID: peer.id, now: now)
            return finishWorkerMessage(peer, known: known)
        }
        let worker = workers[peer.id]?.name
        move(ticket: ticket, to: target, reason: reason, now: now) { change in
            change.worker = worker
        }
        return finishWorkerMessage(peer, known: known)
    }

    /// Moves an open request to another department's queue, same ticket: whoever held it lets go (a holder
    /// other than the one asking is told to stop), the attempts start again, and the SLA clocks carry over or
    /// restart per the receiving department. Records `event` (transferred, or escalated) and dispatches.
    mutating func move(
        ticket: String, to target: String, reason: String, event: EventType = .requestTransferred,
        cancelHolder: Bool = false, now: Timestamp, describe: (inout Change) -> Void = { _ in }
    ) {
        guard var request = requests[ticket] else { return }
        let from = request.department
        let holder = request.holder
        if let holder {
            workers[holder.id]?.inFlight.remove(ticket)
            if cancelHolder { emit(.sendToWorker(holder, .cancel(ticket: ticket))) }
        }
        if request.state == .queued { departments[from]!.queue.forget() }
        if request.state == .waitingOnAgent { resumeSLA(ticket: ticket, now: now) }
        request.sla = requests[ticket]!.sla
        request.department = target
        request.state = .queued
        request.holder = nil
        request.pastHolders = []
        request.attempts = 0
        request.reason = reason
        request.updatedAt = now
        request.queueGeneration &+= 1
        requests[ticket] = request
        transferSLA(ticket: ticket, to: target, now: now)
        departments[target]!.queue.push(requests[ticket]!)
        var change = change(event, requests[ticket]!, now: now)
        change.fromDepartment = from
        describe(&change)
        emit(.record(change))
        dispatch(department: target, now: now)
        if let holder { fill(workerID: holder.id, now: now) }
    }

    /// The department refuses the request: it is dead-lettered and the agent told why (422).
    public mutating func reject(from peer: Peer, ticket: String, reason: String, now: Timestamp) -> [CoreAction] {
        let known = touch(peer, now: now)
        guard let request = requests[ticket], !request.state.isFinal, request.holder == peer else {
            emit(.sendToWorker(peer, notYours("REJECT", ticket)))
            return finishWorkerMessage(peer, known: known)
        }
        deadLetter(ticket: ticket, reason: "rejected by \(request.department): \(reason)", status: .rejected, now: now)
        fill(workerID: peer.id, now: now)
        return finishWorkerMessage(peer, known: known)
    }

    /// The worker meant to finish a request but sent something the broker could not take (an answer over
    /// the size limit, a malformed transfer): it goes back to its queue, the attempt counted.
    public mutating func abandon(from peer: Peer, ticket: String, reason: String, now: Timestamp) -> [CoreAction] {
        let known = touch(peer, now: now)
        guard let request = requests[ticket], !request.state.isFinal, request.holder == peer else {
            return takeActions()
        }
        requeue(ticket: ticket, reason: "the worker's reply was refused: \(reason)", avoiding: peer.id, now: now)
        fill(workerID: peer.id, now: now)
        return finishWorkerMessage(peer, known: known)
    }

    // MARK: Helpers

    /// Marks the worker alive; false if it is not registered.
    mutating func touch(_ peer: Peer, now: Timestamp) -> Bool {
        guard workers[peer.id] != nil else { return false }
        workers[peer.id]!.lastSeen = now
        return true
    }

    /// An unregistered worker (lost, or from before a restart) is told to reconnect and send READY.
    mutating func finishWorkerMessage(_ peer: Peer, known: Bool) -> [CoreAction] {
        if !known { emit(.sendToWorker(peer, .disconnect)) }
        return takeActions()
    }

    mutating func removeWorker(id: [UInt8], event: EventType, reason: String, now: Timestamp) {
        guard let worker = workers.removeValue(forKey: id) else { return }
        for department in worker.departments {
            departments[department]!.workers.removeAll { $0 == id }
        }
        var change = Change(type: event, at: now)
        change.worker = worker.name
        change.departments = worker.departments
        change.credit = worker.credit
        change.reason = reason
        emit(.record(change))
        // Oldest first, so requeued requests keep their order.
        let held = worker.inFlight.sorted { (requests[$0]?.sequence ?? 0) < (requests[$1]?.sequence ?? 0) }
        for ticket in held {
            requeue(ticket: ticket, reason: "\(worker.name): \(reason)", now: now)
        }
    }

    func notYours(_ command: String, _ ticket: String) -> WorkerMessage {
        let known = requests[ticket] != nil
        return workerError(
            ticket, known ? .conflict : .notFound, known ? "not-held" : "unknown-ticket",
            known ? "\(command) for ticket \(ticket), which this worker does not hold (or it is finished)"
                : "\(command) for unknown ticket \(ticket)")
    }

    func workerError(_ reference: String, _ status: StatusCode, _ error: String, _ message: String) -> WorkerMessage {
        .error(reference: reference, status: status, detail: errorDetail(status, error, message))
    }
}

extension BrokerCore {
    /// The worker asks the agent for more information: the request waits on the agent (it stays with the
    /// worker) and its service-level clocks pause. It counts as the first response.
    public mutating func needsInfo(from peer: Peer, ticket: String, question: [UInt8], now: Timestamp) -> [CoreAction] {
        let known = touch(peer, now: now)
        guard let request = requests[ticket], !request.state.isFinal, request.holder == peer else {
            emit(.sendToWorker(peer, notYours("NEEDS_INFO", ticket)))
            return finishWorkerMessage(peer, known: known)
        }
        guard request.state != .waitingOnAgent else {
            emit(.sendToWorker(peer, workerError(
                ticket, .conflict, "already-waiting",
                "ticket \(ticket) already waits on the agent; wait for its INFO before asking again")))
            return finishWorkerMessage(peer, known: known)
        }
        let first = firstResponse(ticket: ticket, now: now)
        requests[ticket]!.state = .waitingOnAgent
        requests[ticket]!.updatedAt = now
        pauseSLA(ticket: ticket, now: now)
        var change = change(.requestWaitingOnAgent, requests[ticket]!, now: now)
        change.firstResponse = first
        change.body = question
        emit(.record(change))
        if let agent = request.agent {
            emit(.sendToAgent(agent, .question(ticket: ticket, body: question)))
        }
        return finishWorkerMessage(peer, known: known)
    }
}
