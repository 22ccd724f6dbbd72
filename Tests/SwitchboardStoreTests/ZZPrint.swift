import Foundation
import GRDB
import SwitchboardCore
import Testing
@testable import SwitchboardStore

@Test func printErrors() throws {
    try withTemporaryDirectory { directory in
        for durability in [Durability.os, .fsync] {
            let ledger = try Ledger(directory: directory + "/\(durability)", durability: durability)
            for (label, sql) in [
                ("open", "SELECT * FROM request WHERE finished_at IS NULL ORDER BY ticket"),
                ("finished", "SELECT request_id, ticket, finished_at FROM request WHERE finished_at IS NOT NULL ORDER BY finished_at, ticket"),
                ("prune", "SELECT ticket, request_id FROM request WHERE finished_at IS NOT NULL AND finished_at < 5 ORDER BY finished_at, ticket LIMIT 10"),
                ("history", "SELECT id FROM request_event WHERE ticket = 'x' ORDER BY id"),
            ] where durability == .os {
                let plan = try ledger.writer.read { db in try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String } }
                print("PLAN \(label):", plan)
            }
            var issuer = TicketIssuer()
            let start = ContinuousClock.now
            var n = 0
            for group in 0..<200 {
                var changes: [Change] = []
                for i in 0..<25 {
                    let t = issuer.next(at: at(Int64(group * 25 + i)))
                    changes.append(Changes.submitted(t, requestID: "r-\(group)-\(i)", at: Int64(group), body: String(repeating: "b", count: 300)))
                    changes.append(Changes.request(.requestOffered, t, at: 1, state: .offered, attempt: 1, worker: "w1"))
                    changes.append(Changes.request(.requestAnswered, t, at: 2, state: .answered, attempt: 1, worker: "w1", body: "answer"))
                    n += 3
                }
                try ledger.apply(changes)
            }
            print("SPEED \(durability): \(n) changes in 200 groups: \(ContinuousClock.now - start)")
            try ledger.close()
        }
    }
}
