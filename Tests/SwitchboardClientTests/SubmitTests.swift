import SwitchboardClient
import SwitchboardSchema
import Testing

@Suite("Submitting requests")
struct SubmitTests {
    @Test("a department nobody serves takes the request with 202, and it waits in the queue")
    func acceptedWithoutWorker() async throws {
        try await withBroker { broker in
            let client = try await broker.client()

            let submission = try await client.submit(
                department: "pharmacy", body: Array("is the refill covered?".utf8), requestID: "agent7-1")

            #expect(submission.status == .acceptedNoWorker)
            #expect(submission.noWorkerServing)
            #expect(!submission.isDuplicate)
            #expect(submission.requestID == "agent7-1")
            #expect(!submission.ticket.isEmpty)
            #expect(try await client.status(ticket: submission.ticket).info.state == .queued)
        }
    }

    @Test("with a worker serving, the request is taken with 201 and answer() returns the worker's body")
    func createdAndAnswered() async throws {
        try await withBroker { broker in
            let client = try await broker.client()
            broker.worker(["claims"]) { item in .answer(Array("claims says: ".utf8) + item.body) }
            try await broker.waitUntilServed("claims", using: client)

            let submission = try await client.submit(department: "claims", body: Array("claim 123?".utf8))

            #expect(submission.status == .created)
            #expect(!submission.noWorkerServing)
            let answer = try await client.answer(ticket: submission.ticket, timeout: .seconds(5))
            #expect(String(decoding: answer, as: UTF8.self) == "claims says: claim 123?")
        }
    }

    @Test("an unknown department is refused with 404 unknown-department, naming the known ones")
    func unknownDepartment() async throws {
        try await withBroker { broker in
            let client = try await broker.client()

            let error = await #expect(throws: SwitchboardClientError.self) {
                try await client.submit(department: "dentistry", body: Array("hi".utf8), requestID: "agent7-2")
            }

            guard case let .refused(status, reason, message) = error else {
                Issue.record("expected .refused, got \(String(describing: error))")
                return
            }
            #expect(status == .notFound)
            #expect(reason == "unknown-department")
            #expect(message.contains("dentistry") && message.contains("claims"))
        }
    }

    @Test("the same request id again returns the same ticket with 200, and makes no second request")
    func idempotentSubmit() async throws {
        try await withBroker { broker in
            let client = try await broker.client()
            let first = try await client.submit(department: "billing", body: Array("bill?".utf8), requestID: "agent7-3")

            // Department, priority and body of a repeat are ignored: only the request id counts.
            let again = try await client.submit(
                department: "claims", body: Array("other".utf8), priority: .urgent, requestID: "agent7-3")

            #expect(first.status == .acceptedNoWorker)
            #expect(again.ticket == first.ticket)
            #expect(again.status == .ok)
            #expect(again.isDuplicate)
            let status = try await client.status(ticket: first.ticket)
            #expect(status.info.department == "billing")
            #expect(status.info.priority == .normal)
            #expect(status.info.requestId == "agent7-3")

            // A different request id is a different request.
            let other = try await client.submit(department: "billing", body: Array("bill?".utf8), requestID: "agent7-4")
            #expect(other.ticket != first.ticket)
            #expect(!other.isDuplicate)
        }
    }
}
