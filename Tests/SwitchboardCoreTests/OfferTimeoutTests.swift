import SwitchboardSchema
import Testing

@testable import SwitchboardCore

/// An offer not accepted within the department's offerTimeout is taken back and offered again.
@Suite("Offer timeout")
struct OfferTimeoutTests {
    /// Claims offers time out after 10 s, billing ones after 60 s; workers are lost only after 3 minutes.
    static let configuration = CoreConfiguration.with(
        DepartmentPolicy(name: "claims", offerTimeout: .seconds(10)),
        DepartmentPolicy(name: "billing", offerTimeout: .seconds(60)),
        heartbeatInterval: .seconds(60))

    @Test("an offered request is requeued after offerTimeout and the worker gets CANCEL")
    func unacceptedOfferIsTakenBack() throws {
        var h = Harness(Self.configuration)
        _ = h.ready(.w1, credit: 1)
        _ = h.ready(.w2, credit: 1)
        let ticket = try h.open("r-1")
        #expect(h.held(by: .w1) == [ticket])

        let early = h.advance(by: .milliseconds(9999))
        #expect(early.isEmpty)
        #expect(h.core.state(of: ticket) == .offered)

        let actions = h.advance(by: .milliseconds(1))
        #expect(actions.toWorker(.w1) == [.cancel(ticket: ticket)])
        #expect(actions.recordTypes == [.requestRequeued, .requestOffered])
        let requeued = try #require(actions.records(.requestRequeued).first)
        #expect(requeued.attempt == 1)
        #expect(requeued.reason?.hasPrefix("offer not accepted within") == true)
        #expect(actions.offers == [Offer(.w2, ticket, attempt: 2)])
        #expect(h.held(by: .w1).isEmpty)
        #expect(h.held(by: .w2) == [ticket])

        let status = try h.status(ticket).info
        #expect(status.state == .offered)
        #expect(status.attempts == 2)
        #expect(status.worker == "w2")

        // The first worker's late ACCEPT is refused: the request is no longer its.
        let late = h.accept(.w1, ticket)
        #expect(late.workerErrors(to: .w1).map(\.status) == [.conflict])
        #expect(late.records.isEmpty)
        #expect(h.core.state(of: ticket) == .offered)
    }

    @Test("the new offer gets its own timeout; an unaccepted request keeps moving")
    func timesOutAgain() throws {
        var h = Harness(Self.configuration)
        _ = h.ready(.w1, credit: 1)
        _ = h.ready(.w2, credit: 1)
        let ticket = try h.open("r-1")
        #expect(h.advance(by: .seconds(10)).offers == [Offer(.w2, ticket, attempt: 2)])
        #expect(h.advance(by: .milliseconds(9999)).isEmpty)
        let again = h.advance(by: .milliseconds(1))
        #expect(again.cancelledTickets(to: .w2) == [ticket])
        #expect(again.offers == [Offer(.w1, ticket, attempt: 3)])
    }

    @Test("an accepted request is not taken back")
    func acceptedOfferStays() throws {
        var h = Harness(Self.configuration)
        _ = h.ready(.w1, credit: 1)
        _ = h.ready(.w2, credit: 1)
        let ticket = try h.open("r-1")
        h.clock.advance(by: .seconds(5))
        let accepted = h.accept(.w1, ticket)
        #expect(accepted.recordTypes == [.requestAccepted])
        #expect(accepted.records.first?.state == .accepted)

        let later = h.advance(by: .seconds(55))
        #expect(later.records.isEmpty)
        #expect(later.cancelCount == 0)
        #expect(later.offers.isEmpty)
        #expect(h.core.state(of: ticket) == .accepted)
        #expect(h.held(by: .w1) == [ticket])
        #expect(try h.status(ticket).info.attempts == 1)
    }

    @Test("an UPDATE counts as accepting the offer")
    func updateAccepts() throws {
        var h = Harness(Self.configuration)
        _ = h.ready(.w1, credit: 1)
        let ticket = try h.open("r-1")
        h.clock.advance(by: .seconds(5))
        #expect(h.update(.w1, ticket).recordTypes == [.requestUpdated])
        #expect(h.core.state(of: ticket) == .accepted)
        let later = h.advance(by: .seconds(30))
        #expect(later.records.isEmpty)
        #expect(later.cancelCount == 0)
    }

    @Test("each department's own offerTimeout applies")
    func timeoutPerDepartment() throws {
        var h = Harness(Self.configuration)
        _ = h.ready(.w1, ["claims"], credit: 1)
        _ = h.ready(.w2, ["billing"], credit: 1)
        let claims = try h.open("c-1", to: "claims")
        let billing = try h.open("b-1", to: "billing")

        let atTen = h.advance(by: .seconds(10))
        #expect(atTen.cancelledTickets(to: .w1) == [claims])
        #expect(atTen.toWorker(.w2).isEmpty)
        #expect(atTen.offers == [Offer(.w1, claims, attempt: 2)])
        _ = h.accept(.w1, claims)

        #expect(h.advance(by: .milliseconds(49_999)).cancelCount == 0)
        let atSixty = h.advance(by: .milliseconds(1))
        #expect(atSixty.cancelledTickets(to: .w2) == [billing])
        #expect(atSixty.cancelledTickets(to: .w1).isEmpty)
    }

    @Test("only the current offer times out, not an earlier one of the same request")
    func staleOfferTimerIsIgnored() throws {
        var h = Harness(Self.configuration)
        _ = h.ready(.w1, credit: 1)
        _ = h.ready(.w2, credit: 1)
        let ticket = try h.open("r-1")  // offer 1 to w1, due back at 10 s
        h.clock.advance(by: .seconds(5))
        #expect(h.disconnect(.w1).offers == [Offer(.w2, ticket, attempt: 2)])  // offer 2, due back at 15 s

        let atTen = h.advance(by: .seconds(5))
        #expect(atTen.isEmpty)
        #expect(h.held(by: .w2) == [ticket])

        let atFifteen = h.advance(by: .seconds(5))
        #expect(atFifteen.cancelledTickets(to: .w2) == [ticket])
        #expect(atFifteen.offers == [Offer(.w2, ticket, attempt: 3)])
    }

    @Test("after a transfer, the old department's offer timer does not cut the new offer short")
    func transferredOfferKeepsItsOwnTimeout() throws {
        var h = Harness(Self.configuration)
        _ = h.ready(.w1, ["claims"], credit: 1)
        _ = h.ready(.w2, ["billing"], credit: 1)
        let ticket = try h.open("r-1")  // claims offer, attempt 1, due back at 10 s
        h.clock.advance(by: .seconds(1))
        _ = h.accept(.w1, ticket)
        h.clock.advance(by: .seconds(1))
        // Billing offer, attempt 1 again, due back at 62 s.
        #expect(h.transfer(.w1, ticket, to: "billing").offers == [Offer(.w2, ticket, attempt: 1)])

        let atTen = h.advance(by: .seconds(8))
        #expect(atTen.cancelCount == 0)
        #expect(atTen.records.isEmpty)
        #expect(h.core.state(of: ticket) == .offered)
        #expect(h.held(by: .w2) == [ticket])

        #expect(h.advance(by: .milliseconds(51_999)).cancelCount == 0)
        let atSixtyTwo = h.advance(by: .milliseconds(1))
        #expect(atSixtyTwo.cancelledTickets(to: .w2) == [ticket])
        #expect(atSixtyTwo.records(.requestRequeued).map(\.department) == ["billing"])
    }

    @Test("transferred away and back: the first offer's timer does not fire on the new one")
    func transferredBackKeepsItsOwnTimeout() throws {
        var h = Harness(Self.configuration)
        _ = h.ready(.w1, ["claims"], credit: 1)
        _ = h.ready(.w2, ["billing"], credit: 1)
        let ticket = try h.open("r-1")  // claims, attempt 1, due back at 10 s
        h.clock.advance(by: .seconds(1))
        _ = h.transfer(.w1, ticket, to: "billing")
        h.clock.advance(by: .seconds(2))
        // Back in claims at 3 s: attempt 1 again, due back at 13 s.
        #expect(h.transfer(.w2, ticket, to: "claims").offers == [Offer(.w1, ticket, attempt: 1)])

        #expect(h.advance(by: .seconds(7)).cancelCount == 0)  // 10 s
        #expect(h.advance(by: .milliseconds(2999)).cancelCount == 0)
        #expect(h.advance(by: .milliseconds(1)).cancelledTickets(to: .w1) == [ticket])  // 13 s
    }
}
