import SwitchboardSchema
import Testing

@testable import SwitchboardCore

/// Service-level clocks: warnings, breaches, escalation, pauses, transfers, business hours, restarts.
@Suite("SLA clocks")
struct SLATests {
    static func department(
        _ name: String, answer: Duration, firstResponse: Duration? = nil, update: Duration? = nil,
        escalation: Escalation = .notify, transferClock: TransferClockRule = .carryOver,
        calendar: BusinessCalendar = .always
    ) -> DepartmentPolicy {
        var policy = DepartmentPolicy(name: name, answerTargets: Dictionary(uniqueKeysWithValues: Priority.allCases.map { ($0, answer) }))
        if let firstResponse { policy.firstResponseTargets = [.normal: firstResponse] }
        if let update { policy.updateTargets = [.normal: update] }
        policy.escalation = escalation
        policy.transferClock = transferClock
        policy.calendar = calendar
        return policy
    }

    /// The SLA records among actions: (type, target, threshold).
    static func slaEvents(_ actions: [CoreAction]) -> [String] {
        actions.records.compactMap { change in
            switch change.type {
            case .requestSLAWarning: "warning \(change.slaTarget!.rawValue) \(change.threshold!)"
            case .requestSLABreached: "breach \(change.slaTarget!.rawValue)"
            case .requestEscalated: "escalated"
            default: nil
            }
        }
    }

    @Test("a 2 s answer target warns at 50% and 75% and breaches at 100%, each exactly on time")
    func warningsAndBreach() throws {
        var h = Harness(.with(Self.department("quick", answer: .seconds(2))))
        let ticket = try h.open("r-1", to: "quick")
        #expect(h.core.nextDeadline == h.now + .seconds(1))
        #expect(Self.slaEvents(h.advance(by: .milliseconds(999))).isEmpty)
        #expect(Self.slaEvents(h.advance(by: .milliseconds(1))) == ["warning answer 50"])
        #expect(Self.slaEvents(h.advance(by: .milliseconds(499))).isEmpty)
        #expect(Self.slaEvents(h.advance(by: .milliseconds(1))) == ["warning answer 75"])
        let breach = h.advance(by: .milliseconds(500))
        #expect(Self.slaEvents(breach) == ["breach answer"])
        let record = try #require(breach.records(.requestSLABreached).first)
        #expect(record.ticket == ticket)
        #expect(record.dueAt == TestClock.start + .seconds(2))
        let clock = try #require(try h.status(ticket).info.clocks?.first)
        #expect(clock.target == .answer)
        #expect(clock.state == .breached)
        #expect(clock.remainingMs == 0)
        // Nothing more fires for this clock.
        #expect(Self.slaEvents(h.advance(by: .seconds(60))).isEmpty)
    }

    @Test("the first response is met by ACCEPT; the answer clock is met by the answer")
    func firstResponseMet() throws {
        var h = Harness(.with(Self.department("quick", answer: .seconds(10), firstResponse: .seconds(2))))
        _ = h.ready(.w1, ["quick"], credit: 1)
        let ticket = try h.open("r-1", to: "quick")
        _ = h.advance(by: .milliseconds(500))
        _ = h.accept(.w1, ticket)
        #expect(Self.slaEvents(h.advance(by: .seconds(3))).filter { $0.contains("first_response") }.isEmpty)
        let clocks = try #require(try h.status(ticket).info.clocks)
        #expect(clocks.map(\.target) == [.firstResponse, .answer])
        #expect(clocks[0].state == .met)
        #expect(clocks[0].usedMs == 500)
        #expect(clocks[1].state == .running)
        _ = h.answer(.w1, ticket)
        #expect(try h.status(ticket).info.clocks?.map(\.state) == [.met, .met])
    }

    @Test("the periodic-update clock starts over at each update")
    func updateClockRestarts() throws {
        var h = Harness(.with(Self.department("quick", answer: .seconds(100), update: .seconds(2))))
        _ = h.ready(.w1, ["quick"], credit: 1)
        let ticket = try h.open("r-1", to: "quick")
        _ = h.accept(.w1, ticket)
        _ = h.advance(by: .milliseconds(900))
        _ = h.update(.w1, ticket)
        // 50% of the update target is now 1 s after the update, not 1 s after submission.
        #expect(Self.slaEvents(h.advance(by: .milliseconds(999))).isEmpty)
        #expect(Self.slaEvents(h.advance(by: .milliseconds(1))) == ["warning update 50"])
    }

    @Test("a paused clock neither counts nor fires; it resumes where it stopped")
    func pauseAndResume() throws {
        var h = Harness(.with(Self.department("quick", answer: .seconds(2))))
        let ticket = try h.open("r-1", to: "quick")
        _ = h.advance(by: .milliseconds(500))
        h.core.pauseSLA(ticket: ticket, now: h.now)
        #expect(Self.slaEvents(h.advance(by: .seconds(30))).isEmpty)
        #expect(try h.status(ticket).info.clocks?.first?.state == .paused)
        h.core.resumeSLA(ticket: ticket, now: h.now)
        #expect(Self.slaEvents(h.advance(by: .milliseconds(499))).isEmpty)
        #expect(Self.slaEvents(h.advance(by: .milliseconds(1))) == ["warning answer 50"])
    }

    @Test("escalation raise_priority: the breached request moves up and is served before others")
    func raisePriority() throws {
        var h = Harness(.with(Self.department("quick", answer: .seconds(2), escalation: .raisePriority)))
        let late = try h.open("late", to: "quick")
        _ = h.advance(by: .seconds(1))
        _ = try h.open("fresh-1", to: "quick", priority: .high)
        let breach = h.advance(by: .seconds(1))
        #expect(Self.slaEvents(breach.filter { if case .record(let change) = $0 { change.ticket == late } else { false } })
            == ["warning answer 75", "breach answer", "escalated"])
        let escalated = try #require(breach.records(.requestEscalated).first { $0.ticket == late })
        #expect(escalated.priority == .high)
        #expect(try h.status(late).info.priority == .high)
        // Both high now: the escalated one is older and nearer its deadline, so it is offered first.
        let offers = h.ready(.w1, ["quick"], credit: 1).offers
        #expect(offers.map(\.ticket) == [late])
    }

    @Test("escalation transfer: the holder is told to stop, the request moves to the escalation desk")
    func transferEscalation() throws {
        var h = Harness(.with(Self.department("claims", answer: .seconds(2), escalation: .transfer(department: "billing"))))
        _ = h.ready(.w1, ["claims"], credit: 1)
        let ticket = try h.open("r-1")
        _ = h.accept(.w1, ticket)
        let breach = h.advance(by: .seconds(2))
        let escalated = try #require(breach.records(.requestEscalated).first)
        #expect(escalated.department == "billing")
        #expect(escalated.fromDepartment == "claims")
        #expect(breach.cancelledTickets(to: .w1) == [ticket])
        #expect(h.held(by: .w1).isEmpty)
        #expect(h.core.queuedCount(department: "billing") == 1)
        #expect(try h.status(ticket).info.department == "billing")
    }

    @Test("a transfer carries the clock over, or restarts it under the receiving department's policy")
    func transferClockRules() throws {
        for (rule, expectedDue) in [(TransferClockRule.carryOver, Duration.seconds(10)), (.restart, .seconds(104))] {
            var h = Harness(.with(
                Self.department("claims", answer: .seconds(10)),
                Self.department("billing", answer: .seconds(100), transferClock: rule)))
            _ = h.ready(.w1, ["claims"], credit: 1)
            let ticket = try h.open("r-1")
            _ = h.accept(.w1, ticket)
            _ = h.advance(by: .seconds(4))
            _ = h.transfer(.w1, ticket, to: "billing")
            let clock = try #require(try h.status(ticket).info.clocks?.first { $0.target == .answer })
            #expect(clock.dueAt == (TestClock.start + expectedDue).iso8601, "\(rule)")
        }
    }

    @Test("targets count open time only: a Friday-afternoon request waits over the weekend")
    func businessHours() throws {
        let weekdays = Dictionary(uniqueKeysWithValues: (1...5).map { ($0, [BusinessCalendar.Interval(start: 9 * 60, end: 17 * 60)]) })
        let calendar = BusinessCalendar(timeZone: "America/Chicago", weekly: weekdays)
        // Friday 2 January 2026, 16:00 in Chicago (22:00 UTC).
        let friday = TestClock(now: Timestamp(milliseconds: 1_767_391_200_000))
        var h = Harness(.with(Self.department("claims", answer: .seconds(2 * 3600), calendar: calendar)), clock: friday)
        let ticket = try h.open("r-1")
        let clock = try #require(try h.status(ticket).info.clocks?.first)
        // One open hour left on Friday, one more on Monday from 09:00: due Monday 10:00 (16:00 UTC).
        #expect(clock.dueAt == "2026-01-05T16:00:00.000Z")
        // 50% falls at Friday 17:00 exactly.
        #expect(Self.slaEvents(h.advance(by: .milliseconds(3_599_999))).isEmpty)
        #expect(Self.slaEvents(h.advance(by: .milliseconds(1))) == ["warning answer 50"])
        // 75% (1.5 open hours) falls on Monday at 09:30 (15:30 UTC), not during the weekend.
        #expect(Self.slaEvents(h.advance(by: .milliseconds(232_199_999))).isEmpty)
        #expect(Self.slaEvents(h.advance(by: .milliseconds(1))) == ["warning answer 75"])
    }

    @Test("after a restart the clocks run from the submission and past thresholds are not announced again")
    func restoredClocks() throws {
        var h = Harness(.with(Self.department("quick", answer: .seconds(2))))
        let submitted = h.now
        _ = h.advance(by: .milliseconds(1600))
        let restored = RecoveredRequest(
            ticket: Ticket(rawValue: 1), requestID: "r-1", department: "quick", priority: .normal, state: .queued,
            attempts: 0, body: bytes("q"), submittedAt: submitted, updatedAt: submitted, deadline: submitted + .seconds(2))
        let actions = h.core.restore(open: [restored], finished: [], lastTicket: nil, now: h.now)
        #expect(Self.slaEvents(actions).isEmpty)
        #expect(Self.slaEvents(h.advance(by: .milliseconds(399))).isEmpty)
        #expect(Self.slaEvents(h.advance(by: .milliseconds(1))) == ["breach answer"])
    }

    @Test("the policy pinned at submission survives a restart under a changed configuration, clocks and all")
    func pinnedPolicySurvivesRestart() throws {
        // Submitted under a 4 s target; the warning at 50% was already announced before the restart.
        var before = Harness(.with(Self.department("quick", answer: .seconds(4))))
        let ticket = try before.open("r-1", to: "quick")
        let warning = try #require(before.advance(by: .seconds(2)).records(.requestSLAWarning).first)
        let snapshot = try #require(warning.sla?.snapshot)
        #expect(snapshot.clocks.first?.passed == 1)

        // The restarted broker's configuration now says 60 s; the request keeps its 4 s.
        var after = Harness(.with(Self.department("quick", answer: .seconds(60))), clock: before.clock)
        _ = after.advance(by: .milliseconds(500))
        let restored = RecoveredRequest(
            ticket: ticket, requestID: "r-1", department: "quick", priority: .normal, state: .queued, attempts: 0,
            body: bytes("q"), submittedAt: TestClock.start, updatedAt: TestClock.start,
            deadline: TestClock.start + .seconds(4), sla: snapshot)
        #expect(Self.slaEvents(after.core.restore(open: [restored], finished: [], lastTicket: ticket, now: after.now)).isEmpty)
        #expect(try after.status(ticket).info.clocks?.first?.targetMs == 4000)
        // 75% at 3 s and the breach at 4 s after submission, not announced twice at 50%.
        #expect(Self.slaEvents(after.advance(by: .milliseconds(499))).isEmpty)
        #expect(Self.slaEvents(after.advance(by: .milliseconds(1))) == ["warning answer 75"])
        #expect(Self.slaEvents(after.advance(by: .seconds(1))) == ["breach answer"])
    }

    @Test("a snapshot survives its JSON round trip")
    func snapshotRoundTrip() throws {
        let weekdays = Dictionary(uniqueKeysWithValues: (1...5).map { ($0, [BusinessCalendar.Interval(start: 9 * 60, end: 17 * 60)]) })
        var policy = Self.department("claims", answer: .seconds(3600), firstResponse: .seconds(600),
            escalation: .transfer(department: "billing"),
            calendar: BusinessCalendar(timeZone: "America/Chicago", weekly: weekdays, holidays: ["2026-12-25"]))
        policy.warnings = [0.5, 0.9]
        var sla = RequestSLA(policy: policy.slaPolicy(for: .normal), startingAt: TestClock.start)
        let pinned = sla.policy
        sla.clocks[0].stop(at: TestClock.start + .seconds(30), policy: pinned)
        let snapshot = SLASnapshot(sla)
        let decoded = try SLASnapshot.decode(json: JSONCoding.encode(snapshot))
        #expect(decoded == snapshot)
        let back = try #require(decoded.requestSLA)
        #expect(back.policy == sla.policy)
        #expect(back.clocks == sla.clocks)
    }
}
