import SwitchboardCore
import SwitchboardSchema

/// The broker's side of the ops surface: reads and actions that run on the broker thread, against Core's
/// live state. Each is one mailbox message; none touches a socket or the ledger on the broker thread.
extension Broker {
    /// Runs `body` on the broker thread and returns its result. Throws ``BrokerUnavailable`` when the broker
    /// is not serving.
    func onBrokerThread<T: Sendable>(_ body: @escaping @Sendable (inout BrokerLoop, Timestamp) -> T) async throws -> T {
        guard isServing else { throw BrokerUnavailable() }
        return try await withCheckedThrowingContinuation { continuation in
            let operation = BrokerOperation(
                body: { loop, now in continuation.resume(returning: body(&loop, now)) },
                failure: { continuation.resume(throwing: $0) })
            if !thread.mailbox.post(.operate(operation)) { operation.fail(BrokerUnavailable()) }
        }
    }

    /// Like ``onBrokerThread(_:)`` for an action: returns once the changes it made are durable.
    func actOnBrokerThread<T: Sendable>(_ body: @escaping @Sendable (inout BrokerLoop, Timestamp) -> T) async throws -> T {
        guard isServing else { throw BrokerUnavailable() }
        return try await withCheckedThrowingContinuation { continuation in
            let operation = BrokerOperation(
                body: { loop, now in
                    let result = body(&loop, now)
                    loop.whenDurable { durable in
                        if durable {
                            continuation.resume(returning: result)
                        } else {
                            continuation.resume(throwing: BrokerUnavailable())
                        }
                    }
                },
                failure: { continuation.resume(throwing: $0) })
            if !thread.mailbox.post(.operate(operation)) { operation.fail(BrokerUnavailable()) }
        }
    }

    public func departmentSummaries() async throws -> [DepartmentSummary] {
        try await onBrokerThread { loop, now in loop.core.departmentSummaries(now: now) }
    }

    public func workerSummaries() async throws -> [WorkerSummary] {
        try await onBrokerThread { loop, now in loop.core.workerSummaries(now: now) }
    }

    /// Open requests matching the filter (the finished ones are the ledger's).
    public func openRequests(_ filter: RequestFilter) async throws -> RequestPage {
        try await onBrokerThread { loop, now in loop.core.openRequests(filter, now: now) }
    }

    /// A request as Core holds it now (nil if it left memory: ask the ledger).
    public func liveRequest(ticket: String) async throws -> (status: RequestStatus, sla: SLALevel)? {
        // A ticket this broker could not have issued is not held (the ledger has no such ticket either).
        guard let ticket = Ticket(ticket) else { return nil }
        return try await onBrokerThread { loop, now in loop.core.requestStatus(ticket: ticket, now: now) }
    }

    /// Everything the metrics and the stats read, at one moment.
    public func snapshot() async throws -> BrokerSnapshot {
        let startedAt = self.startedAt, reloads = self.reloads.withLock { $0 }
        return try await onBrokerThread { loop, now in
            let counts = loop.core.liveCounts(now: now)
            return BrokerSnapshot(
                takenAt: now, startedAt: startedAt, metrics: loop.metrics, departments: counts.departments,
                oldestPendingAges: counts.oldestAges, workers: loop.core.workerCount, reloads: reloads)
        }
    }

    /// Stops giving a worker new requests (by id, or by name if unique).
    public func drain(worker: String) async throws -> Result<WorkerSummary, ProtocolError> {
        try await actOnBrokerThread { loop, now in
            let (result, actions) = loop.core.drain(worker: worker, now: now)
            loop.perform(actions)
            return result
        }
    }

    /// Cancels an open request as an operator.
    public func cancel(ticket text: String) async throws -> Result<RequestState, ProtocolError> {
        guard let ticket = Ticket(text) else {
            return .failure(ProtocolError(.notFound, "unknown-ticket", "ticket \(text) is not open"))
        }
        return try await actOnBrokerThread { loop, now in
            let (result, actions) = loop.core.cancel(byOperator: ticket, now: now)
            loop.perform(actions)
            return result
        }
    }

    /// Puts a dead-lettered request (as the ledger holds it, body included) back in its queue.
    public func requeue(deadLetter stored: RecoveredRequest) async throws -> Result<RequestState, ProtocolError> {
        try await actOnBrokerThread { loop, now in
            let (result, actions) = loop.core.requeue(deadLetter: stored, now: now)
            loop.perform(actions)
            return result
        }
    }
}

/// The broker's counters and gauges at one moment (see ``Broker/snapshot()``).
public struct BrokerSnapshot: Sendable {
    public var takenAt: Timestamp
    public var startedAt: Timestamp
    public var metrics: BrokerMetrics
    /// Every configured department: open requests by state, oldest age, risk, workers.
    public var departments: [DepartmentSummary]
    /// The oldest open request's age in seconds, by department and priority (only where something is open).
    public var oldestPendingAges: [String: [Priority: Double]]
    public var workers: Int
    /// Configuration reloads since the start.
    public var reloads = ReloadCounts()
}
