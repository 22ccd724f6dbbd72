import SwitchboardSchema
import Testing

@testable import SwitchboardCore

/// TRANSFER: same ticket, the other department's queue, the deadline carried over.
@Suite("Transfer")
struct TransferTests {
    static let configuration = CoreConfiguration.with(
        DepartmentPolicy(name: "claims", answerTargets: [.normal: .seconds(4 * 3600)]),
        DepartmentPolicy(name: "billing", answerTargets: [.normal: .seconds(3600)]))

    @Test("the request moves to the new department's queue with the same ticket and deadline")
    func transferQueuesInTargetDepartment() throws {
        var h = Harness(Self.configuration)
        _ = h.ready(.w1, ["claims"], credit: 1)
        let ticket = try h.open("r-1")
        _ = h.accept(.w1, ticket)
        h.clock.advance(by: .seconds(5 * 60))

        let actions = h.transfer(.w1, ticket, to: "billing", reason: "a billing question")
        #expect(actions.recordTypes == [.requestTransferred])
        let change = try #require(actions.records.first)
        #expect(change.ticket == ticket)
        #expect(change.fromDepartment == "claims")
        #expect(change.department == "billing")
        #expect(change.state == .queued)
        #expect(change.worker == "w1")
        #expect(change.reason == "a billing question")
        #expect(actions.agentMessageCount == 0)
        #expect(h.held(by: .w1).isEmpty)
        #expect(h.core.queuedCount(department: "billing") == 1)
        #expect(h.core.queuedCount(department: "claims") == 0)

        let status = try h.status(ticket).info
        #expect(status.ticket == ticket.text)
        #expect(status.department == "billing")
        #expect(status.state == .queued)
        #expect(status.attempts == 0)
        #expect(status.worker == nil)
        // Submitted under claims' 4 h target; billing's 1 h target does not restart the clock.
        #expect(status.deadline == iso(.seconds(4 * 3600)))

        let served = h.ready(.w2, ["billing"], credit: 1)
        #expect(served.offers == [Offer(.w2, ticket, attempt: 1)])
        #expect(
            served.toWorker(.w2) == [
                .dispatch(ticket: ticket, department: "billing", priority: .normal, attempt: 1, body: question("r-1"))
            ])
        let answered = h.answer(.w2, ticket, body: "paid")
        #expect(answered.answers(to: .agent).map(\.body) == [bytes("paid")])
    }

    @Test("a billing worker already waiting gets the transferred request at once")
    func transferDispatchesImmediately() throws {
        var h = Harness(Self.configuration)
        _ = h.ready(.w1, ["claims"], credit: 1)
        _ = h.ready(.w2, ["billing"], credit: 1)
        let ticket = try h.open("r-1")
        let actions = h.transfer(.w1, ticket, to: "billing")
        #expect(actions.recordTypes == [.requestTransferred, .requestOffered])
        #expect(actions.offers == [Offer(.w2, ticket, attempt: 1)])
        #expect(h.core.queuedCount(department: "billing") == 0)
    }

    @Test("unknown target department: ERROR 404 to the worker, the request goes back to its own queue")
    func unknownTargetDepartment() throws {
        var h = Harness(Self.configuration)
        _ = h.ready(.w1, ["claims"], credit: 1)
        let ticket = try h.open("r-1")
        _ = h.accept(.w1, ticket)

        let actions = h.transfer(.w1, ticket, to: "dental")
        #expect(actions.recordTypes == [.requestRequeued, .requestOffered])
        #expect(actions.records(.requestRequeued).first?.reason?.hasPrefix("transfer refused: department 'dental'") == true)
        let errors = actions.workerErrors(to: .w1)
        #expect(errors.count == 1)
        let error = try #require(errors.first)
        #expect(error.reference == ticket.text)
        #expect(error.status == .notFound)
        #expect(error.detail.error == "unknown-department")
        #expect(error.detail.message.contains("'dental'"))
        #expect(error.detail.message.contains("billing, claims, eligibility, pharmacy, provider-relations"))

        // Re-offered (the only worker is w1) as attempt 2, still in claims.
        #expect(actions.offers == [Offer(.w1, ticket, attempt: 2)])
        #expect(h.core.state(of: ticket) == .offered)
        #expect(h.held(by: .w1) == [ticket])
        #expect(try h.status(ticket).info.department == "claims")
        #expect(h.answer(.w1, ticket).answers(to: .agent).count == 1)
    }

    @Test("a bot that keeps transferring to a wrong department ends in the dead letters after max attempts")
    func repeatedBadTransfers() throws {
        var h = Harness()
        _ = h.ready(.w1, ["claims"], credit: 1)
        let ticket = try h.open("r-1")
        var last: [CoreAction] = []
        for _ in 1...5 {
            _ = h.accept(.w1, ticket)
            last = h.transfer(.w1, ticket, to: "dental")
        }
        #expect(last.recordTypes == [.requestDeadLettered])
        #expect(h.core.state(of: ticket) == .deadLettered)
        #expect(last.agentErrors(to: .agent).map(\.status) == [.deadLettered])
        #expect(h.held(by: .w1).isEmpty)
    }

    @Test("transfer to its own department: ERROR 400, the request is requeued")
    func sameDepartment() throws {
        var h = Harness(Self.configuration)
        _ = h.ready(.w1, ["claims"], credit: 1)
        let ticket = try h.open("r-1")
        _ = h.accept(.w1, ticket)
        let actions = h.transfer(.w1, ticket, to: "claims")
        #expect(actions.recordTypes == [.requestRequeued, .requestOffered])
        let error = try #require(actions.workerErrors(to: .w1).first)
        #expect(error.status == .badRequest)
        #expect(error.reference == ticket.text)
        #expect(error.detail.error == "same-department")
        #expect(h.core.state(of: ticket) == .offered)
        #expect(h.held(by: .w1) == [ticket])
    }

    @Test("only the holder may transfer: others get 409, unknown tickets 404")
    func onlyTheHolderTransfers() throws {
        var h = Harness(Self.configuration)
        _ = h.ready(.w1, ["claims"], credit: 1)
        _ = h.ready(.w2, ["claims"], credit: 1)
        let ticket = try h.open("r-1")
        #expect(h.held(by: .w1) == [ticket])

        let notHeld = h.transfer(.w2, ticket, to: "billing")
        #expect(notHeld.workerErrors(to: .w2).map(\.status) == [.conflict])
        #expect(notHeld.workerErrors(to: .w2).first?.detail.error == "not-held")
        #expect(h.core.state(of: ticket) == .offered)

        let unknown = h.transfer(.w2, Ticket(rawValue: 0), to: "billing")
        #expect(unknown.workerErrors(to: .w2).map(\.status) == [.notFound])
        #expect(h.core.queuedCount(department: "billing") == 0)
    }
}
