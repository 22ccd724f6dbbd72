import SwitchboardSchema
import Testing

@testable import SwitchboardCore

/// READY and the messages of workers Core does not know.
@Suite("Worker registration")
struct WorkerRegistrationTests {
    @Test("READY registers the worker and records worker.joined")
    func readyRegisters() throws {
        var h = Harness()
        let actions = h.ready(.w1, ["pharmacy", "claims", "claims"], credit: 4)
        #expect(actions.recordTypes == [.workerJoined])
        let joined = try #require(actions.records.first)
        #expect(joined.worker == "w1")
        #expect(joined.departments == ["claims", "pharmacy"])
        #expect(joined.credit == 4)
        #expect(h.core.workerCount == 1)
        #expect(h.core.workerCount(department: "claims") == 1)
        #expect(h.core.workerCount(department: "pharmacy") == 1)
        #expect(h.core.workerCount(department: "billing") == 0)
    }

    @Test("a worker without a name is named after its identity")
    func defaultName() throws {
        var h = Harness()
        let actions = h.core.ready(from: .w1, info: ReadyInfo(departments: ["claims"], credit: 1), now: h.now)
        #expect(actions.records.first?.worker == "worker-7731")  // "w1" in hex
    }

    @Test("READY twice on one connection: 409, the first registration stands")
    func readyTwice() throws {
        var h = Harness()
        _ = h.ready(.w1, ["claims"], credit: 1)
        let again = h.ready(.w1, ["billing"], credit: 5)
        #expect(again.records.isEmpty)
        let error = try #require(again.workerErrors(to: .w1).first)
        #expect(error.status == .conflict)
        #expect(error.reference == "READY")
        #expect(error.detail.error == "already-registered")
        #expect(h.core.workerCount(department: "billing") == 0)
        #expect(h.core.workerCount(department: "claims") == 1)
        // Still credit 1.
        _ = try h.open("r-1")
        #expect(h.submit("r-2").offers.isEmpty)
    }

    @Test("READY naming an unknown department: 404, nothing registered")
    func readyUnknownDepartment() throws {
        var h = Harness()
        let actions = h.ready(.w1, ["claims", "dental"], credit: 1)
        #expect(actions.records.isEmpty)
        let error = try #require(actions.workerErrors(to: .w1).first)
        #expect(error.status == .notFound)
        #expect(error.detail.error == "unknown-department")
        #expect(error.detail.message.contains("dental"))
        #expect(error.detail.message.contains("billing, claims, eligibility, pharmacy, provider-relations"))
        #expect(h.core.workerCount == 0)
        #expect(h.core.workerCount(department: "claims") == 0)
        // Heartbeats from it are refused: it is not registered.
        #expect(h.heartbeat(.w1) == [.sendToWorker(.w1, .disconnect)])
    }

    @Test("HEARTBEAT from an unregistered peer: DISCONNECT")
    func heartbeatFromStranger() {
        var h = Harness()
        #expect(h.heartbeat(.w1) == [.sendToWorker(.w1, .disconnect)])
        #expect(h.core.workerCount == 0)
    }

    @Test("ANSWER from an unregistered peer: the error, then DISCONNECT")
    func answerFromStranger() throws {
        var h = Harness()
        let ticket = try h.open("r-1")
        let actions = h.answer(.w1, ticket)
        #expect(actions.records.isEmpty)
        #expect(actions.agentMessageCount == 0)
        let messages = actions.toWorker(.w1)
        #expect(messages.count == 2)
        #expect(messages.last == .disconnect)
        #expect(actions.workerErrors(to: .w1).map(\.status) == [.conflict])
        #expect(h.core.state(of: ticket) == .queued)

        let unknownTicket = h.answer(.w1, Ticket(rawValue: 0))
        #expect(unknownTicket.workerErrors(to: .w1).map(\.status) == [.notFound])
        #expect(unknownTicket.toWorker(.w1).last == .disconnect)
    }

    @Test("ACCEPT, UPDATE, TRANSFER and REJECT from an unregistered peer all end in DISCONNECT")
    func otherCommandsFromStranger() throws {
        var h = Harness()
        let ticket = try h.open("r-1")
        let results = [
            h.accept(.w1, ticket), h.update(.w1, ticket), h.transfer(.w1, ticket, to: "billing"),
            h.reject(.w1, ticket),
        ]
        for actions in results {
            #expect(actions.toWorker(.w1).last == .disconnect)
            #expect(actions.workerErrors(to: .w1).map(\.status) == [.conflict])
            #expect(actions.records.isEmpty)
        }
        #expect(h.core.state(of: ticket) == .queued)
        #expect(h.core.queuedCount(department: "claims") == 1)
    }

    @Test("after DISCONNECT the same connection may send READY again")
    func readyAfterDisconnect() throws {
        var h = Harness()
        _ = h.ready(.w1, ["claims"], credit: 1)
        #expect(h.disconnect(.w1).recordTypes == [.workerLeft])
        let again = h.ready(.w1, ["billing"], credit: 2)
        #expect(again.recordTypes == [.workerJoined])
        #expect(h.core.workerCount(department: "claims") == 0)
        #expect(h.core.workerCount(department: "billing") == 1)
    }
}
