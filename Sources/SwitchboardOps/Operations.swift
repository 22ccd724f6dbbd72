import Foundation
import Synchronization
import SwitchboardBroker
import SwitchboardCore
import SwitchboardSchema
import SwitchboardStore

/// What the HTTP API answers, computed from the broker's live state (open requests, workers, counters)
/// and the ledger (finished requests, histories, breaches, compliance over a day).
final class Operations: Sendable {
    let broker: Broker
    private let reader = LedgerReader()
    /// Compliance is a scan of a day of the ledger: computed at most every `complianceMaxAge`.
    private let compliance = Mutex(ComplianceCache())
    /// The ops surface's own read-only connection to the ledger, opened on first use: its reads (long scans,
    /// at times) never take the readers the ledger writer thread needs.
    private let readConnection = Mutex<Ledger?>(nil)
    static let complianceMaxAge: Duration = .seconds(10)
    static let complianceWindow: Duration = .seconds(86_400)

    struct ComplianceCache: Sendable {
        var value: (at: Timestamp, values: [String: Compliance])?
        var refreshing = false
    }

    struct Compliance: Sendable {
        var answered = 0
        var met = 0
        var breached = 0
    }

    /// Starts the daemon's graceful stop (`POST /api/v1/daemon/drain`); nil where there is no daemon to stop.
    let stopDaemon: (@Sendable () async -> Void)?

    /// Refusals and webhook deliveries, for the metrics.
    let refusals: HTTPRefusals?
    let webhooks: WebhookDispatcher?

    init(
        broker: Broker, stopDaemon: (@Sendable () async -> Void)? = nil, refusals: HTTPRefusals? = nil,
        webhooks: WebhookDispatcher? = nil
    ) {
        self.broker = broker
        self.stopDaemon = stopDaemon
        self.refusals = refusals
        self.webhooks = webhooks
    }

    // MARK: Reads

    func stats() async throws -> OperationsStats {
        stats(from: try await snapshot())
    }

    func departments() async throws -> [DepartmentSummary] {
        try await withCompliance(try await live { try await $0.departmentSummaries() })
    }

    func department(_ name: String) async throws -> DepartmentSummary {
        guard let department = try await departments().first(where: { $0.name == name }) else {
            throw OpsError(.notFound, "unknown-department", "department '\(name)' is not known")
        }
        return department
    }

    func workers() async throws -> [WorkerSummary] {
        try await live { try await $0.workerSummaries() }
    }

    /// Open requests from the broker's memory; anything that includes finished ones from the ledger.
    func requests(_ filter: RequestFilter) async throws -> RequestPage {
        if filter.isOpenOnly {
            return try await live { try await $0.openRequests(filter) }
        }
        return try await ledgerRead { ledger in try ledger.requests(filter, now: Timestamp.now()) }
    }

    func request(ticket: String) async throws -> RequestDetail {
        let live = try await self.live { try await $0.liveRequest(ticket: ticket) }
        let (stored, history) = try await ledgerRead { ledger in
            (live == nil ? try ledger.request(ticket: ticket) : nil, try ledger.history(ticket: ticket))
        }
        let entries = history.map(\.entry)
        if let live {
            return RequestDetail(request: live.status, sla: live.sla, history: entries)
        }
        guard let stored else {
            throw OpsError(.notFound, "unknown-ticket", "ticket \(ticket) is not known", ticket: ticket)
        }
        var status = stored.status
        let clocks = stored.sla?.clockStatus(at: stored.finishedAt ?? Timestamp.now())
        status.clocks = clocks?.clocks
        return RequestDetail(request: status, sla: clocks?.level ?? .none, history: entries)
    }

    func deadLetters(department: String?, limit: Int, offset: Int) async throws -> RequestPage {
        try await ledgerRead { ledger in
            try ledger.deadLetters(department: department, limit: limit, offset: offset, now: Timestamp.now())
        }
    }

    func breaches(limit: Int) async throws -> [BreachSummary] {
        try await ledgerRead { ledger in try ledger.recentBreaches(limit: limit) }
    }

    func overview() async throws -> OperationsOverview {
        let snapshot = try await snapshot()
        var nearest = RequestFilter()
        nearest.order = .deadline
        nearest.limit = 25
        async let workers = workers()
        async let pending = requests(nearest)
        async let breaches = breaches(limit: 20)
        return OperationsOverview(
            generatedAt: snapshot.takenAt.iso8601, stats: stats(from: snapshot),
            departments: try await withCompliance(snapshot.departments), workers: try await workers,
            nearestDeadline: try await pending.items, recentBreaches: try await breaches)
    }

    func snapshot() async throws -> BrokerSnapshot {
        try await live { try await $0.snapshot() }
    }

    /// Leader, standby or alone.
    var role: BrokerRole { broker.role }

    /// Whether the daemon can do its work, and if not, why.
    func readiness() -> [String] {
        var problems: [String] = []
        if case .standby(let leader) = broker.role {
            let who = leader.map { "\($0.name) leads (term \($0.term))" } ?? "no daemon leads yet"
            problems.append("standby: \(who); this daemon takes over when the leader's lease ends")
            return problems
        }
        if !broker.isServing { problems.append("the broker is not serving: its ZeroMQ endpoints are not bound (starting or stopping)") }
        if let ledger = broker.ledger as? Ledger {
            let directory = (ledger.path as NSString).deletingLastPathComponent
            if access(directory, W_OK) != 0 || access(ledger.path, W_OK) != 0 {
                problems.append("the ledger \(ledger.path) is not writable")
            }
        } else if broker.ledger == nil {
            problems.append("the ledger is not open yet")
        }
        return problems
    }

    // MARK: Actions

    func requeue(ticket: String) async throws -> ActionResult {
        guard let stored = try await ledgerRead({ ledger in try ledger.request(ticket: ticket) }),
            let recovered = stored.recovered
        else {
            throw OpsError(.notFound, "unknown-ticket", "ticket \(ticket) is not known", ticket: ticket)
        }
        let result = try await live { try await $0.requeue(deadLetter: recovered) }
        let state = try result.mapError { OpsError($0, ticket: ticket) }.get()
        return ActionResult(
            action: .requeue, ticket: ticket, state: state,
            message: "ticket \(ticket) is back in the \(stored.department) queue; its attempts start over")
    }

    func cancel(ticket: String) async throws -> ActionResult {
        let result = try await live { try await $0.cancel(ticket: ticket) }
        do {
            let state = try result.get()
            return ActionResult(action: .cancel, ticket: ticket, state: state, message: "ticket \(ticket) is cancelled")
        } catch where error.status == .notFound {
            // Not in the broker's memory: finished long ago, or never known.
            if let stored = try await ledgerRead({ ledger in try ledger.request(ticket: ticket) }) {
                throw OpsError(
                    .conflict, "already-final",
                    "ticket \(ticket) is already \(stored.state.rawValue); it cannot be cancelled", ticket: ticket)
            }
            throw OpsError(.notFound, "unknown-ticket", "ticket \(ticket) is not known", ticket: ticket)
        } catch {
            throw OpsError(error, ticket: ticket)
        }
    }

    func drain(worker: String) async throws -> ActionResult {
        let summary = try await live { try await $0.drain(worker: worker) }.mapError { OpsError($0) }.get()
        return ActionResult(
            action: .drain, worker: summary.id,
            message: "worker \(summary.name) (\(summary.id)) gets nothing new; it holds \(summary.tickets.count) request(s)")
    }

    /// Stops the daemon gracefully, as SIGTERM does; `timeout` replaces the drain limit for this stop.
    func drainDaemon(timeout: Duration?) async throws -> ActionResult {
        guard let stopDaemon else {
            throw OpsError(.unavailable, "unavailable", "this server cannot stop its daemon")
        }
        if let timeout { broker.drainTimeout = timeout }
        let limit = broker.drainTimeout
        await stopDaemon()
        var result = ActionResult(
            action: .drainDaemon,
            message: "switchboardd is stopping: intake is closed, workers have up to \(DurationParser.format(limit)) "
                + "to finish what they hold, the rest goes back to the ledger")
        result.drainTimeoutSeconds = limit.seconds
        return result
    }

    // MARK: Helpers

    private func stats(from snapshot: BrokerSnapshot) -> OperationsStats {
        let metrics = snapshot.metrics
        var pending: [String: Int] = [:]
        for department in snapshot.departments {
            for (state, count) in department.openByState { pending[state.rawValue, default: 0] += count }
        }
        return OperationsStats(
            version: SwitchboardVersion.current, startedAt: snapshot.startedAt.iso8601,
            uptimeSeconds: (snapshot.takenAt - snapshot.startedAt).seconds, submitted: metrics.submitted.total,
            answered: metrics.answered.total, cancelled: metrics.cancelled.total,
            deadLettered: metrics.deadLettered.total, retries: metrics.retries.total,
            slaWarnings: metrics.slaWarnings.total, slaBreaches: metrics.slaBreaches.total,
            protocolErrors: metrics.protocolErrors.total, messagesReceived: metrics.messagesReceived,
            messagesSent: metrics.messagesSent, pending: pending, workers: snapshot.workers,
            departments: snapshot.departments.count)
    }

    /// Fills in each department's answers and compliance over the last day, from the ledger.
    private func withCompliance(_ departments: [DepartmentSummary]) async throws -> [DepartmentSummary] {
        let values = try await complianceByDepartment()
        return departments.map { department in
            var department = department
            let counts = values[department.name] ?? Compliance()
            department.answeredLastDay = counts.answered
            let counted = counts.met + counts.breached
            department.slaCompliance = counted == 0 ? nil : Double(counts.met) / Double(counted)
            return department
        }
    }

    /// The last day's compliance, at most `complianceMaxAge` old. Once there is a value, a stale one is
    /// served while one refresh runs in the background: a day of the ledger is a long scan, and the dashboard
    /// must not wait for it every ten seconds.
    private func complianceByDepartment() async throws -> [String: Compliance] {
        let now = Timestamp.now()
        let (cached, refresh) = compliance.withLock { state -> ([String: Compliance]?, Bool) in
            let fresh = state.value.map { now - $0.at < Operations.complianceMaxAge } ?? false
            let refresh = !fresh && !state.refreshing
            if refresh { state.refreshing = true }
            return (state.value?.values, refresh)
        }
        if let cached {
            if refresh { Task { try? await self.refreshCompliance(now: now) } }
            return cached
        }
        if refresh { return try await refreshCompliance(now: now) }
        // Someone else computes the first value: the ledger's answer is worth the wait only once.
        return try await refreshCompliance(now: now, markRunning: false)
    }

    @discardableResult
    private func refreshCompliance(now: Timestamp, markRunning: Bool = true) async throws -> [String: Compliance] {
        defer { if markRunning { compliance.withLock { $0.refreshing = false } } }
        let since = Timestamp(milliseconds: now.rawValue - Operations.complianceWindow.milliseconds)
        let rows = try await ledgerRead { ledger in try ledger.slaReport(since: since) }
        var values: [String: Compliance] = [:]
        for row in rows {
            values[row.department, default: Compliance()].answered += row.answered
            values[row.department, default: Compliance()].met += row.met
            values[row.department, default: Compliance()].breached += row.breached
        }
        compliance.withLock { $0.value = (now, values) }
        return values
    }

    /// Runs a read or action on the broker; a broker that is not serving is a 503.
    func live<T: Sendable>(_ body: (Broker) async throws -> T) async throws -> T {
        do {
            return try await body(broker)
        } catch is BrokerUnavailable {
            throw OpsError.unavailable
        }
    }

    func ledgerRead<T: Sendable>(_ body: @escaping @Sendable (any LedgerStore) throws -> T) async throws -> T {
        guard let open = broker.ledger else { throw OpsError.unavailable }
        // PostgreSQL: the ledger's own read connection. SQLite: a read-only connection of the ops surface's.
        guard open is Ledger else { return try await reader.read { try body(open) } }
        let directory = broker.configuration.dataDirectory
        return try await reader.read { [self] in
            let ledger = try readConnection.withLock { connection in
                if let connection { return connection }
                let opened = try Ledger(readingFrom: directory)
                connection = opened
                return opened
            }
            return try body(ledger)
        }
    }
}
