import Foundation
import GRDB
import SwitchboardCore
import SwitchboardSchema

/// Service-level compliance of one department and priority over a period (`switchboard sla report`).
public struct SLAReportRow: Sendable, Equatable, Codable {
    public var department: String
    public var priority: Priority
    /// Requests finished in the period.
    public var finished: Int
    /// Of those, answered.
    public var answered: Int
    /// Answer targets met and breached (of the finished requests that had an answer clock).
    public var met: Int
    public var breached: Int
    /// met / (met + breached), or nil when there is nothing to count.
    public var metShare: Double?
    /// Time to answer in business (open) time, median and 90th percentile, in milliseconds.
    public var medianAnswerMs: Int64?
    public var p90AnswerMs: Int64?
    /// SLA breach events (any clock) recorded in the period for this department and priority.
    public var breachEvents: Int
}

extension Ledger {
    /// Compliance per department and priority for requests finished since `since`.
    public func slaReport(since: Timestamp, department: String?) throws -> [SLAReportRow] {
        try writer.read { db in
            var report = SLAReportBuilder()
            let filter = department == nil ? "" : " AND department = ?"
            var arguments: StatementArguments = [since.rawValue]
            if let department { arguments += [department] }
            let finished = try Row.fetchCursor(
                db, sql: "SELECT department, priority, state, sla FROM request WHERE finished_at >= ?" + filter,
                arguments: arguments)
            while let record = try finished.next() {
                report.addFinished(
                    department: record["department"], priority: record["priority"], state: record["state"], sla: record["sla"])
            }
            let breaches = try Row.fetchCursor(
                db,
                sql: """
                    SELECT request.department, request.priority, COUNT(*) AS n FROM request_event
                    JOIN request ON request.ticket = request_event.ticket
                    WHERE request_event.type = ? AND request_event.at >= ?\(department == nil ? "" : " AND request.department = ?")
                    GROUP BY request.department, request.priority
                    """,
                arguments: [EventType.requestSLABreached.rawValue, since.rawValue] + (department.map { [$0] } ?? []))
            while let record = try breaches.next() {
                report.setBreachEvents(department: record["department"], priority: record["priority"], count: record["n"])
            }
            return report.rows()
        }
    }
}

/// Builds the SLA report from the ledger's rows, whichever engine read them.
package struct SLAReportBuilder {
    private var byKey: [String: SLAReportRow] = [:]
    private var answerTimes: [String: [Int64]] = [:]

    package init() {}

    private mutating func key(_ department: String, _ priority: Priority) -> String {
        let key = "\(department)\u{0}\(priority.rawValue)"
        if byKey[key] == nil {
            byKey[key] = SLAReportRow(
                department: department, priority: priority, finished: 0, answered: 0, met: 0, breached: 0,
                metShare: nil, medianAnswerMs: nil, p90AnswerMs: nil, breachEvents: 0)
        }
        return key
    }

    /// A request finished in the period, with its pinned SLA snapshot (JSON) if it has one.
    package mutating func addFinished(department: String, priority: String, state: String, sla: String?) {
        guard let priority = Priority(rawValue: priority) else { return }
        let key = key(department, priority)
        byKey[key]!.finished += 1
        let answered = state == RequestState.answered.rawValue
        if answered { byKey[key]!.answered += 1 }
        guard let sla, let snapshot = try? SLASnapshot.decode(json: Array(sla.utf8)),
            let clock = snapshot.clocks.first(where: { $0.target == .answer })
        else { return }
        if clock.outcome == "met" { byKey[key]!.met += 1 }
        if clock.outcome == "breached" { byKey[key]!.breached += 1 }
        if answered { answerTimes[key, default: []].append(clock.usedMs) }
    }

    /// Breach events recorded in the period for one department and priority.
    package mutating func setBreachEvents(department: String, priority: String, count: Int) {
        guard let priority = Priority(rawValue: priority) else { return }
        byKey[key(department, priority)]!.breachEvents = count
    }

    package func rows() -> [SLAReportRow] {
        var rows = byKey
        for (key, times) in answerTimes {
            let sorted = times.sorted()
            rows[key]!.medianAnswerMs = Self.percentile(sorted, 0.5)
            rows[key]!.p90AnswerMs = Self.percentile(sorted, 0.9)
        }
        for key in rows.keys {
            let counted = rows[key]!.met + rows[key]!.breached
            rows[key]!.metShare = counted == 0 ? nil : Double(rows[key]!.met) / Double(counted)
        }
        return rows.values.sorted { ($0.department, $0.priority.rank) < ($1.department, $1.priority.rank) }
    }

    /// The nearest-rank percentile of sorted values.
    static func percentile(_ sorted: [Int64], _ fraction: Double) -> Int64? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[max(0, min(sorted.count - 1, rank - 1))]
    }
}
