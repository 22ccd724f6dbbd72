import SwitchboardSchema
import Testing

@testable import SwitchboardCore

/// Within a department: priority first, then the earliest deadline, then the oldest.
@Suite("Dispatch order")
struct DispatchOrderTests {
    @Test("a worker with room for all gets them urgent, high, normal, low")
    func priorityOrderInOneReady() throws {
        var h = Harness()
        let low = try h.open("r-low", priority: .low)
        let normal = try h.open("r-normal", priority: .normal)
        let urgent = try h.open("r-urgent", priority: .urgent)
        let high = try h.open("r-high", priority: .high)
        #expect(h.core.queuedCount(department: "claims") == 4)

        let actions = h.ready(.w1, credit: 4)

        #expect(actions.offeredTickets(to: .w1) == [urgent, high, normal, low])
        let priorities = actions.toWorker(.w1).compactMap { message -> Priority? in
            guard case let .dispatch(_, _, priority, _, _) = message else { return nil }
            return priority
        }
        #expect(priorities == [.urgent, .high, .normal, .low])
        #expect(h.core.queuedCount(department: "claims") == 0)
    }

    @Test("a worker with credit 1 is served one at a time in priority order")
    func priorityOrderOneAtATime() throws {
        var h = Harness()
        let low = try h.open("r-low", priority: .low)
        let normal = try h.open("r-normal", priority: .normal)
        let urgent = try h.open("r-urgent", priority: .urgent)
        let high = try h.open("r-high", priority: .high)

        var actions = h.ready(.w1, credit: 1)
        var served: [Ticket] = []
        for _ in 0..<4 {
            let offered = actions.offeredTickets(to: .w1)
            #expect(offered.count == 1)
            guard let ticket = offered.first else { break }
            served.append(ticket)
            h.clock.advance(by: .seconds(1))
            actions = h.answer(.w1, ticket)
        }
        #expect(served == [urgent, high, normal, low])
        #expect(actions.offers.isEmpty)
    }

    @Test("priority beats an earlier deadline and an older submission")
    func priorityBeatsDeadline() throws {
        // Low requests here have a 1-minute target, normal ones 4 hours: the low one is older and due sooner.
        let claims = DepartmentPolicy(name: "claims", answerTargets: [.low: .seconds(60), .normal: .seconds(4 * 3600)])
        var h = Harness(.with(claims))
        let low = try h.open("r-low", priority: .low)
        h.clock.advance(by: .seconds(1))
        let normal = try h.open("r-normal", priority: .normal)
        #expect(try h.status(low).info.deadline == iso(.seconds(60)))
        #expect(try h.status(normal).info.deadline == iso(.seconds(4 * 3600 + 1)))

        #expect(h.ready(.w1, credit: 1).offeredTickets(to: .w1) == [normal])
        #expect(h.answer(.w1, normal).offeredTickets(to: .w1) == [low])
    }

    @Test("within a priority the earliest deadline goes first, even when it is younger (across departments)")
    func earliestDeadlineAcrossDepartments() throws {
        let claims = DepartmentPolicy(name: "claims", answerTargets: [.normal: .seconds(4 * 3600)])
        let pharmacy = DepartmentPolicy(name: "pharmacy", answerTargets: [.normal: .seconds(30 * 60)])
        var h = Harness(.with(claims, pharmacy))
        let c1 = try h.open("c-1", to: "claims")  // due at +4h
        h.clock.advance(by: .seconds(10 * 60))
        let p1 = try h.open("p-1", to: "pharmacy")  // due at +40min
        h.clock.advance(by: .seconds(10 * 60))
        let c2 = try h.open("c-2", to: "claims")  // due at +4h20min

        var actions = h.ready(.w1, ["claims", "pharmacy"], credit: 1)
        var served: [Ticket] = []
        for _ in 0..<3 {
            let offered = actions.offeredTickets(to: .w1)
            #expect(offered.count == 1)
            guard let ticket = offered.first else { break }
            served.append(ticket)
            actions = h.answer(.w1, ticket)
        }
        #expect(served == [p1, c1, c2])
    }

    @Test("within one queue a transferred request with an earlier deadline passes older ones")
    func earliestDeadlineWithinOneQueue() throws {
        let claims = DepartmentPolicy(name: "claims", answerTargets: [.normal: .seconds(4 * 3600)])
        let pharmacy = DepartmentPolicy(name: "pharmacy", answerTargets: [.normal: .seconds(30 * 60)])
        var h = Harness(.with(claims, pharmacy))
        _ = h.ready(.w1, ["claims"], credit: 1)
        _ = h.ready(.w2, ["pharmacy"], credit: 1)
        let c0 = try h.open("c-0", to: "claims")  // occupies w1
        let c1 = try h.open("c-1", to: "claims")  // queued, due at +4h
        h.clock.advance(by: .seconds(60))
        let p1 = try h.open("p-1", to: "pharmacy")  // to w2, due at +31min
        h.clock.advance(by: .seconds(60))
        let c2 = try h.open("c-2", to: "claims")  // queued, due at +4h2min
        #expect(h.held(by: .w1) == [c0])
        #expect(h.held(by: .w2) == [p1])

        _ = h.transfer(.w2, p1, to: "claims")
        #expect(h.core.queuedCount(department: "claims") == 3)

        #expect(h.answer(.w1, c0).offeredTickets(to: .w1) == [p1])
        #expect(h.answer(.w1, p1).offeredTickets(to: .w1) == [c1])
        #expect(h.answer(.w1, c1).offeredTickets(to: .w1) == [c2])
    }

    @Test("same priority and deadline: submission order, also for many requests in one millisecond")
    func submissionOrderBreaksTies() throws {
        var h = Harness()
        var submitted: [Ticket] = []
        for index in 0..<25 {
            submitted.append(try h.open("r-\(index)"))
        }
        #expect(Set(submitted).count == 25)
        let actions = h.ready(.w1, credit: 25)
        #expect(actions.offeredTickets(to: .w1) == submitted)
    }

    @Test("same priority, submitted over time: oldest first; a lower priority waits behind all of them")
    func ageOrderOverTime() throws {
        var h = Harness()
        let h1 = try h.open("h-1", priority: .high)
        h.clock.advance(by: .seconds(1))
        let low = try h.open("l-1", priority: .low)
        h.clock.advance(by: .seconds(1))
        let h2 = try h.open("h-2", priority: .high)
        h.clock.advance(by: .seconds(1))
        let h3 = try h.open("h-3", priority: .high)

        var served = h.ready(.w1, credit: 1).offeredTickets(to: .w1)
        for _ in 0..<3 {
            guard let last = served.last else { break }
            served += h.answer(.w1, last).offeredTickets(to: .w1)
        }
        #expect(served == [h1, h2, h3, low])
    }

    @Test("a requeued request goes back ahead of newer ones")
    func requeuedKeepsItsPlace() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 1)
        let first = try h.open("r-1")
        let second = try h.open("r-2")
        _ = h.accept(.w1, first)
        let lost = h.disconnect(.w1)
        #expect(lost.records(.requestRequeued).map(\.ticket) == [first])
        #expect(h.core.queuedCount(department: "claims") == 2)

        #expect(h.ready(.w2, credit: 1).offers == [Offer(.w2, first, attempt: 2)])
        #expect(h.answer(.w2, first).offers == [Offer(.w2, second, attempt: 1)])
    }
}
