import Foundation
import Logging
import PostgresNIO
import Testing

import SwitchboardCore
import SwitchboardSchema
import SwitchboardStore

@testable import SwitchboardPostgres

/// The leader lease and its fencing against a real PostgreSQL (a private server per test).
@Suite("PostgreSQL leader lease and fencing", .serialized)
struct PostgresLeaseTests {
    static let logger = Logger(label: "lease-test")

    @Test("one daemon leads; the other cannot take or renew the lease until it ends; each term gets the next token")
    func oneLeaderAtATime() async throws {
        try await ScratchPostgres.with { server in
            try await server.withClient { client in
                let lease = PostgresLease(client: client, logger: Self.logger)
                try await lease.prepare()
                try await lease.prepare()  // idempotent: every daemon runs it at start
                #expect(try await lease.current() == nil)

                let first = try #require(try await lease.acquire(holder: "daemon-a", for: .seconds(30)))
                #expect(first == 1)
                #expect(try await lease.acquire(holder: "daemon-b", for: .seconds(30)) == nil, "a leader holds it")
                #expect(try await lease.acquire(holder: "daemon-a", for: .seconds(30)) == nil, "renew, do not re-acquire")
                #expect(try await lease.renew(holder: "daemon-a", token: first, for: .seconds(30)))
                #expect(!(try await lease.renew(holder: "daemon-b", token: first, for: .seconds(30))))
                let holder = try #require(try await lease.current())
                #expect(holder.name == "daemon-a" && holder.token == first)
                #expect(holder.remainingMilliseconds > 25_000 && holder.remainingMilliseconds <= 30_000)

                // A graceful stop hands over at once.
                try await lease.release(holder: "daemon-a", token: first)
                let second = try #require(try await lease.acquire(holder: "daemon-b", for: .seconds(30)))
                #expect(second == first + 1)
                #expect(!(try await lease.renew(holder: "daemon-a", token: first, for: .seconds(30))), "term 1 is over")
                #expect(try await lease.current()?.name == "daemon-b")
            }
        }
    }

    @Test("an expired lease is taken over, and the old leader's fenced commit writes nothing")
    func fencingStopsTheOldLeader() async throws {
        try await ScratchPostgres.with { server in
            try await server.withClient { client in
                let lease = PostgresLease(client: client, logger: Self.logger)
                try await lease.prepare()
                try await client.query("CREATE TABLE ledger_probe (term BIGINT NOT NULL, what TEXT NOT NULL)", logger: Self.logger)
                @Sendable func fencedInsert(_ token: Int64, _ what: String) async throws {
                    try await PostgresLease.fencedTransaction(token, client: client, logger: Self.logger) { connection in
                        try await connection.query("INSERT INTO ledger_probe VALUES (\(token), \(what))", logger: Self.logger)
                    }
                }

                // A lease of zero length has expired as soon as it is granted: as a leader paused past its lease.
                let old = try #require(try await lease.acquire(holder: "daemon-a", for: .zero))
                await #expect(throws: LeaseLost.self) { try await fencedInsert(old, "after the lease ended") }
                #expect(!(try await lease.renew(holder: "daemon-a", token: old, for: .seconds(30))), "too late to renew")

                let new = try #require(try await lease.acquire(holder: "daemon-b", for: .seconds(30)))
                #expect(new == old + 1)
                try await fencedInsert(new, "the new leader's commit")
                await #expect(throws: LeaseLost.self) { try await fencedInsert(old, "the old leader, awake again") }

                let rows = try await client.query("SELECT term, what FROM ledger_probe ORDER BY term", logger: Self.logger)
                var written: [String] = []
                for try await (term, what) in rows.decode((Int64, String).self) { written.append("\(term): \(what)") }
                #expect(written == ["\(new): the new leader's commit"])
            }
        }
    }

    @Test("a takeover waits for the commit in flight: the fence holds the lease row until the transaction ends")
    func takeoverWaitsForTheCommitInFlight() async throws {
        try await ScratchPostgres.with { server in
            try await server.withClient { client in
                let lease = PostgresLease(client: client, logger: Self.logger)
                try await lease.prepare()
                let token = try #require(try await lease.acquire(holder: "daemon-a", for: .seconds(30)))
                let (fenced, fencedSignal) = AsyncStream.makeStream(of: Void.self)
                let (finish, finishSignal) = AsyncStream.makeStream(of: Void.self)
                let commit = Task {
                    try await client.withTransaction(logger: Self.logger) { connection in
                        try await PostgresLease.fence(token, on: connection, logger: Self.logger)
                        fencedSignal.yield()
                        for await _ in finish { break }
                    }
                }
                for await _ in fenced { break }
                // While term 1's transaction is open, ending its lease must wait for it (the row is locked).
                let release = Task { try await lease.release(holder: "daemon-a", token: token) }
                // Awaited in the server itself: the release's session shows up waiting on the row lock.
                let deadline = ContinuousClock.now + .seconds(10)
                var blocked = false
                while !blocked && ContinuousClock.now < deadline {
                    let rows = try await client.query(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'", logger: Self.logger)
                    for try await count in rows.decode(Int64.self) { blocked = count > 0 }
                }
                #expect(blocked, "the release waits for the fenced transaction")
                let during = try #require(try await lease.current())
                #expect(during.remainingMilliseconds > 0, "the lease is still term 1's while its commit is in flight")
                finishSignal.yield()
                try await commit.value
                try await release.value
                #expect((try await lease.current()?.remainingMilliseconds ?? 1) <= 0)
            }
        }
    }

    @Test("the PostgreSQL ledger fenced by a term commits while it leads, and nothing once another term took over")
    func ledgerCommitsAreFenced() async throws {
        try await ScratchPostgres.with { server in
            let url = try server.createDatabase("fenced")
            let ledger = try PostgresLedger(location: try PostgresLocation(url: url), logger: Self.logger)
            defer { try? ledger.close() }
            // The lease table is in the ledger's database (its migration creates it): a client of that database.
            let client = PostgresClient(
                configuration: try PostgresLocation(url: url).clientConfiguration(sessionSettings: []),
                backgroundLogger: Self.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                let lease = PostgresLease(client: client, logger: Self.logger)
                let term = try #require(try await lease.acquire(holder: "daemon-a", for: .seconds(2)))
                ledger.fence(term: term)
                try await Self.offThePool {
                    try ledger.apply([Self.submitted(1, "while-leading")])
                }
                // The lease runs out, another daemon takes it: the old term's next group writes nothing.
                try await lease.release(holder: "daemon-a", token: term)
                #expect(try await lease.acquire(holder: "daemon-b", for: .seconds(30)) == term + 1)
                let lost = await Self.offThePoolResult {
                    try ledger.apply([Self.submitted(2, "after-losing")])
                }
                #expect(lost is LeaseLost, "\(String(describing: lost))")
                let ids = try await Self.offThePool { try ledger.openRequests().map(\.requestID) }
                #expect(ids == ["while-leading"])
            }
        }
    }

    @Test("a reader opens an existing ledger without migrating; an empty database is refused, untouched")
    func readingOnly() async throws {
        try await ScratchPostgres.with { server in
            let empty = try server.createDatabase("empty")
            let error = try #require(throws: LedgerError.self) {
                try PostgresLedger(location: try PostgresLocation(url: empty), readingOnly: true, logger: Self.logger)
            }
            #expect(error.reason.contains("no ledger here"), "\(error)")
            let client = PostgresClient(
                configuration: try PostgresLocation(url: empty).clientConfiguration(sessionSettings: []),
                backgroundLogger: Self.logger)
            let tables = try await withThrowingTaskGroup(of: Int?.self) { group in
                group.addTask {
                    await client.run()
                    return nil
                }
                defer { group.cancelAll() }
                return try await client.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", logger: Self.logger)
                    .collect().first.map { try $0.decode(Int.self) } ?? -1
            }
            #expect(tables == 0, "the empty database is left as it was")
            let url = try server.createDatabase("ledger")
            try PostgresLedger(location: try PostgresLocation(url: url), logger: Self.logger).close()
            let reader = try PostgresLedger(location: try PostgresLocation(url: url), readingOnly: true, logger: Self.logger)
            #expect(try reader.countsByState().values.reduce(0, +) == 0)
            try reader.close()
        }
    }

    static func submitted(_ offset: Int64, _ requestID: String) -> Change {
        var issuer = TicketIssuer()
        let ticket = issuer.next(at: Timestamp(milliseconds: 1_780_000_000_000 + offset))
        return .submitted(Change.Submission(
            facts: Change.RequestFacts(
                ticket: ticket, requestID: requestID, department: "claims", priority: .normal, state: .queued,
                attempt: 0, worker: nil, at: Timestamp(milliseconds: 1_780_000_000_000), sla: nil),
            body: Array("question".utf8), submitter: .principal("a1b2"), deadline: Timestamp(milliseconds: 1_780_003_600_000)))
    }

    /// The ledger blocks its thread: run it on one of its own.
    static func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    static func offThePoolResult(_ body: @escaping @Sendable () throws -> Void) async -> (any Error)? {
        do {
            try await offThePool(body)
            return nil
        } catch {
            return error
        }
    }
}
