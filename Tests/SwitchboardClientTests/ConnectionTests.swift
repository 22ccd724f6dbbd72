import SwitchboardClient
import SwitchboardSchema
import Testing

@Suite("Agent connection")
struct ConnectionTests {
    @Test("ping() returns when the broker answers, and times out when there is no broker")
    func ping() async throws {
        try await withBroker { broker in
            let client = try await broker.client()
            try await client.ping(timeout: .seconds(2))

            try await broker.stop()

            let error = await #expect(throws: SwitchboardClientError.self) {
                try await client.ping(timeout: .milliseconds(300))
            }
            guard case .timeout = error else {
                Issue.record("expected .timeout, got \(String(describing: error))")
                return
            }
        }
    }

    @Test("close() fails pending calls with .closed, and every later call throws .closed")
    func closed() async throws {
        try await withBroker { broker in
            let client = try await broker.client()
            let submission = try await client.submit(department: "claims", body: Array("claim 1".utf8))
            let pending = Task { try await client.answer(ticket: submission.ticket, timeout: .seconds(10)) }
            // Let answer() start waiting (in practice it has by the end of a round trip; if not, it must still
            // end with .closed).
            try await eventually("a round trip to the broker") {
                try await client.status(ticket: submission.ticket).info.state == .queued
            }

            await client.close()

            await #expect(throws: SwitchboardClientError.closed) {
                try await result(of: pending, within: .seconds(5), "the pending answer()")
            }
            await #expect(throws: SwitchboardClientError.closed) { try await client.ping() }
            await #expect(throws: SwitchboardClientError.closed) {
                try await client.submit(department: "claims", body: Array("again".utf8))
            }
            await #expect(throws: SwitchboardClientError.closed) { try await client.status(ticket: submission.ticket) }
            await #expect(throws: SwitchboardClientError.closed) { try await client.cancel(ticket: submission.ticket) }
            await #expect(throws: SwitchboardClientError.closed) {
                try await client.answer(ticket: submission.ticket, timeout: .seconds(1))
            }
        }
    }

    @Test("a call whose task is cancelled stops waiting at once and throws CancellationError")
    func callerCancelled() async throws {
        try await withBroker { broker in
            let client = try await broker.client()
            let submission = try await client.submit(department: "claims", body: Array("claim 2".utf8))
            let waiting = Task { try await client.answer(ticket: submission.ticket, timeout: .seconds(20)) }
            try await eventually("a round trip to the broker (answer() is waiting by then, in practice)") {
                try await client.status(ticket: submission.ticket).info.state == .queued
            }

            waiting.cancel()

            await #expect(throws: CancellationError.self) {
                try await result(of: waiting, within: .seconds(2), "the cancelled answer()")
            }
            // The client is still usable.
            try await client.ping(timeout: .seconds(2))
        }
    }
}
