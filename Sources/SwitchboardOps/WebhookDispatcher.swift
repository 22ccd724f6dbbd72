import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization
import SwitchboardBroker
import SwitchboardSchema
import SwitchboardStore

/// Delivers the webhooks' outbox (`webhook_delivery`, written by the ledger writer in the transaction of each
/// change): POSTs each event, signed, to its webhook, and records every attempt; a failed attempt is tried
/// again after 1 s, 2 s, 4 s, ... (at most 5 min between tries) until the webhook's `max_attempts`. The
/// outbox is in the ledger, so deliveries survive a restart (kill -9 included) and resume where they were.
/// Delivery is at least once: a crash between a receiver's 2xx and the ledger's record of it repeats that
/// delivery, with the same `X-Switchboard-Delivery` id.
public final class WebhookDispatcher: Service, Sendable {
    let broker: Broker
    let logger: Logger
    private let webhooks: Mutex<[String: WebhookConfiguration]>
    private let reader = LedgerReader()
    let counters = Mutex(Counters())

    /// For the metrics, by webhook.
    struct Counters: Sendable {
        var delivered: [String: UInt64] = [:]
        var failedAttempts: [String: UInt64] = [:]
        var failed: [String: UInt64] = [:]
        var pending: [String: Int] = [:]
    }

    /// Deliveries attempted at once.
    static let concurrency = 8
    static let maxBackoff: Duration = .seconds(300)
    /// Longest error text kept with a delivery.
    static let maxErrorLength = 300

    public init(broker: Broker, webhooks: [WebhookConfiguration], logger: Logger) {
        self.broker = broker
        self.logger = logger
        self.webhooks = Mutex(Dictionary(webhooks.map { ($0.name, $0) }, uniquingKeysWith: { $1 }))
    }

    /// SIGHUP: the webhooks from now on (deliveries of a webhook no longer configured wait in the outbox).
    public func update(webhooks: [WebhookConfiguration]) {
        self.webhooks.withLock { $0 = Dictionary(webhooks.map { ($0.name, $0) }, uniquingKeysWith: { $1 }) }
    }

    var configured: [WebhookConfiguration] { webhooks.withLock { Array($0.values) }.sorted { $0.name < $1.name } }

    public func run() async throws {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        // The outbox retries with its own backoff: a receiver that refuses connections fails this attempt at once,
        // instead of AsyncHTTPClient retrying to connect until the attempt's whole timeout is spent.
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            try await cancelWhenGracefulShutdown { try await self.deliver(with: client) }
        } catch is CancellationError {
        } catch {
            logger.error("webhook deliveries stopped", metadata: ["error": "\(error)"])
        }
        try await client.shutdown()
    }

    private func deliver(with client: HTTPClient) async throws {
        // The ledger is open once the broker is ready; a broker that failed to start has nothing to deliver.
        guard await broker.waitUntilReady() else {
            try await gracefulShutdown()
            return
        }
        let hub = broker.notifications
        var pending: [Int64: WebhookDelivery] = [:]
        var seenID: Int64 = 0
        while !Task.isCancelled {
            let latest = hub.latest
            let fresh = try await ledger { [seenID] ledger in try ledger.pendingDeliveries(after: seenID) }
            for delivery in fresh { pending[delivery.id] = delivery }
            seenID = max(seenID, fresh.last?.id ?? seenID)
            if fresh.count == 1000 { continue }
            let hooks = webhooks.withLock { $0 }
            let now = Timestamp.now()
            let due = pending.values.filter { $0.nextAttemptAt <= now && hooks[$0.webhook] != nil }.sorted { $0.id < $1.id }
            if !due.isEmpty {
                let attempts = await attempt(Array(due.prefix(Self.concurrency * 4)), hooks: hooks, client: client)
                try await ledger { ledger in try ledger.recordAttempts(attempts) }
                count(attempts, of: pending)
                for attempt in attempts {
                    if attempt.state == .pending {
                        pending[attempt.id]?.nextAttemptAt = attempt.nextAttemptAt
                        pending[attempt.id]?.attempts += 1
                    } else {
                        pending[attempt.id] = nil
                    }
                }
                countPending(pending)
                continue
            }
            countPending(pending)
            let next = pending.values.filter { hooks[$0.webhook] != nil }.map(\.nextAttemptAt).min()
            let wait = next.map { max(Duration.milliseconds(10), $0 - Timestamp.now()) } ?? .seconds(60)
            await hub.wait(after: latest, timeout: min(wait, .seconds(60)))
            if hub.isFinished {
                // The broker stopped (its ledger with it): what is pending waits in the outbox for the next start.
                // Returning now would look to the service group like a crash, so wait for our own turn to stop.
                try await gracefulShutdown()
                return
            }
        }
    }

    /// One attempt at each delivery, `concurrency` at a time.
    private func attempt(
        _ deliveries: [WebhookDelivery], hooks: [String: WebhookConfiguration], client: HTTPClient
    ) async -> [WebhookDelivery.Attempt] {
        await withTaskGroup(of: WebhookDelivery.Attempt.self) { group in
            var results: [WebhookDelivery.Attempt] = []
            var iterator = deliveries.makeIterator()
            var running = 0
            while running < Self.concurrency, let delivery = iterator.next() {
                group.addTask { await self.post(delivery, hooks[delivery.webhook]!, client: client) }
                running += 1
            }
            while let result = await group.next() {
                results.append(result)
                if let delivery = iterator.next() {
                    group.addTask { await self.post(delivery, hooks[delivery.webhook]!, client: client) }
                }
            }
            return results
        }
    }

    private func post(_ delivery: WebhookDelivery, _ webhook: WebhookConfiguration, client: HTTPClient) async -> WebhookDelivery.Attempt {
        var event = delivery.event
        event.webhook = webhook.name
        event.delivery = delivery.id
        let body = JSONCoding.encode(event)
        let timestamp = Int64(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: webhook.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "switchboardd/\(SwitchboardVersion.current)")
        request.headers.add(name: "X-Switchboard-Event", value: event.type.rawValue)
        request.headers.add(name: "X-Switchboard-Delivery", value: String(delivery.id))
        request.headers.add(name: "X-Switchboard-Timestamp", value: String(timestamp))
        request.headers.add(
            name: "X-Switchboard-Signature", value: WebhookSignature.sign(body: body, timestamp: timestamp, secret: webhook.secret))
        request.body = .bytes(ByteBuffer(bytes: body))
        var status: Int?
        var error: String?
        do {
            let response = try await client.execute(request, timeout: .milliseconds(webhook.timeout.milliseconds))
            status = Int(response.status.code)
            // Read (a little of) the body so the connection can be reused; its content is not kept.
            _ = try? await response.body.collect(upTo: 64 * 1024)
            if !(200..<300).contains(status!) { error = "the receiver answered \(status!)" }
        } catch is CancellationError {
            error = "no answer within \(webhook.timeout)"
        } catch let failure as HTTPClientError where failure == .deadlineExceeded {
            error = "no answer within \(webhook.timeout)"
        } catch let failure {
            error = String("\(failure)".prefix(Self.maxErrorLength))
        }
        let now = Timestamp.now()
        let attempts = delivery.attempts + 1
        guard let error else {
            return .init(id: delivery.id, state: .delivered, at: now, nextAttemptAt: now, status: status, error: nil)
        }
        logger.notice(
            "webhook delivery failed",
            metadata: [
                "webhook": "\(webhook.name)", "delivery": "\(delivery.id)", "attempt": "\(attempts)",
                "status": "\(status.map(String.init) ?? "none")", "error": "\(error)",
            ])
        if attempts >= webhook.maxAttempts {
            logger.warning(
                "webhook delivery given up", metadata: ["webhook": "\(webhook.name)", "delivery": "\(delivery.id)", "attempts": "\(attempts)"])
            return .init(id: delivery.id, state: .failed, at: now, nextAttemptAt: now, status: status, error: error)
        }
        return .init(
            id: delivery.id, state: .pending, at: now, nextAttemptAt: now + Self.backoff(afterAttempt: attempts), status: status,
            error: error)
    }

    /// 1 s after the first failed attempt, then twice as long each time, at most ``maxBackoff``.
    static func backoff(afterAttempt attempt: Int) -> Duration {
        let seconds = attempt >= 10 ? Self.maxBackoff : .seconds(1 << (attempt - 1))
        return min(seconds, Self.maxBackoff)
    }

    private func count(_ attempts: [WebhookDelivery.Attempt], of pending: [Int64: WebhookDelivery]) {
        counters.withLock { counters in
            for attempt in attempts {
                guard let name = pending[attempt.id]?.webhook else { continue }
                switch attempt.state {
                case .delivered: counters.delivered[name, default: 0] += 1
                case .failed:
                    counters.failedAttempts[name, default: 0] += 1
                    counters.failed[name, default: 0] += 1
                case .pending: counters.failedAttempts[name, default: 0] += 1
                }
            }
        }
    }

    private func countPending(_ pending: [Int64: WebhookDelivery]) {
        let names = webhooks.withLock { Array($0.keys) }
        var byName = Dictionary(names.map { ($0, 0) }, uniquingKeysWith: { first, _ in first })
        for delivery in pending.values { byName[delivery.webhook, default: 0] += 1 }
        counters.withLock { $0.pending = byName }
    }

    private func ledger<T: Sendable>(_ body: @escaping @Sendable (any LedgerStore) throws -> T) async throws -> T {
        guard let ledger = broker.ledger else { throw OpsError.unavailable }
        return try await reader.read { try body(ledger) }
    }
}
