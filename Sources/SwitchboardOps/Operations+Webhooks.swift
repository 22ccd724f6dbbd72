import SwitchboardBroker
import SwitchboardSchema
import SwitchboardStore

/// The webhooks' delivery log (`GET /api/v1/webhooks`, `.../{name}/deliveries`).
extension Operations {
    /// The HTTP surface's counts for /metrics.
    var httpCounts: MetricsPage.HTTPCounts {
        MetricsPage.HTTPCounts(
            refusals: refusals?.snapshot ?? [:], webhooks: webhooks?.counters.withLock { $0 },
            webhookNames: webhooks?.configured.map(\.name) ?? [])
    }

    func webhooks(_ dispatcher: WebhookDispatcher?) async throws -> [WebhookSummary] {
        let configured = dispatcher?.configured ?? []
        let counts = try await ledgerRead { ledger in try ledger.deliveryCounts() }
        return configured.map { webhook in
            let count = counts[webhook.name] ?? .init()
            return WebhookSummary(
                name: webhook.name, url: webhook.url, events: webhook.events.map(\.rawValue).sorted(),
                departments: webhook.departments.sorted(), pending: count.pending, delivered: count.delivered,
                failed: count.failed, lastDeliveredAt: count.lastDeliveredAt?.iso8601, lastError: count.lastError)
        }
    }

    func deliveries(
        webhook name: String, state: WebhookDelivery.State?, limit: Int, _ dispatcher: WebhookDispatcher?
    ) async throws -> [WebhookDeliverySummary] {
        guard dispatcher?.configured.contains(where: { $0.name == name }) == true else {
            throw OpsError(.notFound, "unknown-webhook", "webhook '\(name.prefix(64))' is not configured (webhooks in the configuration)")
        }
        return try await ledgerRead { ledger in try ledger.deliveries(webhook: name, state: state, limit: limit) }.map {
            WebhookDeliverySummary(
                id: $0.id, webhook: $0.webhook, eventId: $0.event.id ?? 0, event: $0.event.type.rawValue,
                ticket: $0.event.ticket, state: $0.state.rawValue, attempts: $0.attempts, createdAt: $0.createdAt.iso8601,
                nextAttemptAt: $0.state == .pending ? $0.nextAttemptAt.iso8601 : nil, deliveredAt: $0.deliveredAt?.iso8601,
                lastStatus: $0.lastStatus, lastError: $0.lastError)
        }
    }
}
