import SwitchboardClient
import SwitchboardSchema
import Testing

@Suite("Workers across broker restarts")
struct ReconnectTests {
    @Test("a worker whose broker restarts on the same port registers again by itself and serves")
    func reRegistersAfterRestart() async throws {
        try await withBroker { broker in
            let log = LogRecorder()
            broker.worker(["claims"], name: "claims-steady", logger: log.logger) { item in
                .answer(Array("answered ".utf8) + item.body)
            }
            let before = try await broker.client()
            try await broker.waitUntilServed("claims", using: before)

            try await broker.restart()

            // The broker said goodbye (DISCONNECT) on its way out, and the worker took it as the cue to reconnect.
            try await eventually("the worker to get DISCONNECT") {
                log.count(of: "the broker asked this worker to reconnect") >= 1
            }
            let client = try await broker.client()
            let submission = try await client.submit(department: "claims", body: Array("after".utf8))
            let answer = try await client.answer(ticket: submission.ticket, timeout: .seconds(5))
            #expect(answer == Array("answered after".utf8))
        }
    }

    @Test("a worker whose broker is silent backs off, reconnects, and registers once a broker is up")
    func registersWhenBrokerAppears() async throws {
        try await withBroker { broker in
            try await broker.stop()
            let log = LogRecorder()
            broker.worker(["eligibility"], name: "eligibility-early", logger: log.logger) { item in
                .answer(Array("eligible".utf8))
            }
            // Nobody answers its READY or heartbeats: it gives up on the socket and reconnects, twice.
            try await eventually("the worker to notice the silence twice") {
                log.count(of: "the broker is silent") >= 2
            }
            #expect(log.count(of: "reconnecting to the broker") >= 2)

            try await eventually("a broker bound to \(broker.endpoint)") { await broker.start() }

            let client = try await broker.client()
            let submission = try await client.submit(department: "eligibility", body: Array("member 1".utf8))
            #expect(try await client.answer(ticket: submission.ticket, timeout: .seconds(5)) == Array("eligible".utf8))
        }
    }
}
