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
    public func slaReport(since: Timestamp, department: String? = nil) throws -> [SLAReportRow] {
        try writer.read { db in
            var rows: [String: SLAReportRow] = [:]
            var answerTimes: [String: [Int64]] = [:]
            func row(_ department: String, _ priority: Priority) -> String {
                let key = "\(department)\u{0}\(priority.rawValue)"
                if rows[key] == nil {
                    rows[key] = SLAReportRow(
                        department: department, priority: priority, finished: 0, answered: 0, met: 0, breached: 0,
                        metShare: nil, medianAnswerMs: nil, p90AnswerMs: nil, breachEvents: 0)
                }
                return key
            }
            let filter = department == nil ? "" : " AND department = ?"
            var arguments: StatementArguments = [since.rawValue]
            if let department { arguments += [department] }
            let finished = try Row.fetchCursor(
                db, sql: "SELECT department, priority, state, sla FROM request WHERE finished_at >= ?" + filter,
                arguments: arguments)
            while let record = try finished.next() {
                guard let priority = Priority(rawValue: record["priority"]) else { continue }
                let key = row(record["department"], priority)
                rows[key]!.finished += 1
                let answered = (record["state"] as String) == RequestState.answered.rawValue
                if answered { rows[key]!.answered += 1 }
                guard let text: String = record["sla"],
                    let snapshot = try? SLASnapshot.decode(json: Array(text.utf8)),
                    let clock = snapshot.clocks.first(where: { $0.target == .answer })
                else { continue }
                if clock.outcome == "met" { rows[key]!.met += 1 }
                if clock.outcome == "breached" { rows[key]!.breached += 1 }
                if answered { answerTimes[key, default: []].append(clock.usedMs) }
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
                guard let priority = Priority(rawValue: record["priority"]) else { continue }
                rows[row(record["department"], priority)]!.breachEvents = record["n"]
            }
            for (key, times) in answerTimes {
                let sorted = times.sorted()
                rows[key]!.medianAnswerMs = Ledger.percentile(sorted, 0.5)
                rows[key]!.p90AnswerMs = Ledger.percentile(sorted, 0.9)
            }
            for key in rows.keys {
                let counted = rows[key]!.met + rows[key]!.breached
                rows[key]!.metShare = counted == 0 ? nil : Double(rows[key]!.met) / Double(counted)
            }
            return rows.values.sorted { ($0.department, $0.priority.rank) < ($1.department, $1.priority.rank) }
        }
    }

    /// The nearest-rank percentile of sorted values.
    static func percentile(_ sorted: [Int64], _ fraction: Double) -> Int64? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[max(0, min(sorted.count - 1, rank - 1))]
    }
}
