import Foundation
import Logging
import PostgresNIO
import SwitchboardPostgres

/// This daemon's side of the leader lease of a pair sharing a PostgreSQL ledger (issue 16; the lease itself
/// is ``PostgresLease``). A standby tries to take the lease every `renew_interval` and leads once it has it;
/// the leader renews it as often, and gives up the lead (the daemon stops, to come back as a standby) as soon
/// as a renewal finds another term or the lease has run out on its own clock without a renewal: it must stop
/// before a standby can have taken over, and its commits are fenced anyway (see ``PostgresLedger``).
final class LeaderElection: Sendable {
    let holder: String
    let settings: LedgerSettings
    private let client: PostgresClient
    private let lease: PostgresLease
    private let logger: Logger
    private let runner: Task<Void, Never>

    init(location: PostgresLocation, settings: LedgerSettings, holder: String, logger: Logger) throws {
        var configuration = try location.clientConfiguration(sessionSettings: [
            ("idle_in_transaction_session_timeout", "\(settings.lease.milliseconds)"),
            ("application_name", "switchboardd-lease"),
        ])
        configuration.options.maximumConnections = 2
        // A renewal must fail fast enough to stop the leader before its lease ends.
        configuration.options.connectTimeout = min(.seconds(5), settings.lease / 2)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.lease = PostgresLease(client: client, logger: logger)
        self.holder = holder
        self.settings = settings
        self.logger = logger
        // Detached: a task created here would inherit the service group's graceful shutdown, and PostgresClient
        // shuts its pool down on it, before the leader has released its lease.
        runner = Task.detached { await client.run() }
    }

    deinit { runner.cancel() }

    func close() { runner.cancel() }

    /// Waits as a standby until this daemon takes the lease; returns its term. Throws CancellationError when
    /// the task is cancelled (the daemon stops while standing by).
    func waitForLead(standingBy: @Sendable (PostgresLease.Holder?) -> Void) async throws -> Int64 {
        var announced: String?
        while true {
            try Task.checkCancellation()
            do {
                if let token = try await lease.acquire(holder: holder, for: settings.lease) {
                    return token
                }
                let current = try await lease.current()
                standingBy(current)
                let leader = current.map { "\($0.name) (term \($0.token))" } ?? "nobody"
                if announced != leader {
                    logger.notice("standing by: another daemon leads", metadata: ["leader": "\(leader)", "self": "\(holder)"])
                    announced = leader
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                logger.warning("standing by: the ledger's database cannot be reached", metadata: ["error": "\(String(reflecting: error))"])
                announced = nil
            }
            try await Task.sleep(for: settings.renewInterval)
        }
    }

    /// Renews term `token` until the task is cancelled; calls `lost` once (and returns) when the lead is lost.
    func keepLead(_ token: Int64, lost: @Sendable (String) -> Void) async {
        let clock = ContinuousClock()
        // The lease as this daemon must assume it: from the moment the last successful renewal was sent.
        var validUntil = clock.now + settings.lease
        while !Task.isCancelled {
            try? await Task.sleep(for: settings.renewInterval)
            if Task.isCancelled { return }
            let sent = clock.now
            do {
                if try await withDeadline(validUntil, { [lease, holder, settings] in
                    try await lease.renew(holder: holder, token: token, for: settings.lease)
                }) {
                    validUntil = sent + settings.lease
                    continue
                }
                lost("the leader lease of term \(token) was taken over or ran out (another daemon leads now)")
                return
            } catch {
                if clock.now >= validUntil {
                    lost("the leader lease of term \(token) could not be renewed before it ran out: \(String(reflecting: error))")
                    return
                }
                logger.warning("the leader lease could not be renewed; retrying", metadata: ["error": "\(String(reflecting: error))"])
            }
        }
    }

    /// Ends term `token` now (a graceful stop), so the standby takes over at its next try.
    func release(_ token: Int64) async {
        do {
            try await lease.release(holder: holder, token: token)
        } catch {
            logger.warning("the leader lease could not be released; the standby takes over when it runs out", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// Runs `body`, failing with a timeout once `deadline` passes.
    private func withDeadline<T: Sendable>(
        _ deadline: ContinuousClock.Instant, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw LeaseRenewalTimeout() }
            return value
        }
    }
}

struct LeaseRenewalTimeout: Error, CustomStringConvertible {
    var description: String { "no answer from the database before the lease ran out" }
}
