import SwitchboardSchema
import Testing

@testable import SwitchboardCore

/// SUBMIT: a request id is one request; unknown departments are a clear error; 201 vs 202.
@Suite("Submission")
struct IdempotencyTests {
    @Test("the same request id twice: the same ticket with 200, no second request")
    func sameRequestIDSameTicket() throws {
        var h = Harness()
        let first = h.submit("r-1")
        let ticket = try #require(first.acceptance?.ticket)
        #expect(first.acceptance?.status == .acceptedNoWorker)
        #expect(first.recordTypes == [.requestSubmitted])

        h.clock.advance(by: .seconds(3))
        let second = h.submit("r-1", body: bytes("a different body"))
        #expect(second.toAgent(.agent) == [.accepted(requestID: "r-1", ticket: ticket, status: .ok)])
        #expect(second.records.isEmpty)
        #expect(h.core.openRequests == 1)
        #expect(h.core.queuedCount(department: "claims") == 1)

        // Only one request exists and it keeps its first body.
        let actions = h.ready(.w1, credit: 5)
        #expect(actions.offers == [Offer(.w1, ticket, attempt: 1)])
        #expect(
            actions.toWorker(.w1) == [
                .dispatch(ticket: ticket, department: "claims", priority: .normal, attempt: 1, body: question("r-1"))
            ])
    }

    @Test("the same request id while it is being worked on: still the same ticket, nothing re-offered")
    func resubmitWhileHeld() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 2)
        let ticket = try h.open("r-1")
        _ = h.accept(.w1, ticket)
        let again = h.submit("r-1")
        #expect(again.acceptance?.ticket == ticket)
        #expect(again.acceptance?.status == .ok)
        #expect(again.offers.isEmpty)
        #expect(h.held(by: .w1) == [ticket])
    }

    @Test("the same request id after the answer: 200 and the answer again")
    func resubmitAfterAnswer() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 1)
        let ticket = try h.open("r-1")
        _ = h.answer(.w1, ticket, body: "42")
        let again = h.submit("r-1", from: .otherAgent)
        #expect(
            again.toAgent(.otherAgent) == [
                .accepted(requestID: "r-1", ticket: ticket, status: .ok), .answer(ticket: ticket, body: bytes("42")),
            ])
        #expect(again.records.isEmpty)
    }

    @Test("resubmitting from another connection moves where the answer is pushed")
    func resubmitMovesTheAgent() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 1)
        let ticket = try h.open("r-1", from: .agent)
        _ = h.submit("r-1", from: .otherAgent)
        let answered = h.answer(.w1, ticket)
        #expect(answered.answers(to: .otherAgent).count == 1)
        #expect(answered.toAgent(.agent).isEmpty)
    }

    @Test("an unknown department: ERROR 404 naming the known departments, nothing recorded")
    func unknownDepartment() throws {
        var h = Harness()
        let actions = h.submit("r-1", to: "dental")
        #expect(actions.records.isEmpty)
        #expect(actions.acceptance == nil)
        let errors = actions.agentErrors(to: .agent)
        #expect(errors.count == 1)
        let error = try #require(errors.first)
        #expect(error.reference == "r-1")
        #expect(error.status == .notFound)
        #expect(error.detail.error == "unknown-department")
        #expect(error.detail.requestId == "r-1")
        #expect(
            error.detail.message
                == "department 'dental' is not known; known departments: "
                + "billing, claims, eligibility, pharmacy, provider-relations")
        #expect(h.core.openRequests == 0)
        // The id was not used up.
        #expect(h.submit("r-1", to: "claims").acceptance?.status == .acceptedNoWorker)
    }

    @Test("202 when no worker serves the department, 201 when one does (even a busy one)")
    func acceptedStatusTellsWhetherAnyoneServes() throws {
        var h = Harness()
        #expect(h.submit("r-1").acceptance?.status == .acceptedNoWorker)
        _ = h.ready(.w1, ["billing"], credit: 1)
        #expect(h.submit("r-2").acceptance?.status == .acceptedNoWorker)
        #expect(h.submit("b-1", to: "billing").acceptance?.status == .created)

        _ = h.ready(.w2, ["claims"], credit: 1)  // takes r-1 at once and is full
        #expect(h.held(by: .w2).count == 1)
        let busy = h.submit("r-3")
        #expect(busy.acceptance?.status == .created)
        #expect(busy.offers.isEmpty)

        _ = h.disconnect(.w2)
        #expect(h.submit("r-4").acceptance?.status == .acceptedNoWorker)
    }

    @Test("beyond maxOpenRequests: 429 until one finishes")
    func tooManyOpenRequests() throws {
        var h = Harness(.with(maxOpenRequests: 2))
        _ = h.ready(.w1, credit: 1)
        let first = try h.open("r-1")
        _ = try h.open("r-2")
        let refused = h.submit("r-3")
        #expect(refused.records.isEmpty)
        let error = try #require(refused.agentErrors(to: .agent).first)
        #expect(error.status == .tooManyRequests)
        #expect(error.reference == "r-3")
        #expect(error.detail.error == "too-many-open-requests")
        // A duplicate of an open one is still answered.
        #expect(h.submit("r-2").acceptance?.status == .ok)

        _ = h.answer(.w1, first)
        #expect(h.submit("r-3").acceptance?.status == .created)
    }

    @Test("tickets of one broker are distinct and sort by submission")
    func ticketsAreUniqueAndOrdered() throws {
        var h = Harness()
        var tickets: [Ticket] = []
        for index in 0..<50 {
            if index % 10 == 0 { h.clock.advance(by: .milliseconds(1)) }
            tickets.append(try h.open("r-\(index)"))
        }
        #expect(Set(tickets).count == 50)
        #expect(tickets == tickets.sorted())
    }
}
