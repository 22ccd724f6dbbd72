import Foundation
import SwitchboardClient
import SwitchboardSchema
import SwitchboardStore
import Testing
import ZeroMQ

@Suite("End to end: crash torture", .serialized)
struct CrashTortureTests {
    static let clients = 4
    static let perClient = 1250
    static let inFlightPerClient = 32

    /// What one client saw for each of its request ids.
    struct Outcome: Sendable {
        var tickets: [String: Set<String>] = [:]
        var answers: [String: [UInt8]] = [:]
        var resubmissions = 0

        /// Every client's: the tickets each request id got, and its first answer.
        static func merged(_ outcomes: [Outcome]) -> (tickets: [String: Set<String>], answers: [String: [UInt8]]) {
            var tickets: [String: Set<String>] = [:]
            var answers: [String: [UInt8]] = [:]
            for outcome in outcomes {
                tickets.merge(outcome.tickets) { $0.union($1) }
                answers.merge(outcome.answers) { first, _ in first }
            }
            return (tickets, answers)
        }
    }

    @Test("5,000 requests, two SIGKILLs of the daemon: every request id has one ticket and one answer")
    func crashTorture() async throws {
        try await Daemon.with { daemon in
            for index in 1...2 {
                _ = try await daemon.serve(
                    name: "echo-\(index)", departments: ["claims"], capacity: 8, command: ["sh", "-c", "printf 're:'; cat"])
            }
            let answered = Locked(0)
            let progress = Notifier()
            let total = Self.clients * Self.perClient
            let endpoint = daemon.endpoint

            // The killer: two SIGKILLs at random moments while the clients run, each followed by a restart.
            let killer = Task {
                var random = SystemRandomNumberGenerator()
                for round in 0..<2 {
                    let threshold = Int(Double(total) * (round == 0 ? Double.random(in: 0.1...0.35, using: &random)
                                                                    : Double.random(in: 0.5...0.75, using: &random)))
                    while answered.withLock({ $0 }) < threshold {
                        await progress.wait(timeout: .seconds(1))
                    }
                    try await daemon.crashAndRestart()
                }
            }

            let outcomes = try await withThrowingTaskGroup(of: Outcome.self) { group in
                for client in 1...Self.clients {
                    group.addTask {
                        try await Self.runClient(client, endpoint: endpoint, answered: answered, progress: progress)
                    }
                }
                var all: [Outcome] = []
                for try await outcome in group { all.append(outcome) }
                return all
            }
            try await killer.value

            let (ticketsByID, answersByID) = Outcome.merged(outcomes)
            #expect(ticketsByID.count == total)
            let split = ticketsByID.filter { $0.value.count != 1 }
            #expect(split.isEmpty, "request ids with more than one ticket: \(split.prefix(5))")
            let allTickets = Set(ticketsByID.values.flatMap { $0 })
            #expect(allTickets.count == total)
            #expect(answersByID.count == total)
            let wrong = answersByID.filter { $0.value != Array("re:question \($0.key)".utf8) }
            #expect(wrong.isEmpty, "wrong answers: \(wrong.keys.prefix(5))")
            print("crash torture: \(total) requests, \(allTickets.count) tickets, \(answersByID.count) answers, "
                + "\(outcomes.reduce(0) { $0 + $1.resubmissions }) resubmissions after no ACCEPTED, "
                + "daemon runs: \(daemon.process.name)")

            // The ledger agrees: one row per request id, every one answered.
            try await daemon.restart()
            daemon.process.signal(SIGTERM)
            _ = try await daemon.process.exitCode(within: .seconds(15))
            let ledger = try Ledger(directory: daemon.dataDirectory.path, durability: .os)
            let counts = try ledger.countsByState()
            #expect(counts[.answered] == total, "ledger states: \(counts)")
            #expect(counts.values.reduce(0, +) == total)
            try ledger.close()
        }
    }

    /// One agent: submits its requests with their own ids, keeping some in flight; resubmits whatever got no
    /// ACCEPTED (same id), then fetches each answer by ticket.
    static func runClient(
        _ client: Int, endpoint: String, answered: Locked<Int>, progress: Notifier, requests: Int = perClient,
        inFlight: Int = inFlightPerClient
    ) async throws -> Outcome {
        let agent = try await AgentClient(endpoint: endpoint, pollInterval: .milliseconds(300))
        defer { Task { await agent.close() } }
        let outcome = Locked(Outcome())
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func start() {
                guard next < requests else { return }
                next += 1
                let id = "c\(client)-\(next)"
                group.addTask {
                    let ticket = try await submitUntilAccepted(agent, id: id, outcome: outcome)
                    let answer = try await agent.answer(ticket: ticket, timeout: .seconds(120))
                    outcome.withLock { $0.answers[id] = answer }
                    answered.withLock { $0 += 1 }
                    progress.notifyAll()
                }
            }
            for _ in 0..<inFlight { start() }
            while try await group.next() != nil { start() }
        }
        return outcome.withLock { $0 }
    }

    static func submitUntilAccepted(_ agent: AgentClient, id: String, outcome: Locked<Outcome>) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            do {
                let submission = try await agent.submit(
                    department: "claims", body: Array("question \(id)".utf8), requestID: id, timeout: .seconds(2))
                outcome.withLock { $0.tickets[id, default: []].insert(submission.ticket) }
                return submission.ticket
            } catch SwitchboardClientError.timeout {
                // The daemon may have died before or after committing: the same id again is always safe.
                outcome.withLock { $0.resubmissions += 1 }
            }
        }
        throw TestFailure("\(id) was never accepted")
    }
}
