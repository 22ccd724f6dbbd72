import SwitchboardSchema

/// What operations staff see and do (the HTTP API and the ops CLI), computed from Core's state at `now`.
/// Reads are one pass over the requests Core holds: cheap enough for a dashboard refreshing every second
/// with 100,000 open requests, and never on the path of a message.
extension BrokerCore {
    // MARK: Reads

    /// Every configured department with its queue, ages, SLA risk and workers (compliance is the ledger's
    /// to fill in: it spans restarts).
    public func departmentSummaries(now: Timestamp) -> [DepartmentSummary] {
        liveCounts(now: now).departments
    }

    /// The departments, and the oldest open request's age in seconds by department and priority (for the
    /// metrics), in one pass over the requests.
    public func liveCounts(now: Timestamp) -> (departments: [DepartmentSummary], oldestAges: [String: [Priority: Double]]) {
        var summaries = Dictionary(uniqueKeysWithValues: departments.allKeys.map { ($0, DepartmentSummary(name: $0)) })
        var oldest: [String: (at: Timestamp, ticket: Ticket)] = [:]
        var oldestByPriority: [String: [Priority: Timestamp]] = [:]
        for request in requests.allValues where !request.state.isFinal {
            guard var summary = summaries[request.department] else { continue }
            summary.pending += 1
            switch request.state {
            case .queued: summary.queued += 1
            case .offered: summary.offered += 1
            case .accepted: summary.accepted += 1
            case .waitingOnAgent: summary.waitingOnAgent += 1
            case .answered, .cancelled, .deadLettered: break
            }
            switch request.sla?.level ?? .none {
            case .warning: summary.atRisk += 1
            case .breached: summary.breached += 1
            case .none, .ok: break
            }
            summaries[request.department] = summary
            if (oldestByPriority[request.department]?[request.priority]).map({ $0 > request.submittedAt }) ?? true {
                oldestByPriority[request.department, default: [:]][request.priority] = request.submittedAt
            }
            if let current = oldest[request.department], current.at <= request.submittedAt { continue }
            oldest[request.department] = (request.submittedAt, request.ticket)
        }
        for worker in workers.allValues {
            for name in worker.departments {
                summaries[name]?.workers += 1
                summaries[name]?.credit += worker.credit
                summaries[name]?.freeCredit += worker.usableCredit
                if worker.draining { summaries[name]?.drainingWorkers += 1 }
            }
        }
        for (name, entry) in oldest {
            summaries[name]?.oldestPendingSeconds = (now - entry.at).seconds
            summaries[name]?.oldestPendingTicket = entry.ticket.text
        }
        // A department a reload removed is shown while it still has requests or workers.
        let shown = summaries.values.filter { summary in
            departments.read(summary.name, { $0.retired }) == false || summary.pending > 0 || summary.workers > 0
        }
        return (
            shown.sorted { $0.name < $1.name },
            oldestByPriority.mapValues { $0.mapValues { (now - $0).seconds } }
        )
    }

    /// Every connected worker, by name then id.
    public func workerSummaries(now: Timestamp) -> [WorkerSummary] {
        workers.allValues.map { worker in
            WorkerSummary(
                id: worker.peer.description, name: worker.name, departments: worker.departments,
                credit: worker.credit, freeCredit: worker.freeCredit, tickets: worker.inFlight.sorted().map(\.text),
                joinedAt: worker.joinedAt.iso8601, lastHeartbeat: worker.lastSeen.iso8601,
                lastHeartbeatSeconds: (now - worker.lastSeen).seconds, draining: worker.draining)
        }
        .sorted { ($0.name, $0.id) < ($1.name, $1.id) }
    }

    /// Open requests matching the filter, in its order, one page. Finished states are the ledger's: this
    /// lists only the open states the filter names.
    public func openRequests(_ filter: RequestFilter, now: Timestamp) -> RequestPage {
        let states = filter.effectiveStates.intersection(RequestFilter.openStates)
        // Only the sort keys are collected: a page of 50 out of 100,000 copies 50 records, not 100,000.
        var matching: [ListKey] = []
        for request in requests.allValues where states.contains(request.state) {
            if let department = filter.department, request.department != department { continue }
            if let priority = filter.priority, request.priority != priority { continue }
            if filter.breaching {
                let level = request.sla?.level ?? .none
                guard level == .warning || level == .breached else { continue }
            }
            matching.append(ListKey(deadline: request.deadline, sequence: request.sequence, ticket: request.ticket))
        }
        let (end, overflow) = filter.offset.addingReportingOverflow(filter.limit)
        let wanted = overflow ? Int.max : end
        let page: ArraySlice<ListKey>
        switch filter.order {
        case .newest:
            page = Self.first(wanted, of: matching) { $0.sequence > $1.sequence }.dropFirst(filter.offset)
        case .deadline:
            page = Self.first(wanted, of: matching) {
                ($0.deadline, $0.sequence) < ($1.deadline, $1.sequence)
            }.dropFirst(filter.offset)
        }
        return RequestPage(
            items: page.compactMap { key in requests[key.ticket].map { summary(of: $0, now: now) } },
            total: matching.count, offset: filter.offset, limit: filter.limit)
    }

    /// What a request list sorts by.
    struct ListKey {
        let deadline: Timestamp
        let sequence: UInt64
        let ticket: Ticket
    }

    /// The first `count` elements in `order`, without sorting them all: a page near the top of 100,000 open
    /// requests costs one pass, not a full sort, on the broker thread.
    static func first<T>(_ count: Int, of elements: [T], by order: (T, T) -> Bool) -> [T] {
        guard count < elements.count / 4 else { return Array(elements.sorted(by: order).prefix(count)) }
        var best: [T] = []
        best.reserveCapacity(count + 1)
        for element in elements {
            if best.count == count, let last = best.last, !order(element, last) { continue }
            var low = 0, high = best.count
            while low < high {
                let middle = (low + high) / 2
                if order(element, best[middle]) { high = middle } else { low = middle + 1 }
            }
            best.insert(element, at: low)
            if best.count > count { best.removeLast() }
        }
        return best
    }

    /// A request Core holds, as a list shows it; nil if Core does not hold it.
    public func requestSummary(ticket: Ticket, now: Timestamp) -> RequestSummary? {
        requests[ticket].map { summary(of: $0, now: now) }
    }

    /// A request Core holds, as STATUS reports it (clocks included), with its SLA level.
    public func requestStatus(ticket: Ticket, now: Timestamp) -> (status: RequestStatus, sla: SLALevel)? {
        guard let request = requests[ticket] else { return nil }
        return (status(of: request, now: now), request.sla?.level ?? .none)
    }

    func summary(of request: RequestRecord, now: Timestamp) -> RequestSummary {
        let open = !request.state.isFinal
        let worker = request.holder.flatMap { holder in workers.read(holder.id) { $0.name } }
        return RequestSummary(
            ticket: request.ticket.text, requestID: request.requestID, department: request.department,
            priority: request.priority, state: request.state, attempts: request.attempts, worker: worker,
            reason: request.reason, failure: request.failure?.rawValue, sla: request.sla?.level ?? .none,
            submittedAt: request.submittedAt.iso8601, updatedAt: request.updatedAt.iso8601,
            deadline: request.deadline.iso8601, ageSeconds: (now - request.submittedAt).seconds,
            dueInSeconds: open ? (request.deadline - now).seconds : nil)
    }

    // MARK: Actions

    /// Stops giving a worker new requests; it finishes what it holds. `worker` is its id (hex identity) or
    /// its name, if only one connected worker has that name.
    public mutating func drain(worker: String, now: Timestamp) -> (Result<WorkerSummary, ProtocolError>, [CoreAction]) {
        let matches = workers.allValues.filter { $0.peer.description == worker }
        let candidates = matches.isEmpty ? workers.allValues.filter { $0.name == worker } : matches
        guard let chosen = candidates.first else {
            return (.failure(ProtocolError(.notFound, "unknown-worker", "no connected worker has the id or name '\(worker)'")), [])
        }
        guard candidates.count == 1 else {
            let ids = candidates.map(\.peer.description).sorted().joined(separator: ", ")
            return (.failure(ProtocolError(
                .conflict, "ambiguous-worker", "\(candidates.count) workers are named '\(worker)'; give one id: \(ids)")), [])
        }
        if !chosen.draining {
            workers.update(chosen.peer.id) { $0.draining = true }
            emit(.record(.workerDraining(Change.WorkerFacts(
                name: chosen.name, departments: chosen.departments, credit: chosen.credit,
                reason: "drained by an operator", at: now))))
        }
        return (.success(workerSummaries(now: now).first { $0.id == chosen.peer.description }!), takeActions())
    }

    /// An operator cancels an open request: like an agent's CANCEL, and the agent waiting for it is told.
    public mutating func cancel(byOperator ticket: Ticket, now: Timestamp) -> (Result<RequestState, ProtocolError>, [CoreAction]) {
        guard let request = requests[ticket] else {
            return (.failure(ProtocolError(.notFound, "unknown-ticket", "ticket \(ticket) is not open")), takeActions())
        }
        guard !request.state.isFinal else {
            return (.failure(ProtocolError(
                .conflict, "already-final", "ticket \(ticket) is already \(request.state.rawValue); it cannot be cancelled")),
                takeActions())
        }
        cancelOpen(ticket: ticket, reason: "cancelled by an operator", now: now)
        if let agent = request.agent {
            emit(.sendToAgent(agent, statusReply(of: ticket, now: now)))
        }
        return (.success(.cancelled), takeActions())
    }

    /// An operator puts a dead-lettered request back in its queue, as the ledger holds it (with its body):
    /// attempts start over, and so do its service-level clocks under the department's current policy.
    public mutating func requeue(deadLetter stored: RecoveredRequest, now: Timestamp) -> (Result<RequestState, ProtocolError>, [CoreAction]) {
        if let current = requests[stored.ticket], current.state != .deadLettered {
            return (.failure(ProtocolError(
                .conflict, "not-dead-lettered",
                "ticket \(stored.ticket) is \(current.state.rawValue); only a dead-lettered request can be requeued")),
                takeActions())
        }
        guard stored.state == .deadLettered else {
            return (.failure(ProtocolError(
                .conflict, "not-dead-lettered",
                "ticket \(stored.ticket) is \(stored.state.rawValue); only a dead-lettered request can be requeued")),
                takeActions())
        }
        if !requests.contains(stored.ticket),
            finishedIndex.contains(where: { $0.ticket == stored.ticket && $0.finishedAt > stored.updatedAt })
        {
            // The ledger row read before this call is older than what happened since (requeued and finished
            // again): acting on it would reopen a request on stale facts.
            return (.failure(ProtocolError(
                .conflict, "changed", "ticket \(stored.ticket) changed while it was being requeued; look again and retry")),
                takeActions())
        }
        guard takesRequests(stored.department) else {
            return (.failure(ProtocolError(
                .conflict, "unknown-department",
                "ticket \(stored.ticket) belongs to department '\(stored.department)', which is no longer configured")),
                takeActions())
        }
        nextSequence += 1
        var request = RequestRecord(
            ticket: stored.ticket, requestID: stored.requestID, department: stored.department,
            departmentSlot: departments.slot(of: stored.department)!, priority: stored.priority, state: .queued, owner: stored.owner, via: stored.via, agent: requests.read(stored.ticket) { $0.agent } ?? nil,
            body: stored.body,
            submittedAt: stored.submittedAt, updatedAt: now, deadline: now + policy(stored.department).answerTarget(for: stored.priority),
            updates: stored.updates, sequence: nextSequence)
        request.reason = "requeued by an operator"
        request.respondedAt = requests.read(stored.ticket) { $0.respondedAt } ?? nil
        // It is open again: it must not be evicted as finished (it is listed again when it finishes).
        finished.removeAll { $0 == stored.ticket }
        requests[stored.ticket] = request
        ticketsByRequestID[RequestIDKey(stored.requestID)] = stored.ticket
        openRequests += 1
        startSLA(ticket: stored.ticket, now: now)
        enqueue(stored.ticket)
        let requeued = requests[stored.ticket]!
        emit(.record(.requeued(
            requeued.facts(at: now, sla: true), reason: "requeued by an operator", deadline: requeued.deadline)))
        dispatch(departmentSlot: request.departmentSlot, now: now)
        return (.success(requests[stored.ticket]!.state), takeActions())
    }
}

extension RequestSLA {
    /// Where the request stands, without computing open time: breached if a clock breached, warning if a
    /// clock still counting passed a warning threshold.
    var level: SLALevel {
        var level = SLALevel.ok
        for clock in clocks {
            if clock.outcome == .breached { return .breached }
            if !clock.stopped && clock.passed > 0 { level = .warning }
        }
        return level
    }
}
