import Foundation
import GRDB
import SwitchboardCore
import SwitchboardSchema
import Testing
@testable import SwitchboardStore

/// How a group of changes folds into one row write per request, and what the history reads back whatever the
/// grouping: the routine course kept in the row's columns, everything else (and what came before it) as rows.
@Suite("RequestWrite.fold")
struct RequestWriteTests {
    static let t1 = ticket(0), t2 = ticket(1)

    static func offered(_ ticket: String, at offset: Int64, attempt: Int = 1, worker: String = "w1") -> Change {
        Changes.request(.requestOffered, ticket, at: offset, state: .offered, attempt: attempt, worker: worker)
    }

    static func accepted(_ ticket: String, at offset: Int64, attempt: Int = 1, worker: String = "w1") -> Change {
        Changes.request(.requestAccepted, ticket, at: offset, state: .accepted, attempt: attempt, worker: worker)
    }

    static func answered(_ ticket: String, at offset: Int64, attempt: Int = 1, worker: String = "w1") -> Change {
        Changes.request(.requestAnswered, ticket, at: offset, state: .answered, attempt: attempt, worker: worker,
            body: "answer")
    }

    @Test("the routine course in one group is one INSERT with its events as columns, and no history rows")
    func routineCourse() {
        let changes = [
            Changes.submitted(Self.t1, requestID: "r-1", at: 0), Self.offered(Self.t1, at: 1),
            Self.accepted(Self.t1, at: 2), Self.answered(Self.t1, at: 3),
        ]
        let (writes, workers) = RequestWrite.fold(changes)
        #expect(workers.isEmpty)
        #expect(writes.count == 1)
        let write = writes[0]
        #expect(write.submission == 0)
        #expect(write.trail == [.submitted, .offered, .accepted, .answered])
        #expect(write.history.isEmpty)
        #expect(write.patch.state == .answered)
        #expect(write.patch.offeredAt == at(1) && write.patch.acceptedAt == at(2) && write.patch.answeredAt == at(3))
        #expect(!write.materializesStoredTrail)
    }

    @Test("any other event turns the routine events before it into rows first, in order")
    func otherEventsFlushTheTrail() {
        let changes = [
            Changes.submitted(Self.t1, requestID: "r-1", at: 0), Self.offered(Self.t1, at: 1),
            Changes.request(.requestRequeued, Self.t1, at: 2, state: .queued, attempt: 1, reason: "w1: lost"),
            Self.offered(Self.t1, at: 3, attempt: 2, worker: "w2"),
        ]
        let write = RequestWrite.fold(changes).requests[0]
        #expect(write.history.map(\.type) == [.requestSubmitted, .requestOffered, .requestRequeued])
        #expect(write.history.map(\.at) == [at(0), at(1), at(2)])
        #expect(write.history[1].worker == "w1")
        #expect(write.trail == [.offered], "the second offer is routine again, held in the columns")
        #expect(write.patch.worker == .some("w2"))
        #expect(!write.materializesStoredTrail, "a new row has no stored trail")
    }

    @Test("an offer after an offer (the first refused) makes the first a row: the columns hold one of each")
    func repeatedRoutineEvent() {
        let changes = [Self.offered(Self.t1, at: 1), Self.offered(Self.t1, at: 5, attempt: 2, worker: "w2")]
        let write = RequestWrite.fold(changes).requests[0]
        #expect(write.history.map(\.type) == [.requestOffered])
        #expect(write.history[0].worker == "w1")
        #expect(write.trail == [.offered])
        #expect(write.materializesStoredTrail, "the ledger's row may hold earlier routine events: rows before these")
    }

    @Test("a request from an earlier group keeps its stored trail while only routine events follow")
    func storedTrail() {
        let routine = RequestWrite.fold([Self.accepted(Self.t1, at: 2), Self.answered(Self.t1, at: 3)]).requests[0]
        #expect(routine.submission == nil)
        #expect(routine.trail == [.accepted, .answered])
        #expect(!routine.materializesStoredTrail)

        let updated = RequestWrite.fold([
            Self.accepted(Self.t1, at: 2),
            Changes.request(.requestUpdated, Self.t1, at: 3, state: .accepted, attempt: 1, worker: "w1", body: "soon"),
        ]).requests[0]
        #expect(updated.materializesStoredTrail)
        #expect(updated.history.map(\.type) == [.requestAccepted, .requestUpdated])
        #expect(updated.history[1].body == bytes("soon"))
        #expect(updated.trail.isEmpty)
    }

    @Test("an earlier holder's late answer is a row: the columns' worker is the holder's")
    func earlierHolder() {
        let write = RequestWrite.fold([
            Self.offered(Self.t1, at: 1, attempt: 2, worker: "w2"),
            Changes.request(.requestAnswered, Self.t1, at: 2, state: .answered, attempt: 2, worker: "w1",
                body: "late", fromEarlierHolder: true),
        ]).requests[0]
        #expect(write.history.map(\.type) == [.requestOffered, .requestAnswered])
        #expect(write.history[1].worker == "w1")
        #expect(write.patch.answer == bytes("late"))
    }

    @Test("one write per request, in the order each was first touched; worker changes by position")
    func order() {
        let changes = [
            Changes.worker(.workerJoined, "w1", at: 0, departments: ["claims"], credit: 1),
            Self.offered(Self.t2, at: 1), Changes.submitted(Self.t1, requestID: "r-1", at: 2),
            Self.accepted(Self.t2, at: 3),
            Changes.worker(.workerLost, "w2", at: 4, departments: ["claims"], credit: 1),
            Self.offered(Self.t1, at: 5),
        ]
        let (writes, workers) = RequestWrite.fold(changes)
        #expect(writes.map(\.ticket.text) == [Self.t2, Self.t1])
        #expect(workers == [0, 4])
        #expect(writes[0].trail == [.offered, .accepted])
        #expect(writes[1].trail == [.submitted, .offered])
    }

    /// Requests' lives as BrokerCore emits them: routine courses, and ones with requeues, transfers, updates,
    /// SLA notices, late answers and duplicates, each request's changes in its order, interleaved.
    static func lives() -> [Change] {
        let tickets = (0..<8).map { ticket(Int64($0)) }
        var lives: [[Change]] = []
        for (index, t) in tickets.enumerated() {
            let id = "r-\(index)"
            let start = Int64(index * 1_000)
            var life = [Changes.submitted(t, requestID: id, at: start)]
            switch index % 4 {
            case 0:
                life += [Self.offered(t, at: start + 1), Self.accepted(t, at: start + 2), Self.answered(t, at: start + 3)]
            case 1:
                life += [
                    Self.offered(t, at: start + 1),
                    Changes.request(.requestRequeued, t, at: start + 2, state: .queued, attempt: 1, reason: "w1: lost"),
                    Self.offered(t, at: start + 3, attempt: 2, worker: "w2"), Self.accepted(t, at: start + 4, attempt: 2, worker: "w2"),
                    Changes.request(.requestSLAWarning, t, at: start + 5, state: .accepted, attempt: 2, worker: "w2"),
                    Changes.request(.requestUpdated, t, at: start + 6, state: .accepted, attempt: 2, worker: "w2", body: "soon"),
                    Changes.request(.requestAnswered, t, at: start + 7, state: .answered, attempt: 2, worker: "w1",
                        body: "late", fromEarlierHolder: true),
                    Changes.request(.requestDuplicateAnswer, t, at: start + 8, state: .answered, attempt: 2, worker: "w2",
                        reason: "request already answered", body: "again"),
                ]
            case 2:
                // Offered again with nothing in between (as after a refused offer): the columns hold one offer.
                life += [
                    Self.offered(t, at: start + 1), Self.offered(t, at: start + 2, attempt: 2, worker: "w2"),
                    Self.accepted(t, at: start + 3, attempt: 2, worker: "w2"), Self.answered(t, at: start + 4, attempt: 2, worker: "w2"),
                ]
            default:
                life += [
                    Self.offered(t, at: start + 1), Self.accepted(t, at: start + 2),
                    Changes.request(.requestTransferred, t, at: start + 3, state: .queued, attempt: 0,
                        department: "eligibility", reason: "not ours", fromDepartment: "claims"),
                    Changes.request(.requestOffered, t, at: start + 4, state: .offered, attempt: 1,
                        department: "eligibility", worker: "w3"),
                    Changes.request(.requestAccepted, t, at: start + 5, state: .accepted, attempt: 1,
                        department: "eligibility", worker: "w3"),
                    Changes.request(.requestAnswered, t, at: start + 6, state: .answered, attempt: 1,
                        department: "eligibility", worker: "w3", body: "answer"),
                ]
            }
            lives.append(life)
        }
        // Round-robin interleaving keeps each request's order, as the broker's single thread does.
        var changes: [Change] = []
        var next = Array(repeating: 0, count: lives.count)
        while changes.count < lives.map(\.count).reduce(0, +) {
            for life in lives.indices where next[life] < lives[life].count {
                changes.append(lives[life][next[life]])
                next[life] += 1
            }
        }
        return changes
    }

    /// What a ledger reads back of one request: its row and its history (ids aside, which only order it).
    struct ReadBack: Equatable {
        var request: StoredRequest
        var history: [StoredEvent]
    }

    static func readBack(_ ledger: any LedgerStore, _ changes: [Change]) throws -> [ReadBack] {
        let tickets = Set(changes.compactMap { $0.ticket?.text }).sorted()
        return try tickets.map { t in
            let request = try #require(try ledger.request(ticket: t))
            var history = try ledger.history(ticket: t)
            for index in history.indices { history[index].id = 0 }
            return ReadBack(request: request, history: history)
        }
    }

    @Test("whatever the grouping and the backend, the ledger reads back the same requests and histories",
          arguments: Backend.allCases, [1, 2, 3] as [UInt64])
    func groupingDoesNotMatter(backend: Backend, seed: UInt64) throws {
        let changes = Self.lives()
        // The reference: SQLite, one change per transaction.
        let oneByOne = try withLedger(.memory) { ledger in
            for change in changes { try ledger.apply([change]) }
            return try Self.readBack(ledger, changes)
        }
        #expect(oneByOne.map(\.history.count).reduce(0, +) == changes.count, "every event is read back")
        var random = SplitMix(state: seed)
        let grouped = try withLedger(backend) { ledger in
            var start = 0
            while start < changes.count {
                let end = min(changes.count, start + 1 + Int(random.next() % 9))
                try ledger.apply(Array(changes[start..<end]))
                start = end
            }
            return try Self.readBack(ledger, changes)
        }
        #expect(grouped == oneByOne)
        let allAtOnce = try withLedger(backend) { ledger in
            try ledger.apply(changes)
            return try Self.readBack(ledger, changes)
        }
        #expect(allAtOnce == oneByOne)
    }

    @Test("a v4 ledger's rows keep their whole history after v5, and new events follow it")
    func migrationFromV4() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/switchboard.sqlite"
            let queue = try DatabaseQueue(path: path)
            try LedgerSchema.migrator.migrate(queue, upTo: "v4: audit trail")
            try queue.write { db in
                try db.execute(sql: """
                    INSERT INTO request (ticket, request_id, department, priority, state, attempts, submitter, body,
                        worker, submitted_at, updated_at, deadline)
                    VALUES (?, 'r-1', 'claims', 'normal', 'accepted', 1, 'a1b2', x'71', 'w1', ?, ?, ?)
                    """, arguments: [Self.t1, base, base + 2, base + 3_600_000])
                try db.execute(sql: """
                    INSERT INTO request_event (ticket, type, at, department, state, attempt, worker) VALUES
                        (?1, 'request.submitted', ?2, 'claims', 'queued', 0, NULL),
                        (?1, 'request.offered', ?2 + 1, 'claims', 'offered', 1, 'w1'),
                        (?1, 'request.accepted', ?2 + 2, 'claims', 'accepted', 1, 'w1')
                    """, arguments: [Self.t1, base])
            }
            try queue.close()

            let ledger = try Ledger(directory: directory, durability: .os)
            defer { try? ledger.close() }
            let columns = try ledger.writer.read { db in
                try Row.fetchOne(db, sql: "SELECT trail, offered_at, accepted_at FROM request WHERE ticket = ?",
                    arguments: [Self.t1])
            }
            #expect(columns?["trail"] == 0 as Int64)
            #expect(columns?["offered_at"] == nil as Int64?)
            try ledger.apply([Self.answered(Self.t1, at: 10)])
            let history = try ledger.history(ticket: Self.t1)
            #expect(history.map(\.type) == [.requestSubmitted, .requestOffered, .requestAccepted, .requestAnswered])
            #expect(history.map(\.at) == [at(0), at(1), at(2), at(10)])
            #expect(try ledger.request(ticket: Self.t1)?.answer == bytes("answer"))
            #expect(try ledger.openRequests().isEmpty)
        }
    }
}

/// SplitMix64, so that a failing grouping can be replayed from its seed.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
