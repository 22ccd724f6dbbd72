import SwitchboardClient
import SwitchboardSchema
import Testing

@Suite("Awaiting answers")
struct AnswerTests {
    @Test("answer() waits for a request queued with no worker, and gets the answer once one registers")
    func answerAfterWorkerJoins() async throws {
        try await withBroker { broker in
            // No polling within the test: the answer can only come as the broker's push.
            let client = try await broker.client(pollInterval: .seconds(60))
            let submission = try await client.submit(department: "eligibility", body: Array("member 42".utf8))
            #expect(submission.noWorkerServing)
            let waiting = Task { try await client.answer(ticket: submission.ticket, timeout: .seconds(5)) }

            broker.worker(["eligibility"]) { item in .answer(Array("eligible: ".utf8) + item.body) }

            let answer = try await result(of: waiting, within: .seconds(10), "the answer")
            #expect(String(decoding: answer, as: UTF8.self) == "eligible: member 42")
        }
    }

    @Test("answer() for a ticket answered while nobody waited returns at once, fetched by STATUS")
    func alreadyAnswered() async throws {
        try await withBroker { broker in
            let submitter = try await broker.client()
            broker.worker(["claims"]) { _ in .answer(Array("paid on 3 March".utf8)) }
            let submission = try await submitter.submit(department: "claims", body: Array("claim 9".utf8))
            try await eventually("the request to be answered") {
                try await submitter.status(ticket: submission.ticket).info.state == .answered
            }

            // The push went by unawaited. A long poll interval and a short timeout leave only the first STATUS.
            let clock = ContinuousClock()
            let start = clock.now
            let answer = try await submitter.answer(ticket: submission.ticket, timeout: .seconds(2))
            #expect(answer == Array("paid on 3 March".utf8))
            #expect(clock.now - start < .seconds(1))

            // Another agent that never attached to the ticket gets it the same way.
            let other = try await broker.client(pollInterval: .seconds(60))
            let fetched = try await other.answer(ticket: submission.ticket, timeout: .seconds(2))
            #expect(fetched == Array("paid on 3 March".utf8))
        }
    }

    @Test("answer(timeout:) on a request nobody serves throws .timeout after the timeout")
    func answerTimesOut() async throws {
        try await withBroker { broker in
            let client = try await broker.client()
            let submission = try await client.submit(department: "provider-relations", body: Array("npi?".utf8))

            let clock = ContinuousClock()
            let start = clock.now
            let error = await #expect(throws: SwitchboardClientError.self) {
                try await client.answer(ticket: submission.ticket, timeout: .milliseconds(300))
            }
            let elapsed = clock.now - start

            guard case .timeout = error else {
                Issue.record("expected .timeout, got \(String(describing: error))")
                return
            }
            #expect(elapsed >= .milliseconds(300))
            #expect(elapsed < .seconds(3))
            // The request itself is untouched.
            #expect(try await client.status(ticket: submission.ticket).info.state == .queued)
        }
    }
}
