import SwitchboardSchema
import Testing

@testable import SwitchboardCore

/// A worker never holds more than its credit; work spreads over idle workers; freed credit pulls more.
@Suite("Credit")
struct CreditTests {
    @Test("a worker with credit 2 holds at most 2 offered or accepted requests")
    func creditIsAnUpperBound() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 2)
        var tickets: [Ticket] = []
        var offered: [Ticket] = []
        for index in 1...5 {
            let actions = h.submit("r-\(index)")
            tickets.append(try #require(actions.acceptance?.ticket))
            offered += actions.offeredTickets(to: .w1)
        }
        #expect(offered == Array(tickets[0..<2]))
        #expect(h.held(by: .w1) == Set(tickets[0..<2]))
        #expect(h.core.queuedCount(department: "claims") == 3)

        // Accepting does not free credit.
        #expect(h.accept(.w1, tickets[0]).offers.isEmpty)
        #expect(h.accept(.w1, tickets[1]).offers.isEmpty)
        #expect(h.submit("r-6").offers.isEmpty)
        #expect(h.core.queuedCount(department: "claims") == 4)

        // Each answer frees exactly one slot.
        #expect(h.answer(.w1, tickets[0]).offeredTickets(to: .w1) == [tickets[2]])
        #expect(h.held(by: .w1).count == 2)
        #expect(h.answer(.w1, tickets[1]).offeredTickets(to: .w1) == [tickets[3]])
        #expect(h.held(by: .w1) == [tickets[2], tickets[3]])
        #expect(h.core.queuedCount(department: "claims") == 2)
    }

    @Test("two workers answering forty requests never exceed their credits, and every request is served once")
    func creditHoldsUnderLoad() throws {
        var h = Harness()
        let credits: [Peer: Int] = [.w1: 3, .w2: 1]
        _ = h.ready(.w1, credit: 3)
        _ = h.ready(.w2, credit: 1)
        var holding: [Peer: [Ticket]] = [.w1: [], .w2: []]
        var offeredOnce: [Ticket: Int] = [:]
        var answered: Set<Ticket> = []
        var tickets: [Ticket] = []

        func absorb(_ actions: [CoreAction]) {
            for offer in actions.offers {
                holding[offer.worker, default: []].append(offer.ticket)
                offeredOnce[offer.ticket, default: 0] += 1
            }
        }
        func checkCredit() {
            for (worker, credit) in credits {
                #expect(holding[worker]!.count <= credit)
                #expect(h.held(by: worker) == Set(holding[worker]!))
            }
        }

        for index in 0..<40 {
            let actions = h.submit("r-\(index)")
            tickets.append(try #require(actions.acceptance?.ticket))
            absorb(actions)
            checkCredit()
            // Every third submission, each worker answers its oldest request.
            if index % 3 == 2 {
                for worker in [Peer.w1, .w2] where !holding[worker]!.isEmpty {
                    let ticket = holding[worker]!.removeFirst()
                    answered.insert(ticket)
                    absorb(h.answer(worker, ticket))
                    checkCredit()
                }
            }
        }
        while let worker = [Peer.w1, .w2].first(where: { !holding[$0]!.isEmpty }) {
            let ticket = holding[worker]!.removeFirst()
            answered.insert(ticket)
            absorb(h.answer(worker, ticket))
            checkCredit()
        }
        #expect(answered == Set(tickets))
        #expect(offeredOnce.values.allSatisfy { $0 == 1 })
        #expect(offeredOnce.count == 40)
        #expect(h.core.openRequests == 0)
        #expect(h.core.queuedCount(department: "claims") == 0)
    }

    @Test("two idle workers with credit 1 get one request each; the third waits")
    func loadSpreadsOverIdleWorkers() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 1)
        _ = h.ready(.w2, credit: 1)
        let first = h.submit("r-1")
        let second = h.submit("r-2")
        let third = h.submit("r-3")
        let t1 = try #require(first.acceptance?.ticket)
        let t2 = try #require(second.acceptance?.ticket)
        #expect(first.offers == [Offer(.w1, t1, attempt: 1)])
        #expect(second.offers == [Offer(.w2, t2, attempt: 1)])
        #expect(third.offers.isEmpty)
        #expect(third.acceptance?.status == .created)
        #expect(h.core.queuedCount(department: "claims") == 1)
    }

    @Test("the least loaded worker is chosen; among equals the one idle longest")
    func leastLoadedFirst() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 3)
        _ = h.ready(.w2, credit: 3)
        var recipients: [Peer] = []
        var tickets: [Ticket] = []
        for index in 1...4 {
            let actions = h.submit("r-\(index)")
            tickets.append(try #require(actions.acceptance?.ticket))
            recipients += actions.offers.map(\.worker)
        }
        #expect(recipients == [.w1, .w2, .w1, .w2])

        // w1 finishes one: it now holds 1 against w2's 2, so it gets the next.
        #expect(h.answer(.w1, tickets[0]).offers.isEmpty)
        #expect(h.submit("r-5").offers.map(\.worker) == [.w1])
        // 2 each: w2 was given work longer ago.
        #expect(h.submit("r-6").offers.map(\.worker) == [.w2])
        #expect(h.held(by: .w1).count == 2)
        #expect(h.held(by: .w2).count == 3)
        #expect(h.submit("r-7").offers.map(\.worker) == [.w1])
        #expect(h.submit("r-8").offers.isEmpty)
    }

    @Test("a worker that registers takes queued requests up to its credit")
    func readyPullsUpToCredit() throws {
        var h = Harness()
        let tickets = try (1...3).map { try h.open("r-\($0)") }
        let actions = h.ready(.w1, credit: 2)
        #expect(actions.offers == [Offer(.w1, tickets[0], attempt: 1), Offer(.w1, tickets[1], attempt: 1)])
        #expect(actions.recordTypes == [.workerJoined, .requestOffered, .requestOffered])
        #expect(h.core.queuedCount(department: "claims") == 1)
    }

    enum Release: String, CaseIterable, Sendable {
        case answer, reject, transfer, cancel
    }

    @Test("freed credit pulls the next queued request", arguments: Release.allCases)
    func freedCreditPullsNext(release: Release) throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 1)
        let first = try h.open("r-1")
        _ = h.accept(.w1, first)
        let second = try h.open("r-2")
        #expect(h.held(by: .w1) == [first])

        let actions: [CoreAction]
        switch release {
        case .answer: actions = h.answer(.w1, first)
        case .reject: actions = h.reject(.w1, first)
        case .transfer: actions = h.transfer(.w1, first, to: "billing")
        case .cancel: actions = h.cancel(first)
        }

        #expect(actions.offers == [Offer(.w1, second, attempt: 1)])
        #expect(h.held(by: .w1) == [second])
        #expect(h.core.state(of: second) == .offered)
        #expect(h.core.queuedCount(department: "claims") == 0)
        if release == .cancel {
            // The worker hears CANCEL before the next DISPATCH.
            let messages = actions.toWorker(.w1)
            #expect(messages.count == 2)
            #expect(messages.first == .cancel(ticket: first))
        }
    }

    @Test("a worker serving two departments takes the best head across them")
    func bestHeadAcrossDepartments() throws {
        var h = Harness()
        let claims = try h.open("c-1", to: "claims", priority: .normal)
        h.clock.advance(by: .seconds(1))
        let pharmacyHigh = try h.open("p-1", to: "pharmacy", priority: .high)
        h.clock.advance(by: .seconds(1))
        let pharmacyLow = try h.open("p-2", to: "pharmacy", priority: .low)
        _ = try h.open("b-1", to: "billing", priority: .urgent)  // not served by w1

        var served = h.ready(.w1, ["claims", "pharmacy"], credit: 1).offeredTickets(to: .w1)
        for _ in 0..<3 {
            guard let last = served.last else { break }
            served += h.answer(.w1, last).offeredTickets(to: .w1)
        }
        #expect(served == [pharmacyHigh, claims, pharmacyLow])
        #expect(h.core.queuedCount(department: "billing") == 1)
    }

    @Test("with credit for several, a two-department worker gets them in order in one go")
    func bestHeadsInOneReady() throws {
        var h = Harness()
        let claims = try h.open("c-1", to: "claims", priority: .normal)
        let pharmacyHigh = try h.open("p-1", to: "pharmacy", priority: .high)
        let pharmacyLow = try h.open("p-2", to: "pharmacy", priority: .low)
        let claimsUrgent = try h.open("c-2", to: "claims", priority: .urgent)
        let actions = h.ready(.w1, ["pharmacy", "claims"], credit: 3)
        #expect(actions.offeredTickets(to: .w1) == [claimsUrgent, pharmacyHigh, claims])
        #expect(h.core.queuedCount(department: "pharmacy") == 1)
        #expect(h.answer(.w1, claims).offeredTickets(to: .w1) == [pharmacyLow])
    }
}
