import SwitchboardSchema

extension BrokerCore {
    /// A worker registers (READY). Unknown departments refuse the whole registration.
    public mutating func ready(from peer: Peer, info: ReadyInfo, now: Timestamp) -> [CoreAction] {
        if workers.contains(peer.id) {
            emit(.sendToWorker(peer, workerError(
                "READY", .conflict, "already-registered",
                "this connection is already registered; send DISCONNECT before a new READY")))
            return takeActions()
        }
        let unknown = info.departments.filter { !departments.contains($0) }
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
            peer: peer, name: name, departments: departmentsServed,
            departmentSlots: departmentsServed.map { departments.slot(of: $0)! }, credit: info.credit, lastSeen: now,
            joinedAt: now)
        for department in departmentsServed {
            departments.update(department) { $0.workers.append(peer.id) }
        }
        registrations += 1
        workers.update(peer.id) { $0.registration = registrations }
        workers.update(peer.id) { $0.timeout = configuration.workerTimeout }
        schedule(.workerExpiry(id: peer.id, registration: registrations), at: now + configuration.workerTimeout)
        emit(.record(.workerJoined(Change.WorkerFacts(
            name: name, departments: departmentsServed, credit: info.credit, at: now))))
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
        if workers.contains(peer.id) {
            removeWorker(id: peer.id, lost: false, reason: "worker disconnected", now: now)
        }
        return takeActions()
    }

    /// The worker confirms it took an offered request: its first response.
    public mutating func accept(from peer: Peer, ticket: Ticket, now: Timestamp) -> [CoreAction] {
        let known = touch(peer, now: now)
        guard let slot = requests.slot(of: ticket), requests[slot: slot].holder == peer,
            !requests[slot: slot].state.isFinal
        else {
            if requests.read(ticket) { $0.state.isFinal } != true {
                emit(.sendToWorker(peer, notYours("ACCEPT", ticket)))
            }
            return finishWorkerMessage(peer, known: known)
        }
        if requests[slot: slot].state == .offered {
            requests[slot: slot].state = .accepted
            requests[slot: slot].updatedAt = now
            let first = firstResponse(ticket: ticket, now: now)
            let slot = requests.slot(of: ticket)!
            emit(.record(.accepted(
                requests[slot: slot].facts(at: now, sla: true),
                Change.Response(first: first, submittedAt: requests[slot: slot].submittedAt))))
        }
        return finishWorkerMessage(peer, known: known)
    }

    /// The final answer. The first answer wins; later ones are recorded and never delivered.
    public mutating func answer(from peer: Peer, ticket: Ticket, body: [UInt8], now: Timestamp) -> [CoreAction] {
        let known = touch(peer, now: now)
        guard let found = requests.slot(of: ticket) else {
            emit(.sendToWorker(peer, workerError(ticket.text, .notFound, "unknown-ticket", "ticket \(ticket) is not known")))
            return finishWorkerMessage(peer, known: known)
        }
        let holder = requests[slot: found].holder
        // A worker that never held the ticket gets 409, also once the ticket is finished: its "answer" is
        // neither delivered nor stored as a duplicate.
        guard holder == peer || requests[slot: found].pastHolders.contains(peer) else {
            emit(.sendToWorker(peer, notYours("ANSWER", ticket)))
            return finishWorkerMessage(peer, known: known)
        }
        let workerName = workers.slot(of: peer.id).map { workers[slot: $0].name }
        if requests[slot: found].state.isFinal {
            emit(.record(.duplicateAnswer(
                requests[slot: found].facts(at: now, worker: workerName ?? "\(peer)"),
                reason: "request already \(requests[slot: found].state.rawValue)", body: body)))
            return finishWorkerMessage(peer, known: known)
        }
        let answeringWorker = workerName ?? (holder == peer ? requests[slot: found].holderName : nil)
        finish(ticket: ticket, state: .answered, reason: nil, now: now)
        // Finishing may have let older finished requests go: the slot is looked up again.
        let slot = requests.slot(of: ticket)!
        requests[slot: slot].answer = body
        requests[slot: slot].answeredAt = now
        emit(.record(.answered(Change.Answered(
            facts: requests[slot: slot].facts(at: now, sla: true, worker: answeringWorker), body: body,
            submittedAt: requests[slot: slot].submittedAt, fromEarlierHolder: holder != peer))))
        if let agent = requests[slot: slot].agent {
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
    public mutating func update(from peer: Peer, ticket: Ticket, body: [UInt8], now: Timestamp) -> [CoreAction] {
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
        emit(.record(.updated(
            facts(of: ticket, now: now, sla: true), Change.Response(first: first, submittedAt: request.submittedAt),
            body: body)))
        if let agent = request.agent {
            emit(.sendToAgent(agent, .update(ticket: ticket, body: body)))
        }
        return finishWorkerMessage(peer, known: known)
    }

    /// Sends the request to another department with the same ticket; its deadline carries over.
    public mutating func transfer(
        from peer: Peer, ticket: Ticket, to target: String, reason: String, now: Timestamp
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
                ticket.text, target == request.department ? .badRequest : .notFound,
                target == request.department ? "same-department" : "unknown-department", message)))
            // The worker has let go of the request; it goes back to its own queue (the attempt counts, so a bot
            // that keeps transferring to a wrong department ends in the dead letters, not in a loop).
            requeue(ticket: ticket, reason: "transfer refused: \(message)", now: now)
            fill(workerID: peer.id, now: now)
            return finishWorkerMessage(peer, known: known)
        }
        let worker = workers.read(peer.id) { $0.name }
        move(ticket: ticket, to: target, reason: reason, now: now) { facts, from in
            facts.worker = worker
            return .transferred(facts, from: from, reason: reason)
        }
        return finishWorkerMessage(peer, known: known)
    }

    /// Moves an open request to another department's queue, same ticket: whoever held it lets go (a holder
    /// other than the one asking is told to stop), the attempts start again, and the SLA clocks carry over or
    /// restart per the receiving department. Records the change `describe` makes of the request's facts and the
    /// department it left (a transfer, or an escalation), and dispatches.
    mutating func move(
        ticket: Ticket, to target: String, reason: String, cancelHolder: Bool = false, now: Timestamp,
        describe: (inout Change.RequestFacts, _ from: String) -> Change
    ) {
        guard var request = requests[ticket] else { return }
        let from = request.department
        let holder = request.holder
        if let holder {
            workers.update(holder.id) { $0.inFlight.remove(ticket) }
            if cancelHolder { emit(.sendToWorker(holder, .cancel(ticket: ticket))) }
        }
        if request.state == .queued { departments.update(from) { $0.queue.forget() } }
        if request.state == .waitingOnAgent { resumeSLA(ticket: ticket, now: now) }
        request.sla = requests[ticket]!.sla
        request.department = target
        request.departmentSlot = departments.slot(of: target)!
        request.state = .queued
        request.holder = nil
        request.holderName = nil
        request.pastHolders = []
        request.attempts = 0
        request.reason = reason
        request.updatedAt = now
        request.queueGeneration &+= 1
        requests[ticket] = request
        transferSLA(ticket: ticket, to: target, now: now)
        enqueue(ticket)
        var moved = facts(of: ticket, now: now, sla: true)
        emit(.record(describe(&moved, from)))
        dispatch(departmentSlot: request.departmentSlot, now: now)
        if let holder { fill(workerID: holder.id, now: now) }
    }

    /// The department refuses the request: it is dead-lettered and the agent told why (422).
    public mutating func reject(from peer: Peer, ticket: Ticket, reason: String, now: Timestamp) -> [CoreAction] {
        let known = touch(peer, now: now)
        guard let request = requests[ticket], !request.state.isFinal, request.holder == peer else {
            emit(.sendToWorker(peer, notYours("REJECT", ticket)))
            return finishWorkerMessage(peer, known: known)
        }
        deadLetter(ticket: ticket, reason: "rejected by \(request.department): \(reason)", status: .rejected, now: now)
        fill(workerID: peer.id, now: now)
        return finishWorkerMessage(peer, known: known)
    }

    /// The worker gives the request back without an answer (RELEASE: its work failed or timed out): it goes
    /// back to its queue, the attempt counted, offered to another worker first if there is one.
    public mutating func release(from peer: Peer, ticket: Ticket, reason: String, now: Timestamp) -> [CoreAction] {
        let known = touch(peer, now: now)
        guard let request = requests[ticket], !request.state.isFinal, request.holder == peer else {
            emit(.sendToWorker(peer, notYours("RELEASE", ticket)))
            return finishWorkerMessage(peer, known: known)
        }
        let name = workers.slot(of: peer.id).map { workers[slot: $0].name } ?? "the worker"
        requeue(ticket: ticket, reason: "given back by \(name): \(reason)", avoiding: peer.id, now: now)
        fill(workerID: peer.id, now: now)
        return finishWorkerMessage(peer, known: known)
    }

    /// The worker meant to finish a request but sent something the broker could not take (an answer over
    /// the size limit, a malformed transfer): it goes back to its queue, the attempt counted.
    public mutating func abandon(from peer: Peer, ticket: Ticket, reason: String, now: Timestamp) -> [CoreAction] {
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
        guard let index = workers.slot(of: peer.id) else { return false }
        workers[slot: index].lastSeen = now
        return true
    }

    /// An unregistered worker (lost, or from before a restart) is told to reconnect and send READY.
    mutating func finishWorkerMessage(_ peer: Peer, known: Bool) -> [CoreAction] {
        if !known { emit(.sendToWorker(peer, .disconnect)) }
        return takeActions()
    }

    mutating func removeWorker(id: PeerID, lost: Bool, reason: String, now: Timestamp) {
        guard let worker = workers.remove(id) else { return }
        for department in worker.departments {
            departments.update(department) { $0.workers.removeAll { $0 == id } }
        }
        let facts = Change.WorkerFacts(
            name: worker.name, departments: worker.departments, credit: worker.credit, reason: reason, at: now)
        emit(.record(lost ? .workerLost(facts) : .workerLeft(facts)))
        // Oldest first, so requeued requests keep their order.
        let held = worker.inFlight.sorted { (requests[$0]?.sequence ?? 0) < (requests[$1]?.sequence ?? 0) }
        for ticket in held {
            requeue(ticket: ticket, reason: "\(worker.name): \(reason)", now: now)
        }
    }

    func notYours(_ command: String, _ ticket: Ticket) -> WorkerOrder {
        let known = requests.contains(ticket)
        return workerError(
            ticket.text, known ? .conflict : .notFound, known ? "not-held" : "unknown-ticket",
            known ? "\(command) for ticket \(ticket), which this worker does not hold (or it is finished)"
                : "\(command) for unknown ticket \(ticket)")
    }

    func workerError(_ reference: String, _ status: StatusCode, _ error: String, _ message: String) -> WorkerOrder {
        .error(reference: reference, status: status, detail: errorDetail(status, error, message))
    }
}

extension BrokerCore {
    /// The worker asks the agent for more information: the request waits on the agent (it stays with the
    /// worker) and its service-level clocks pause. It counts as the first response.
    public mutating func needsInfo(from peer: Peer, ticket: Ticket, question: [UInt8], now: Timestamp) -> [CoreAction] {
        let known = touch(peer, now: now)
        guard let request = requests[ticket], !request.state.isFinal, request.holder == peer else {
            emit(.sendToWorker(peer, notYours("NEEDS_INFO", ticket)))
            return finishWorkerMessage(peer, known: known)
        }
        guard request.state != .waitingOnAgent else {
            emit(.sendToWorker(peer, workerError(
                ticket.text, .conflict, "already-waiting",
                "ticket \(ticket) already waits on the agent; wait for its INFO before asking again")))
            return finishWorkerMessage(peer, known: known)
        }
        let first = firstResponse(ticket: ticket, now: now)
        requests.update(ticket) { $0.state = .waitingOnAgent }
        requests.update(ticket) { $0.updatedAt = now }
        pauseSLA(ticket: ticket, now: now)
        emit(.record(.waitingOnAgent(
            facts(of: ticket, now: now, sla: true), Change.Response(first: first, submittedAt: request.submittedAt),
            question: question)))
        if let agent = request.agent {
            emit(.sendToAgent(agent, .question(ticket: ticket, body: question)))
        }
        return finishWorkerMessage(peer, known: known)
    }
}
