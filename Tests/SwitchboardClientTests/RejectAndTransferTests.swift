import SwitchboardClient
import SwitchboardSchema
import Testing

@Suite("Rejections and transfers")
struct RejectAndTransferTests {
    @Test("a rejection makes answer() throw requestFailed with 422 and the worker's reason")
    func rejected() async throws {
        try await withBroker { broker in
            let client = try await broker.client()
            broker.worker(["pharmacy"]) { _ in .reject(reason: "no member id in the request") }
            let submission = try await client.submit(department: "pharmacy", body: Array("refill".utf8))

            let error = await #expect(throws: SwitchboardClientError.self) {
                try await client.answer(ticket: submission.ticket, timeout: .seconds(5))
            }

            guard case let .requestFailed(ticket, status, reason) = error else {
                Issue.record("expected .requestFailed, got \(String(describing: error))")
                return
            }
            #expect(ticket == submission.ticket)
            #expect(status == .rejected)
            #expect(reason.contains("no member id in the request"))
            let final = try await client.status(ticket: submission.ticket)
            #expect(final.info.state == .deadLettered)
        }
    }

    @Test("answer() after the rejection (fetched by STATUS) also throws 422, not 504")
    func rejectedBeforeAnyoneWaited() async throws {
        try await withBroker { broker in
            let client = try await broker.client()
            broker.worker(["pharmacy"]) { _ in .reject(reason: "not a pharmacy question") }
            let submission = try await client.submit(department: "pharmacy", body: Array("refill".utf8))
            try await eventually("the request to be dead-lettered") {
                try await client.status(ticket: submission.ticket).info.state == .deadLettered
            }

            let error = await #expect(throws: SwitchboardClientError.self) {
                try await client.answer(ticket: submission.ticket, timeout: .seconds(2))
            }

            guard case let .requestFailed(ticket, status, reason) = error else {
                Issue.record("expected .requestFailed, got \(String(describing: error))")
                return
            }
            #expect(ticket == submission.ticket)
            #expect(status == .rejected)
            #expect(reason.contains("not a pharmacy question"))
        }
    }

    @Test("a transfer from claims to billing is answered by a billing worker under the same ticket")
    func transferred() async throws {
        try await withBroker { broker in
            let client = try await broker.client()
            let billingSaw = Recorder<WorkItem>()
            broker.worker(["claims"], name: "claims-bot") { _ in
                .transfer(department: "billing", reason: "this is a billing question")
            }
            broker.worker(["billing"], name: "billing-bot") { item in
                billingSaw.append(item)
                return .answer(Array("billing says: paid".utf8))
            }
            let submission = try await client.submit(
                department: "claims", body: Array("why was I billed?".utf8), priority: .high)

            let answer = try await client.answer(ticket: submission.ticket, timeout: .seconds(5))

            #expect(answer == Array("billing says: paid".utf8))
            let items = billingSaw.all
            #expect(items.count == 1)
            #expect(items.first?.ticket == submission.ticket)
            #expect(items.first?.department == "billing")
            #expect(items.first?.priority == .high)
            #expect(items.first?.body == Array("why was I billed?".utf8))
            let status = try await client.status(ticket: submission.ticket)
            #expect(status.info.department == "billing")
            #expect(status.info.state == .answered)
        }
    }
}
