import SwitchboardClient
import SwitchboardSchema
import Testing

@Suite("Asking the agent for more information")
struct AskAgentTests {
    @Test("a worker's question reaches the agent, the request waits on it, and the reply reaches the handler")
    func askAndReply() async throws {
        try await withBroker { broker in
            let client = try await broker.client(pollInterval: .milliseconds(200))
            let questions = AsyncStream<AgentPush>.makeStream()
            client.onPush { questions.continuation.yield($0) }
            broker.worker(["claims"]) { worker, item in
                guard let reply = try? await worker.askAgent(ticket: item.ticket, question: Array("date of service?".utf8))
                else { return .reject(reason: "no reply") }
                return .answer(Array("claim for \(String(decoding: reply, as: UTF8.self)) is paid".utf8))
            }
            try await broker.waitUntilServed("claims", using: client)
            let submission = try await client.submit(department: "claims", body: Array("claim C-1?".utf8))

            let stream = questions.stream
            let push = try await result(
                of: Task { var iterator = stream.makeAsyncIterator(); return await iterator.next() },
                within: .seconds(10), "the question to reach the agent")
            #expect(push == .question(ticket: submission.ticket, body: Array("date of service?".utf8)))
            let waiting = try await client.status(ticket: submission.ticket)
            #expect(waiting.info.state == .waitingOnAgent)
            #expect(waiting.info.clocks?.first { $0.target == .answer }?.state == .paused)

            let resumed = try await client.provideInfo(ticket: submission.ticket, body: Array("2026-11-02".utf8))
            #expect(resumed.info.state != .waitingOnAgent)
            let answer = try await client.answer(ticket: submission.ticket, timeout: .seconds(10))
            #expect(String(decoding: answer, as: UTF8.self) == "claim for 2026-11-02 is paid")

            // Once answered, a reply is refused: nothing waits for it.
            let error = await #expect(throws: SwitchboardClientError.self) {
                try await client.provideInfo(ticket: submission.ticket, body: Array("late".utf8))
            }
            guard case let .refused(status, reason, _) = error else {
                Issue.record("expected .refused, got \(String(describing: error))")
                return
            }
            #expect(status == .conflict)
            #expect(reason == "not-waiting")
        }
    }
}
