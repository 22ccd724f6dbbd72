import SwitchboardClient
import SwitchboardSchema
import Testing

@Suite("Department workers")
struct WorkerTests {
    @Test("a worker with credit 2 never runs more than 2 handlers at once")
    func creditLimitsConcurrency() async throws {
        try await withBroker { broker in
            let client = try await broker.client()
            let gate = broker.gate()
            let meter = ConcurrencyMeter()
            broker.worker(["claims"], credit: 2) { item in
                meter.enter()
                await gate.wait()
                meter.leave()
                return .answer(item.body)
            }
            try await broker.waitUntilServed("claims", using: client)

            var tickets: [String] = []
            for index in 1...4 {
                tickets.append(try await client.submit(department: "claims", body: Array("claim \(index)".utf8)).ticket)
            }
            try await eventually("two handlers to run") { meter.current == 2 }
            // The broker holds the other two back: they are still queued, not offered.
            var states: [RequestState] = []
            for ticket in tickets {
                states.append(try await client.status(ticket: ticket).info.state)
            }
            #expect(states.filter { $0 == .queued }.count == 2)
            #expect(states.filter { $0 == .accepted || $0 == .offered }.count == 2)
            #expect(meter.started == 2)

            gate.open()
            for (index, ticket) in tickets.enumerated() {
                let answer = try await client.answer(ticket: ticket, timeout: .seconds(5))
                #expect(answer == Array("claim \(index + 1)".utf8))
            }
            #expect(meter.started == 4)
            #expect(meter.peak == 2)
        }
    }

    @Test("run() throws WorkerRegistrationError 404 when a department is unknown")
    func unknownDepartmentRefused() async throws {
        try await withBroker { broker in
            let worker = broker.worker(["claims", "dentistry"]) { _ in .reject(reason: "never called") }

            let error = await #expect(throws: WorkerRegistrationError.self) {
                try await result(of: worker.task, within: .seconds(5), "run() to end")
            }

            #expect(error?.status == .notFound)
            #expect(error?.message.contains("dentistry") == true)
        }
    }

    @Test("a worker that stops hands back its request, and the broker gives it to another worker")
    func stopRequeues() async throws {
        // Liveness of 10 s: only the worker's DISCONNECT can get the request requeued within the test.
        try await withBroker(configure: { $0.core.heartbeatLiveness = 50 }) { broker in
            let client = try await broker.client()
            let firstSaw = Recorder<WorkItem>()
            let secondSaw = Recorder<WorkItem>()
            let gate = broker.gate()
            let first = broker.worker(["claims"], name: "claims-first") { item in
                firstSaw.append(item)
                await gate.wait()
                return .answer(Array("from first".utf8))
            }
            let submission = try await client.submit(department: "claims", body: Array("claim 8".utf8))
            try await eventually("the first worker to hold the request") { firstSaw.all.count == 1 }
            // The first worker's credit is used, so the probe proves the second one is registered.
            broker.worker(["claims"], name: "claims-second") { item in
                secondSaw.append(item)
                return .answer(Array("from second".utf8))
            }
            try await broker.waitUntilServed("claims", using: client)
            #expect(secondSaw.all.isEmpty)

            try await first.stop()

            let answer = try await client.answer(ticket: submission.ticket, timeout: .seconds(5))
            #expect(answer == Array("from second".utf8))
            #expect(firstSaw.all.map(\.attempt) == [1])
            #expect(secondSaw.all.map(\.ticket) == [submission.ticket])
            #expect(secondSaw.all.map(\.attempt) == [2])
            #expect(try await client.status(ticket: submission.ticket).info.attempts == 2)
        }
    }
}
