import Foundation
import Logging
import ServiceLifecycle
import SwitchboardCore
import SwitchboardSchema
import SwitchboardPostgres
import SwitchboardStore
import ZeroMQ

/// The running broker, as a ServiceLifecycle `Service`: opens the ledger, recovers what it holds, binds
/// the endpoints, routes until graceful shutdown (SIGTERM, SIGINT) or cancellation, then delivers what is
/// durable, tells workers it is leaving, and returns.
///
/// Threads: the broker thread owns the ROUTER socket and Core; the ledger writer thread owns the ledger's
/// writes and the events socket. They talk through mailboxes, never by sharing state.
public final class Broker: Service {
    public let configuration: BrokerConfiguration
    private let logger: Logger
    let thread = SocketThread<BrokerMessage>(name: "sb-broker")
    private let readiness = OneShot<Bool>()
    /// The principals in force (the ZAP handler's view; the broker thread gets each new one by mailbox).
    let security: SecurityState
    /// True from the moment the endpoints are bound until the broker starts to stop.
    let serving = Locked(false)
    /// The open ledger, for the ops surface's reads (GRDB allows concurrent readers); nil until opened.
    private let openLedger = Locked<(any LedgerStore)?>(nil)
    /// Leader, standby (a pair on PostgreSQL), or alone (SQLite).
    private let currentRole = Locked(BrokerRole.starting)
    public var role: BrokerRole { currentRole.withLock { $0 } }
    /// When the broker started serving.
    public var startedAt: Timestamp { startTime.withLock { $0 } }
    private let startTime = Locked(Timestamp.now())

    /// The configuration in force: the start's, with what reloads have changed since.
    private let inForce: Locked<BrokerConfiguration>
    public var configurationInForce: BrokerConfiguration { inForce.withLock { $0 } }

    /// Wakes the agents' streams and the webhook dispatcher when the ledger has written notifications.
    public let notifications = NotificationHub()

    /// Reloads (SIGHUP) applied and refused so far, and whether the last one was applied (for the metrics).
    let reloads = Locked(ReloadCounts())

    /// A reload the daemon refused (a file with problems): counted for the metrics.
    public func noteReloadRefused() {
        reloads.withLock {
            $0.refused += 1
            $0.lastSucceeded = false
        }
    }

    /// After the drain, how long a stop waits for the ledger to confirm what is already promised.
    static let ledgerTimeout: Duration = .seconds(5)

    public init(configuration: BrokerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.security = SecurityState(configuration.security)
        self.inForce = Locked(configuration)
    }

    /// How long the next stop lets workers finish what they hold (`shutdown.drain_timeout`, or what
    /// `switchboard drain-daemon --timeout` asked for).
    public var drainTimeout: Duration {
        get { inForce.withLock { $0.drainTimeout } }
        set { inForce.withLock { $0.drainTimeout = newValue } }
    }

    /// Applies a reloaded configuration (SIGHUP) and returns the keys that changed but wait for a restart.
    ///
    /// Applied at once, without losing or delaying a request: departments and their policies (for requests
    /// submitted from now on), heartbeats, `limits.max_body_bytes` and `max_open_requests`, the number of
    /// finished requests kept in memory, `log.bodies`, principals and permissions (a revoked key's connections
    /// are refused from their next message) and the drain limit. The endpoints, the HTTP address, the data
    /// directory, durability, retention, the high-water mark, and the key pair (and whether CURVE is on) are
    /// the start's until a restart.
    /// Returns once the broker thread has applied it (at once if the broker is not running).
    public func reload(_ new: BrokerConfiguration) async -> [String] {
        let (applied, waiting) = reloadable(new)
        inForce.withLock { $0 = applied }
        reloads.withLock {
            $0.applied += 1
            $0.lastSucceeded = true
        }
        security.replace(applied.security)
        let reload = Reconfiguration(
            security: applied.security, core: applied.core, limits: applied.limits, logBodies: applied.logBodies,
            notifications: Broker.notificationPolicy(applied))
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resume = Once { continuation.resume() }
            if !thread.mailbox.post(.reconfigure(reload, applied: resume.run)) { resume.run() }
        }
        return waiting
    }

    /// What a reload of `new` would put in force: `new` with the start's values of the keys that change only
    /// with a restart, and the names of those keys that `new` changes.
    public func reloadable(_ new: BrokerConfiguration) -> (applied: BrokerConfiguration, waitingForRestart: [String]) {
        var applied = new
        var waiting: [String] = []
        func keep<T: Equatable>(_ name: String, _ key: WritableKeyPath<BrokerConfiguration, T>) {
            if applied[keyPath: key] != configuration[keyPath: key] { waiting.append(name) }
            applied[keyPath: key] = configuration[keyPath: key]
        }
        keep("endpoint", \.endpoint)
        keep("events", \.eventsEndpoint)
        keep("http.listen", \.http)
        keep("data_dir", \.dataDirectory)
        keep("durability", \.durability)
        keep("ledger", \.ledger)
        keep("retention", \.core.retention)
        keep("limits.high_water_mark", \.highWaterMark)
        keep("security.key", \.security.serverKey)
        keep("security.insecure", \.security.insecure)
        return (applied, waiting)
    }

    /// Which changes the ledger keeps as notifications: named agents' tickets while the HTTP agent API is
    /// served (their streams), and what each webhook is sent.
    static func notificationPolicy(_ configuration: BrokerConfiguration) -> NotificationPolicy {
        NotificationPolicy(
            agentStreams: configuration.http != nil,
            webhooks: configuration.webhooks.map {
                NotificationPolicy.Route(name: $0.name, types: $0.events, departments: $0.departments)
            })
    }

    /// Returns once the endpoints are bound (true) or start-up failed (false).
    public func waitUntilReady() async -> Bool {
        await readiness.value
    }

    /// Whether the broker serves now: its endpoints are bound and it is not stopping.
    public var isServing: Bool { serving.withLock { $0 } }

    /// The ledger, once open: the ops surface reads it (never from the broker thread, never on the
    /// cooperative pool: see ``Ledger``).
    public var ledger: (any LedgerStore)? { openLedger.withLock { $0 } }

    public func run() async throws {
        defer { failPendingOperations() }
        do {
            try await start()
        } catch {
            readiness.fulfil(false)
            throw error
        }
    }

    /// After the broker thread has gone (or never started): operations posted to it fail instead of hanging.
    private func failPendingOperations() {
        serving.withLock { $0 = false }
        notifications.finish()
        thread.mailbox.close()
        for message in thread.mailbox.drain() {
            switch message {
            case .operate(let operation): operation.fail(BrokerUnavailable())
            case .reconfigure(_, let applied): applied()
            default: break
            }
        }
    }

    private func start() async throws {
        let ledger: any LedgerStore
        var leadership: (election: LeaderElection, term: Int64)?
        switch configuration.ledger.backend {
        case .sqlite:
            ledger = try Ledger(directory: configuration.dataDirectory, durability: configuration.durability)
            currentRole.withLock { $0 = .single }
        case .postgres:
            guard let (postgres, election, term) = try await lead() else { return }
            ledger = postgres
            leadership = (election, term)
        }
        openLedger.withLock { $0 = ledger }
        defer { leadership?.election.close() }
        // Handed over in a box the broker thread empties: what was read (every open request, bodies included)
        // must not stay referenced for the daemon's lifetime once Core holds it.
        let logger = self.logger
        let loaded = try await Broker.offThePool { try Recovery.load(from: ledger, logger: logger) }
        let recovery = Locked<Recovery?>(loaded)
        let recovered = recovery.withLock { $0?.open.count ?? 0 }
        let context = try Context()
        defer { context.shutdown() }
        let zap = ZAPHandler(state: security, logger: logger)
        if configuration.security.isEnabled {
            try await zap.start(context: context)
            // Without its ZAP handler libzmq would let every key in: its failure stops the broker.
            let mailbox = thread.mailbox
            Task {
                do {
                    try await zap.join()
                } catch {
                    mailbox.post(.fatal("the ZAP handler failed: \(error)"))
                }
            }
        } else if configuration.security.insecure {
            logger.warning(
                "security.insecure is on: the endpoints are plain (no CURVE encryption or authentication) and may be reachable beyond this machine",
                metadata: ["endpoint": "\(configuration.endpoint)", "events": "\(configuration.eventsEndpoint)"])
        }
        notifications.advance(to: try await Broker.offThePool { try ledger.notificationBounds().latest })
        let writer = LedgerWriter(
            ledger: ledger, eventsEndpoint: configuration.eventsEndpoint, retention: configuration.core.retention,
            serverKey: configuration.security.serverKey, context: context,
            notifications: Broker.notificationPolicy(configuration), hub: notifications, logger: logger)
        try await writer.start(broker: thread.mailbox)
        do {
            try await startBrokerThread(context: context, writer: writer, recovery: recovery, zapNonce: zap.nonce)
        } catch {
            try? await writer.stop()
            throw error
        }
        logger.info(
            "switchboardd ready",
            metadata: [
                "endpoint": "\(configuration.endpoint)", "events": "\(configuration.eventsEndpoint)",
                "ledger": "\(ledger.path)", "durability": "\(configuration.durability.rawValue)",
                "recovered": "\(recovered)",
                "departments": "\(configuration.core.departments.map(\.name).joined(separator: ","))",
            ])
        startTime.withLock { $0 = Timestamp.now() }
        serving.withLock { $0 = true }
        readiness.fulfil(true)
        let mailbox = thread.mailbox
        // The leader renews its lease while it serves, and stops the moment it loses it.
        let keeper = leadership.map { leadership in
            Task {
                await leadership.election.keepLead(leadership.term) { reason in mailbox.post(.fatal(reason)) }
            }
        }
        let outcome: Result<Void, Error>
        do {
            // Graceful shutdown (SIGTERM) and task cancellation both stop intake the same way.
            try await withTaskCancellationHandler {
                try await withGracefulShutdownHandler {
                    try await thread.join()
                } onGracefulShutdown: { [serving] in
                    serving.withLock { $0 = false }
                    mailbox.post(.stop)
                }
            } onCancel: { [serving] in
                serving.withLock { $0 = false }
                mailbox.post(.stop)
            }
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        // The broker thread is gone: the ops surface is told at once, not after the writer's last commit.
        failPendingOperations()
        keeper?.cancel()
        try await writer.stop()
        if let leadership, (try? outcome.get()) != nil {
            // A clean stop hands over at once rather than a lease later.
            await leadership.election.release(leadership.term)
        }
        do {
            try ledger.checkpoint()
        } catch {
            logger.warning("the ledger's write-ahead log was not folded into its file at the stop; it will be at the next start", metadata: ["error": "\(error)"])
        }
        if configuration.security.isEnabled { await zap.stop() }
        try outcome.get()
        logger.info("switchboardd stopped")
    }

    /// A pair on PostgreSQL: opens the ledger, stands by until this daemon takes the leader lease, and fences
    /// the ledger's writes with its term. Nil if the daemon was told to stop while standing by.
    private func lead() async throws -> (PostgresLedger, LeaderElection, Int64)? {
        let settings = configuration.ledger
        let location: PostgresLocation
        do {
            location = try PostgresLocation(url: settings.url ?? "")
        } catch {
            throw LedgerError(path: "ledger.url", reason: "\(error)")
        }
        let logger = self.logger
        let postgres = try await Broker.offThePool {
            try PostgresLedger(location: location, idleTransactionTimeout: settings.lease, logger: logger)
        }
        let holder = settings.name ?? "\(ProcessInfo.processInfo.hostName) \(configuration.endpoint)"
        let election = try LeaderElection(location: location, settings: settings, holder: holder, logger: logger)
        currentRole.withLock { $0 = .standby(leader: nil) }
        logger.info("the ledger is on PostgreSQL: standing by until this daemon holds the leader lease",
                    metadata: ["ledger": "\(postgres.path)", "self": "\(holder)", "lease": "\(settings.lease)"])
        let term: Int64
        do {
            term = try await cancelWhenGracefulShutdown { [currentRole] in
                try await election.waitForLead { leader in
                    currentRole.withLock { $0 = .standby(leader: leader.map { .init(name: $0.name, term: $0.token) }) }
                }
            }
        } catch is CancellationError {
            election.close()
            try? postgres.close()
            readiness.fulfil(false)
            logger.info("switchboardd stopped while standing by")
            return nil
        }
        postgres.fence(term: term)
        currentRole.withLock { $0 = .leader(term: term) }
        logger.notice("this daemon leads now: taking over from the ledger", metadata: ["term": "\(term)", "self": "\(holder)"])
        return (postgres, election, term)
    }

    /// Runs blocking ledger work on a thread of its own, never on the cooperative pool.
    static func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    private func startBrokerThread(
        context: Context, writer: LedgerWriter, recovery: Locked<Recovery?>, zapNonce: String
    ) async throws {
        let configuration = self.configuration, logger = self.logger, mailbox = thread.mailbox
        let drainLimit: @Sendable () -> Duration = { [inForce] in inForce.withLock { $0.drainTimeout } }
        try await thread.start { ready in
            let router = try context.socket(.router)
            defer { router.close() }
            try router.setRouterMandatory(true)
            try router.setSendHighWaterMark(configuration.highWaterMark)
            try router.setReceiveHighWaterMark(configuration.highWaterMark)
            // A bigger frame is a broken or hostile peer: libzmq drops the connection. Anything up to this
            // size is read and, if over the body limit, refused with a 413.
            try router.setMaxMessageSize(Int64(configuration.limits.maxBodyBytes) + 16 * 1024 * 1024)
            // Give DISCONNECTs sent at shutdown a moment to leave.
            try router.setLinger(milliseconds: 1000)
            if let key = configuration.security.serverKey {
                // CURVE: encrypted, and every peer authenticated by the ZAP handler before its first message.
                try router.setCurveServer(secretKey: key.secretKey)
                try router.setZAPDomain(ZAPHandler.requestDomain)
            }
            try router.bind(configuration.endpoint)

            // Built in place: a second copy of the loop would make the first change copy Core's storage.
            var runLoop = BrokerRunLoop(
                loop: BrokerLoop(
                    router: router, core: BrokerCore(configuration: configuration.core, now: Timestamp.now()),
                    configuration: configuration, writer: writer, logger: logger),
                mailbox: mailbox, drainLimit: drainLimit, logger: logger)
            defer { runLoop.loop.failDurabilityWaiters() }
            runLoop.loop.zapNonce = zapNonce
            if let loaded = recovery.withLock({ box in defer { box = nil }; return box }) {
                runLoop.loop.perform(loaded.restore(into: &runLoop.loop.core, now: Timestamp.now()))
            }
            runLoop.loop.flushChanges()
            MemoryRelease.releaseFreedMemory()
            ready()
            try runLoop.run()
        }
    }
}

/// Reloads of the configuration since the start.
public struct ReloadCounts: Sendable {
    public var applied: UInt64 = 0
    public var refused: UInt64 = 0
    /// Whether the last reload was applied (true when there has been none).
    public var lastSucceeded = true
}

/// A callback that runs at most once, however many paths lead to it.
final class Once: Sendable {
    private let body: Locked<(@Sendable () -> Void)?>

    init(_ body: @escaping @Sendable () -> Void) { self.body = Locked(body) }

    @Sendable func run() {
        let body = self.body.withLock { body in
            defer { body = nil }
            return body
        }
        body?()
    }
}

/// The ledger writer could not commit: the broker stops instead of promising what it cannot keep.
public struct LedgerFailure: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { "the ledger cannot be written: \(reason)" }
}

/// The broker stopped itself: its ZAP handler failed, or (a pair's leader) it lost the leader lease.
public struct BrokerStopped: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}

