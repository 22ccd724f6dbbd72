import GRDB
import SwitchboardCore
import SwitchboardSchema
import Testing
@testable import SwitchboardStore

@Suite("Ledger.prune")
struct LedgerPruneTests {
    @Test(
        "prune deletes finished requests older than the cutoff in batches, with their events",
        arguments: Backend.allCases)
    func pruneInBatches(backend: Backend) throws {
        try withLedger(backend) { ledger in
            // Five requests finished at 100...500, one finished after the cutoff, two still open.
            for index in 1...5 {
                let submitted = Int64(index)
                try ledger.apply(Changes.answered(
                    ticket(submitted), requestID: "old-\(index)", at: submitted, after: submitted * 100 - submitted))
            }
            try ledger.apply(Changes.answered(ticket(10), requestID: "recent", at: 10, after: 990))
            try ledger.apply([
                Changes.submitted(ticket(0), requestID: "open-0", at: 0),
                Changes.submitted(ticket(20), requestID: "open-20", at: 20),
                Changes.request(.requestOffered, ticket(20), at: 21, state: .offered, attempt: 1, worker: "w1"),
                Changes.worker(.workerJoined, "w-old", at: 50, departments: ["claims"], credit: 1),
                Changes.worker(.workerJoined, "w-new", at: 900, departments: ["claims"], credit: 1),
            ])
            let cutoff = at(600)
            #expect(try ledger.prune(finishedBefore: cutoff, limit: 2) == ["old-1", "old-2"])
            #expect(try ledger.prune(finishedBefore: cutoff, limit: 2) == ["old-3", "old-4"])
            #expect(try ledger.prune(finishedBefore: cutoff, limit: 2) == ["old-5"])
            #expect(try ledger.prune(finishedBefore: cutoff, limit: 2) == [])

            for index in 1...5 {
                #expect(try ledger.request(ticket: ticket(Int64(index))) == nil)
                #expect(try ledger.history(ticket: ticket(Int64(index))).isEmpty)
            }
            #expect(try ledger.request(ticket: ticket(10))?.requestID == "recent")
            #expect(try ledger.history(ticket: ticket(10)).count == 3)
            #expect(try ledger.openRequests().map(\.requestID) == ["open-0", "open-20"])
            #expect(try ledger.history(ticket: ticket(20)).count == 2)
            #expect(try ledger.finishedIndex().map(\.requestID) == ["recent"])
            let orphans = try rawRows(
                ledger, sqlite: "SELECT COUNT(*) FROM request_event WHERE ticket NOT IN (SELECT ticket FROM request)",
                postgres: "SELECT COUNT(*)::text FROM request_event WHERE ticket NOT IN (SELECT ticket FROM request)")
            #expect(orphans == [["0"]])
            #expect(try rawRows(ledger, sqlite: "SELECT worker FROM worker_event ORDER BY id") == [["w-new"]])
        }
    }

    @Test("prune with a cutoff before everything, or a limit of zero, deletes nothing", arguments: Backend.allCases)
    func pruneNothing(backend: Backend) throws {
        try withLedger(backend) { ledger in
            try ledger.apply(Changes.answered(ticket(1), requestID: "r-1", at: 1, after: 99))
            #expect(try ledger.prune(finishedBefore: at(100), limit: 10) == [])
            #expect(try ledger.prune(finishedBefore: at(1_000), limit: 0) == [])
            #expect(try ledger.request(ticket: ticket(1)) != nil)
            #expect(try ledger.prune(finishedBefore: at(101), limit: 10) == ["r-1"])
        }
    }
}
