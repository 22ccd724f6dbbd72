import SwitchboardSchema
import Testing

@testable import SwitchboardCore

/// What operations staff read (departments, workers, request lists) and do (drain, cancel, requeue a dead
/// letter), against Core with a test clock.
@Suite("Operations")
struct OperationsTests {
    @Test("department summaries count open requests by state, the oldest age, SLA risk and workers")
    func departmentSummaries() throws {
        var policy = DepartmentPolicy(name: "claims")
        policy.answerTargets = [.normal: .seconds(100), .urgent: .seconds(100)]
        var h = Harness(.with(policy))
        let first = try h.open("r-1")
        h.clock.advance(by: .seconds(10))
        _ = h.ready(.w1, credit: 1)
        let second = try h.open("r-2", priority: .urgent)
        _ = h.accept(.w1, first)
        h.pass(seconds: 45, heartbeats: [.w1])  // 55 s of 100: past the 50% warning for r-1, 45 s for r-2
        var claims = try #require(h.core.departmentSummaries(now: h.now).first { $0.name == "claims" })
        #expect(claims.pending == 2)
        #expect(claims.queued == 1)
        #expect(claims.accepted == 1)
        #expect(claims.oldestPendingTicket == first.text)
        #expect(claims.oldestPendingSeconds == 55)
        #expect(claims.atRisk == 1)
        #expect(claims.breached == 0)
        #expect(claims.workers == 1)
        #expect(claims.credit == 1)
        #expect(claims.freeCredit == 0)

        h.pass(seconds: 50, heartbeats: [.w1])  // r-1 past its target, r-2 past 75%
        claims = try #require(h.core.departmentSummaries(now: h.now).first { $0.name == "claims" })
        #expect(claims.breached == 1)
        #expect(claims.atRisk == 1)
        let counts = h.core.liveCounts(now: h.now)
        #expect(counts.oldestAges["claims"]?[.normal] == 105)
        #expect(counts.oldestAges["claims"]?[.urgent] == 95)
        #expect(counts.oldestAges["billing"] == nil)
        #expect(counts.departments.first { $0.name == "claims" }?.openByState.map(\.count) == [1, 0, 1, 0])
        _ = second
    }

    @Test("open request lists filter by department, priority and risk, sort by age or deadline, and page")
    func openRequestLists() throws {
        var policy = DepartmentPolicy(name: "claims")
        policy.answerTargets = [.normal: .seconds(100), .urgent: .seconds(20)]
        var h = Harness(.with(policy))
        let normal = try h.open("r-1")
        h.clock.advance(by: .seconds(1))
        let urgent = try h.open("r-2", priority: .urgent)
        h.clock.advance(by: .seconds(1))
        let billing = try h.open("r-3", to: "billing")

        var filter = RequestFilter()
        #expect(h.core.openRequests(filter, now: h.now).items.map(\.ticket).map { Ticket($0)! } == [billing, urgent, normal])
        filter.order = .deadline
        #expect(h.core.openRequests(filter, now: h.now).items.map(\.ticket).map { Ticket($0)! }.prefix(2) == [urgent, normal])
        filter.department = "claims"
        filter.priority = .urgent
        let page = h.core.openRequests(filter, now: h.now)
        #expect(page.items.map(\.ticket).map { Ticket($0)! } == [urgent])
        #expect(page.total == 1)
        #expect(page.items.first?.dueInSeconds == 19)
        #expect(page.items.first?.ageSeconds == 1)

        filter = RequestFilter()
        filter.breaching = true
        #expect(h.core.openRequests(filter, now: h.now).total == 0)
        _ = h.advance(by: .seconds(10))  // urgent: 10 s of 20, its 50% warning
        #expect(h.core.openRequests(filter, now: h.now).items.map(\.ticket).map { Ticket($0)! } == [urgent])
        #expect(h.core.openRequests(filter, now: h.now).items.first?.sla == .warning)

        filter = RequestFilter()
        filter.limit = 2
        filter.offset = 2
        let last = h.core.openRequests(filter, now: h.now)
        #expect(last.items.map(\.ticket).map { Ticket($0)! } == [normal])
        #expect(last.total == 3)
        filter.offset = 5
        #expect(h.core.openRequests(filter, now: h.now).items.isEmpty)
    }

    @Test("a drained worker gets nothing new, keeps what it holds, and is recorded once")
    func drain() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 2)
        let held = try h.open("r-1")
        let (result, actions) = h.core.drain(worker: "w1", now: h.now)
        let summary = try result.get()
        #expect(summary.draining)
        #expect(summary.tickets == [held.text])
        #expect(actions.recordTypes == [.workerDraining])
        #expect(h.submit("r-2").offers.isEmpty, "a draining worker is offered nothing")
        #expect(h.core.departmentSummaries(now: h.now).first { $0.name == "claims" }?.freeCredit == 0)
        // What it holds it may still finish; that frees no credit for new work.
        _ = h.accept(.w1, held)
        #expect(h.answer(.w1, held).offers.isEmpty)
        // Draining again changes nothing and records nothing.
        #expect(h.core.drain(worker: "w1", now: h.now).1.isEmpty)
        // Another worker serves the queue.
        #expect(h.ready(.w2).offers.count == 1)
    }

    @Test("drain refuses an unknown worker and an ambiguous name, and accepts an id")
    func drainNames() throws {
        var h = Harness()
        let info = ReadyInfo(departments: ["claims"], credit: 1, name: "bot")
        _ = h.core.ready(from: .w1, info: info, now: h.now)
        _ = h.core.ready(from: .w2, info: info, now: h.now)
        #expect(throws: ProtocolError.self) { try h.core.drain(worker: "nobody", now: h.now).0.get() }
        let ambiguous = h.core.drain(worker: "bot", now: h.now).0
        #expect(throws: ProtocolError.self) { try ambiguous.get() }
        if case .failure(let error) = ambiguous { #expect(error.reason == "ambiguous-worker") }
        let byID = try h.core.drain(worker: Peer.w2.description, now: h.now).0.get()
        #expect(byID.id == Peer.w2.description)
        #expect(h.core.workerSummaries(now: h.now).filter(\.draining).map(\.id) == [Peer.w2.description])
    }

    @Test("an operator's cancel tells the agent and the worker, frees the credit, and refuses a finished request")
    func operatorCancel() throws {
        var h = Harness()
        _ = h.ready(.w1)
        let ticket = try h.open("r-1")
        let queued = try h.open("r-2")
        let (result, actions) = h.core.cancel(byOperator: ticket, now: h.now)
        #expect(try result.get() == .cancelled)
        #expect(actions.cancelledTickets(to: .w1) == [ticket])
        #expect(try actions.statuses(to: .agent).map(\.info.state) == [.cancelled])
        #expect(actions.records(.requestCancelled).first?.reason == "cancelled by an operator")
        #expect(actions.offeredTickets(to: .w1) == [queued], "the freed credit takes the next request")
        let again = h.core.cancel(byOperator: ticket, now: h.now).0
        if case .failure(let error) = again { #expect(error.reason == "already-final") } else { Issue.record("cancelled twice") }
        if case .failure(let error) = h.core.cancel(byOperator: .unknown, now: h.now).0 {
            #expect(error.status == .notFound)
        } else {
            Issue.record("an unknown ticket was cancelled")
        }
    }

    @Test("a dead letter requeued by an operator is queued again with its attempts reset; anything else is refused")
    func requeueDeadLetter() throws {
        var h = Harness()
        _ = h.ready(.w1)
        let ticket = try h.open("r-1")
        _ = h.accept(.w1, ticket)
        _ = h.reject(.w1, ticket)
        _ = h.disconnect(.w1)
        #expect(h.core.state(of: ticket) == .deadLettered)
        let stored = RecoveredRequest(
            ticket: ticket, requestID: "r-1", department: "claims", priority: .normal, state: .deadLettered,
            attempts: 1, body: question("r-1"), submittedAt: TestClock.start, updatedAt: h.now, deadline: h.now)

        let (result, actions) = h.core.requeue(deadLetter: stored, now: h.now)
        #expect(try result.get() == .queued)
        let change = try #require(actions.records(.requestRequeued).first)
        #expect(change.attempt == 0)
        #expect(change.reason == "requeued by an operator")
        #expect(h.core.queuedCount(department: "claims") == 1)
        // A worker gets it, with its body, as a first attempt.
        let offers = h.ready(.w2)
        #expect(offers.offers == [Offer(.w2, ticket, attempt: 1)])
        guard case let .sendToWorker(_, .dispatch(_, _, _, _, body)) = offers.first(where: {
            if case .sendToWorker(_, .dispatch) = $0 { return true } else { return false }
        }) else { Issue.record("no DISPATCH"); return }
        #expect(body == question("r-1"))

        // It is open now: a second requeue is refused, and so is one of a request that is not a dead letter.
        if case .failure(let error) = h.core.requeue(deadLetter: stored, now: h.now).0 {
            #expect(error.reason == "not-dead-lettered")
        } else {
            Issue.record("requeued twice")
        }
        var answered = stored
        answered.state = .answered
        answered.ticket = .unknown
        if case .failure(let error) = h.core.requeue(deadLetter: answered, now: h.now).0 {
            #expect(error.status == .conflict)
        } else {
            Issue.record("an answered request was requeued")
        }
    }

    @Test("a requeued dead letter that had left memory comes back, and is not evicted as a finished request")
    func requeueAfterEviction() throws {
        var h = Harness(.with(retainedFinishedRequests: 1))
        _ = h.ready(.w1)
        let ticket = try h.open("r-1")
        _ = h.reject(.w1, ticket)
        let stored = RecoveredRequest(
            ticket: ticket, requestID: "r-1", department: "claims", priority: .normal, state: .deadLettered,
            attempts: 1, body: question("r-1"), submittedAt: TestClock.start, updatedAt: h.now, deadline: h.now)
        _ = h.disconnect(.w1)
        let evicting = try h.open("r-evict")
        _ = h.core.cancel(byOperator: evicting, now: h.now)
        #expect(h.core.state(of: ticket) == nil, "only one finished request stays in memory")
        #expect(try h.core.requeue(deadLetter: stored, now: h.now).0.get() == .queued)
        // More requests finish: the finished list is trimmed, but the requeued one is open and stays.
        _ = h.ready(.w2)
        for index in 2...4 {
            let other = try h.open("r-\(index)")
            _ = h.core.cancel(byOperator: other, now: h.now)
        }
        #expect(h.core.state(of: ticket) != nil)
        #expect(h.core.state(of: ticket)?.isFinal == false)
    }
}

extension Harness {
    /// Lets time pass a second at a time, the workers heartbeating so they stay alive.
    mutating func pass(seconds: Int, heartbeats workers: [Peer]) {
        for _ in 0..<seconds {
            _ = advance(by: .seconds(1))
            for worker in workers { _ = heartbeat(worker) }
        }
    }
}

@Suite("Operations: top of a list")
struct TopOfListTests {
    @Test("the first k in order equal a full sort's prefix, for small and large k, with ties kept stable")
    func firstMatchesSort() {
        var generator = SystemRandomNumberGenerator()
        for size in [0, 1, 7, 100, 2000] {
            let values = (0..<size).map { _ in Int.random(in: 0..<50, using: &generator) }
            for count in [0, 1, 5, 50, 3000] {
                let expected = Array(values.sorted().prefix(count))
                #expect(BrokerCore.first(count, of: values, by: <) == expected, "size \(size), first \(count)")
            }
        }
    }
}

@Suite("Operations: edges")
struct OperationEdgeTests {
    @Test("a department served only by draining workers is served by nobody: ACCEPTED says 202")
    func drainedDepartmentIsUnserved() throws {
        var h = Harness()
        _ = h.ready(.w1)
        #expect(h.submit("r-1").acceptance?.status == .created)
        _ = h.core.drain(worker: "w1", now: h.now)
        #expect(h.submit("r-2").acceptance?.status == .acceptedNoWorker)
    }

    @Test("a requeued dead letter keeps its request id after the old finish leaves the idempotency window")
    func requeuedKeepsItsRequestID() throws {
        var h = Harness(.with(retention: .seconds(60)))
        _ = h.ready(.w1)
        let ticket = try h.open("r-1")
        _ = h.reject(.w1, ticket)
        _ = h.disconnect(.w1)
        let stored = RecoveredRequest(
            ticket: ticket, requestID: "r-1", department: "claims", priority: .normal, state: .deadLettered,
            attempts: 1, body: question("r-1"), submittedAt: TestClock.start, updatedAt: h.now, deadline: h.now)
        #expect(try h.core.requeue(deadLetter: stored, now: h.now).0.get() == .queued)
        _ = h.advance(by: .seconds(61))  // the heartbeat tick prunes the index
        #expect(h.submit("r-1").acceptance?.ticket == ticket, "the same request id still names the same ticket")
    }

    @Test("a requeue based on a ledger row older than the request's last finish is refused")
    func staleRequeueIsRefused() throws {
        var h = Harness(.with(retainedFinishedRequests: 1))
        _ = h.ready(.w1)
        let ticket = try h.open("r-1")
        _ = h.reject(.w1, ticket)
        let stale = RecoveredRequest(
            ticket: ticket, requestID: "r-1", department: "claims", priority: .normal, state: .deadLettered,
            attempts: 1, body: question("r-1"), submittedAt: TestClock.start, updatedAt: h.now, deadline: h.now)
        h.clock.advance(by: .seconds(1))
        // Requeued, then finished again (answered) and evicted from memory by another finish.
        let first = h.core.requeue(deadLetter: stale, now: h.now).0
        #expect(throws: Never.self, "\(first)") { try first.get() }
        _ = h.accept(.w1, ticket)
        _ = h.answer(.w1, ticket)
        let other = try h.open("r-2")
        _ = h.core.cancel(byOperator: other, now: h.now)
        #expect(h.core.state(of: ticket) == nil)
        if case .failure(let error) = h.core.requeue(deadLetter: stale, now: h.now).0 {
            #expect(error.reason == "changed")
        } else {
            Issue.record("a stale dead-letter row reopened an answered request")
        }
    }
}
