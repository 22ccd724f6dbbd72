import SwitchboardBroker
import SwitchboardSchema

/// `/metrics`: the broker's snapshot as Prometheus families, every name prefixed `switchboard_`.
/// Families with labels list every configured department (and priority, state or target) even at zero, so
/// a dashboard's queries see a series from the first scrape.
enum MetricsPage {
    static func render(_ snapshot: BrokerSnapshot, http: HTTPCounts = HTTPCounts()) -> String {
        var out = PrometheusText()
        renderHTTP(&out, http)
        let metrics = snapshot.metrics
        let departments = snapshot.departments.map(\.name)

        requestCounter(&out, "switchboard_requests_submitted_total", "Requests accepted, by department and priority.", metrics.submitted, departments)
        requestCounter(&out, "switchboard_requests_answered_total", "Requests answered, by department and priority.", metrics.answered, departments)
        requestCounter(&out, "switchboard_requests_cancelled_total", "Requests cancelled, by department and priority.", metrics.cancelled, departments)
        requestCounter(&out, "switchboard_requests_dead_lettered_total", "Requests dead-lettered (rejected, out of attempts, no department), by department and priority.", metrics.deadLettered, departments)

        out.family("switchboard_requests_pending", .gauge, "Open requests now, by department and state.")
        for department in snapshot.departments {
            for (state, count) in department.openByState {
                out.sample("switchboard_requests_pending", ["department": department.name, "state": state.rawValue], Double(count))
            }
        }

        out.family("switchboard_oldest_pending_age_seconds", .gauge, "Age of the oldest open request, by department and priority (0 when none is open).")
        for department in departments {
            for priority in Priority.allCases {
                out.sample(
                    "switchboard_oldest_pending_age_seconds", ["department": department, "priority": priority.rawValue],
                    snapshot.oldestPendingAges[department]?[priority] ?? 0)
            }
        }

        serviceHistogram(&out, "switchboard_time_to_first_response_seconds", "Time from submission to the first response (accept, update or question), by department.", metrics.timeToFirstResponse, departments)
        serviceHistogram(&out, "switchboard_time_to_answer_seconds", "Time from submission to the answer, by department.", metrics.timeToAnswer, departments)

        targetCounter(&out, "switchboard_sla_warnings_total", "SLA warning thresholds passed, by department and target.", metrics.slaWarnings, departments)
        targetCounter(&out, "switchboard_sla_breaches_total", "SLA targets breached, by department and target.", metrics.slaBreaches, departments)

        out.family("switchboard_workers_connected", .gauge, "Workers connected, by department served.")
        for department in snapshot.departments {
            out.sample("switchboard_workers_connected", ["department": department.name], Double(department.workers))
        }
        out.family("switchboard_worker_free_credit", .gauge, "Free credit of the workers serving a department (draining workers count none).")
        for department in snapshot.departments {
            out.sample("switchboard_worker_free_credit", ["department": department.name], Double(department.freeCredit))
        }

        out.family("switchboard_dispatch_retries_total", .counter, "Requests offered again after a worker failed, timed out or left, by department.")
        for department in departments {
            out.sample("switchboard_dispatch_retries_total", ["department": department], metrics.retries[department] ?? 0)
        }

        out.family("switchboard_protocol_errors_total", .counter, "Messages refused as malformed or not allowed, by reason.")
        for (reason, count) in metrics.protocolErrors.sorted(by: { $0.key < $1.key }) {
            out.sample("switchboard_protocol_errors_total", ["reason": reason], count)
        }

        out.family(
            "switchboard_authorization_refusals_total", .counter,
            "Commands refused by authorization (CURVE on), by the principal's kind and the action.")
        for (key, count) in metrics.refusals.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: " ", maxSplits: 1).map(String.init)
            out.sample("switchboard_authorization_refusals_total", ["kind": parts[0], "action": parts.count > 1 ? parts[1] : ""], count)
        }

        out.family("switchboard_ledger_commit_seconds", .histogram, "Duration of ledger transactions (group commits).")
        out.histogram(
            "switchboard_ledger_commit_seconds", [], bounds: metrics.commitSeconds.bounds,
            cumulative: metrics.commitSeconds.cumulative, sum: metrics.commitSeconds.sum, count: metrics.commitSeconds.count)
        out.family("switchboard_ledger_batch_size", .histogram, "Changes per ledger transaction.")
        out.histogram(
            "switchboard_ledger_batch_size", [], bounds: metrics.batchSize.bounds, cumulative: metrics.batchSize.cumulative,
            sum: metrics.batchSize.sum, count: metrics.batchSize.count)

        out.family("switchboard_messages_received_total", .counter, "ZeroMQ messages received on the request endpoint.")
        out.sample("switchboard_messages_received_total", metrics.messagesReceived)
        out.family("switchboard_messages_sent_total", .counter, "ZeroMQ messages sent on the request endpoint.")
        out.sample("switchboard_messages_sent_total", metrics.messagesSent)
        out.family("switchboard_messages_unroutable_total", .counter, "Replies to peers that had disconnected.")
        out.sample("switchboard_messages_unroutable_total", metrics.messagesUnroutable)
        out.family("switchboard_messages_dropped_total", .counter, "Messages dropped because a peer's queue was full.")
        out.sample("switchboard_messages_dropped_total", metrics.messagesDropped)

        out.family(
            "switchboard_config_reloads_total", .counter,
            "Configuration reloads (SIGHUP) since the start: applied, or refused for problems in the file.")
        out.sample("switchboard_config_reloads_total", ["outcome": "applied"], snapshot.reloads.applied)
        out.sample("switchboard_config_reloads_total", ["outcome": "refused"], snapshot.reloads.refused)
        out.family(
            "switchboard_config_last_reload_successful", .gauge,
            "1 if the last reload was applied (or there was none), 0 if it was refused: the file on disk is not the one in force.")
        out.sample("switchboard_config_last_reload_successful", snapshot.reloads.lastSucceeded ? 1.0 : 0.0)
        out.family("switchboard_uptime_seconds", .gauge, "Seconds since the broker started serving.")
        out.sample("switchboard_uptime_seconds", (snapshot.takenAt - snapshot.startedAt).seconds)
        out.family("switchboard_build_info", .gauge, "Always 1; the version is a label.")
        out.sample("switchboard_build_info", ["version": SwitchboardVersion.current], 1.0)
        return out.text
    }

    private static func requestCounter(
        _ out: inout PrometheusText, _ name: String, _ help: String, _ counters: [BrokerMetrics.Key: UInt64], _ departments: [String]
    ) {
        out.family(name, .counter, help)
        for department in allDepartments(departments, counters.keys.map(\.department)) {
            for priority in Priority.allCases {
                out.sample(
                    name, ["department": department, "priority": priority.rawValue],
                    counters[BrokerMetrics.Key(department: department, priority: priority)] ?? 0)
            }
        }
    }

    private static func targetCounter(
        _ out: inout PrometheusText, _ name: String, _ help: String, _ counters: [BrokerMetrics.TargetKey: UInt64],
        _ departments: [String]
    ) {
        out.family(name, .counter, help)
        for department in allDepartments(departments, counters.keys.map(\.department)) {
            for target in SLATarget.allCases {
                out.sample(
                    name, ["department": department, "target": target.rawValue],
                    counters[BrokerMetrics.TargetKey(department: department, target: target)] ?? 0)
            }
        }
    }

    private static func serviceHistogram(
        _ out: inout PrometheusText, _ name: String, _ help: String, _ histograms: [String: Histogram], _ departments: [String]
    ) {
        out.family(name, .histogram, help)
        let empty = Histogram(bounds: Histogram.serviceTimeBounds)
        for department in allDepartments(departments, Array(histograms.keys)) {
            let histogram = histograms[department] ?? empty
            out.histogram(
                name, [("department", department)], bounds: histogram.bounds, cumulative: histogram.cumulative,
                sum: histogram.sum, count: histogram.count)
        }
    }

    /// The configured departments, then any other that was counted (requests recovered for a department
    /// since removed from the configuration), sorted.
    private static func allDepartments(_ configured: [String], _ counted: [String]) -> [String] {
        Array(Set(configured).union(counted)).sorted()
    }
}

extension MetricsPage {
    /// The HTTP surface's own counts: refusals, open event streams, webhook deliveries.
    struct HTTPCounts: Sendable {
        var refusals: [HTTPRefusals.Key: UInt64] = [:]
        var webhooks: WebhookDispatcher.Counters?
        var webhookNames: [String] = []
    }

    /// Which role the daemon has (`switchboard_role`, one series per role, 1 for the one it has) and, in a
    /// pair, its leader term: a pair's two scrapes together show exactly one leader.
    static func renderRole(_ role: BrokerRole) -> String {
        var out = PrometheusText()
        out.family("switchboard_role", .gauge, "1 for the daemon's role: single (its own SQLite ledger), leader or standby (a pair on PostgreSQL), starting.")
        for name in ["starting", "single", "leader", "standby"] {
            out.sample("switchboard_role", ["role": name], name == role.name ? 1.0 : 0.0)
        }
        if case .leader(let term) = role {
            out.family("switchboard_leader_term", .gauge, "The leader lease's term (fencing token) this daemon leads in.")
            out.sample("switchboard_leader_term", Double(term))
        }
        return out.text
    }

    static func renderHTTP(_ out: inout PrometheusText, _ counts: HTTPCounts) {
        out.family("switchboard_http_refusals_total", .counter, "HTTP requests refused (401, 403 and the agent API's other errors), by status and reason.")
        for (key, count) in counts.refusals.sorted(by: { ($0.key.status, $0.key.reason) < ($1.key.status, $1.key.reason) }) {
            out.sample("switchboard_http_refusals_total", ["status": String(key.status), "reason": key.reason], Double(count))
        }
        guard let webhooks = counts.webhooks else { return }
        let families: [(name: String, kind: PrometheusText.Kind, help: String, value: (String) -> Double)] = [
            ("switchboard_webhook_deliveries_total", .counter, "Webhook deliveries that reached their receiver (a 2xx), by webhook.",
             { Double(webhooks.delivered[$0] ?? 0) }),
            ("switchboard_webhook_failed_attempts_total", .counter,
             "Webhook delivery attempts that failed (an error, a timeout or a non-2xx answer), by webhook.",
             { Double(webhooks.failedAttempts[$0] ?? 0) }),
            ("switchboard_webhook_failures_total", .counter, "Webhook deliveries given up after max_attempts, by webhook.",
             { Double(webhooks.failed[$0] ?? 0) }),
            ("switchboard_webhook_pending", .gauge, "Webhook deliveries waiting for their next attempt, by webhook.",
             { Double(webhooks.pending[$0] ?? 0) }),
        ]
        for family in families {
            out.family(family.name, family.kind, family.help)
            for name in counts.webhookNames { out.sample(family.name, ["webhook": name], family.value(name)) }
        }
    }
}
