import SwitchboardClient
import SwitchboardSchema
import Testing

@Suite("Cancelling requests")
struct CancelTests {
    @Test("cancel() of a queued request returns state cancelled; a second cancel is refused with 409")
    func cancelQueued() async throws {
        try await withBroker { broker in
            let client = try await broker.client()
            let submission = try await client.submit(department: "billing", body: Array("refund?".utf8))

            let cancelled = try await client.cancel(ticket: submission.ticket)

            #expect(cancelled.info.ticket == submission.ticket)
            #expect(cancelled.info.state == .cancelled)
            #expect(cancelled.info.reason == "cancelled by the agent")
            #expect(cancelled.answer == nil)
            #expect(try await client.status(ticket: submission.ticket).info.state == .cancelled)

            let again = await #expect(throws: SwitchboardClientError.self) {
                try await client.cancel(ticket: submission.ticket)
            }
            guard case let .refused(status, reason, _) = again else {
                Issue.record("expected .refused, got \(String(describing: again))")
                return
            }
            #expect(status == .conflict)
            #expect(reason == "already-final")
        }
    }

    @Test("answer() of a cancelled ticket throws requestFailed with 410")
    func answerOfCancelled() async throws {
        try await withBroker { broker in
            let client = try await broker.client()
            let submission = try await client.submit(department: "billing", body: Array("refund?".utf8))
            _ = try await client.cancel(ticket: submission.ticket)

            let error = await #expect(throws: SwitchboardClientError.self) {
                try await client.answer(ticket: submission.ticket, timeout: .seconds(2))
            }

            #expect(error == .requestFailed(ticket: submission.ticket, status: .gone, reason: "cancelled by the agent"))
        }
    }

    @Test("cancel() of a request a worker holds stops its handler")
    func cancelHeld() async throws {
        try await withBroker { broker in
            let client = try await broker.client()
            let gate = broker.gate()
            let held = Recorder<String>()
            let cancelledHandlers = Recorder<String>()
            broker.worker(["claims"]) { item in
                held.append(item.ticket)
                await gate.wait()
                if Task.isCancelled { cancelledHandlers.append(item.ticket) }
                return .answer(Array("too late".utf8))
            }
            let submission = try await client.submit(department: "claims", body: Array("claim 5".utf8))
            try await eventually("the worker to hold the request") { held.all == [submission.ticket] }

            let cancelled = try await client.cancel(ticket: submission.ticket)

            #expect(cancelled.info.state == .cancelled)
            try await eventually("the handler to be cancelled") { cancelledHandlers.all == [submission.ticket] }
            #expect(try await client.status(ticket: submission.ticket).answer == nil)
        }
    }

    @Test("cancel() returns the cancelled status even while answer() of the same ticket keeps polling it")
    func cancelWhileAnswerPolls() async throws {
        try await withBroker { broker in
            // answer() asks for the STATUS every millisecond: those replies cross the CANCEL reply.
            let client = try await broker.client(pollInterval: .milliseconds(1))
            for index in 1...10 {
                let submission = try await client.submit(department: "billing", body: Array("refund \(index)".utf8))
                let pending = Task { try await client.answer(ticket: submission.ticket, timeout: .seconds(5)) }
                try await eventually("answer() to be polling") {
                    try await client.status(ticket: submission.ticket).info.state == .queued
                }

                let cancelled = try await client.cancel(ticket: submission.ticket)

                #expect(cancelled.info.state == .cancelled, "request \(index)")
                await #expect(throws: SwitchboardClientError.requestFailed(
                    ticket: submission.ticket, status: .gone, reason: "cancelled by the agent")
                ) {
                    try await result(of: pending, within: .seconds(5), "the pending answer()")
                }
            }
        }
    }
}
