import SwitchboardClient
import SwitchboardSchema
import Testing

@Suite("Ticket status")
struct StatusTests {
    @Test("status() reports state, attempts, department, priority, worker and updates, then the answer frame")
    func statusFields() async throws {
        try await withBroker { broker in
            let client = try await broker.client()
            let gate = broker.gate()
            broker.worker(["claims"], name: "claims-bot-1") { worker, item in
                worker.update(ticket: item.ticket, body: Array("looking into it".utf8))
                await gate.wait()
                return .answer(Array("approved".utf8))
            }
            try await broker.waitUntilServed("claims", using: client)
            let submission = try await client.submit(
                department: "claims", body: Array("claim 77".utf8), priority: .high, requestID: "agent3-77")

            var status = try await client.status(ticket: submission.ticket)
            try await eventually("the update to be counted") {
                status = try await client.status(ticket: submission.ticket)
                return status.info.updates == 1
            }
            #expect(status.info.ticket == submission.ticket)
            #expect(status.info.requestId == "agent3-77")
            #expect(status.info.state == .accepted)
            #expect(status.info.attempts == 1)
            #expect(status.info.department == "claims")
            #expect(status.info.priority == .high)
            #expect(status.info.worker == "claims-bot-1")
            #expect(status.info.deadline != nil)
            #expect(status.info.answeredAt == nil)
            #expect(status.answer == nil)

            gate.open()
            #expect(try await client.answer(ticket: submission.ticket, timeout: .seconds(5)) == Array("approved".utf8))
            let answered = try await client.status(ticket: submission.ticket)
            #expect(answered.info.state == .answered)
            #expect(answered.answer == Array("approved".utf8))
            #expect(answered.info.answeredAt != nil)
            #expect(answered.info.attempts == 1)
            #expect(answered.info.worker == nil)
        }
    }

    @Test("status() of an unknown ticket is refused with 404 unknown-ticket")
    func unknownTicket() async throws {
        try await withBroker { broker in
            let client = try await broker.client()

            let error = await #expect(throws: SwitchboardClientError.self) {
                try await client.status(ticket: "T-0000000000000")
            }

            guard case let .refused(status, reason, _) = error else {
                Issue.record("expected .refused, got \(String(describing: error))")
                return
            }
            #expect(status == .notFound)
            #expect(reason == "unknown-ticket")
        }
    }
}
