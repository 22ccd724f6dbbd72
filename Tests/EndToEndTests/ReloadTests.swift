import Foundation
import SwitchboardClient
import SwitchboardSchema
import Testing
import ZeroMQ

/// SIGHUP re-reads the configuration file while the daemon serves: what changes, what is refused, and that no
/// request is lost or held up meanwhile.
@Suite("End to end: configuration reload", .serialized)
struct ReloadTests {
    static let clients = 2
    static let perClient = 300
    static let inFlight = 16

    static let initial = """
        log:
          level: info
        departments:
          claims: {}
          billing: {}
        """

    /// v2: a new department, a shorter answer target for claims, the debug log level.
    static let second = """
        log:
          level: debug
        departments:
          claims:
            answer_targets: {normal: 1h}
          billing: {}
          dental:
            answer_targets: 30m
        """

    /// A file with two mistakes: refused as a whole.
    static let broken = """
        log:
          level: info
        departments:
          claims:
            answer_targets: {normal: soon}
          billing: {}
          dentl: {}
        defaults:
          escalation: {transfer: nowhere}
        """

    @Test("under load: SIGHUP adds a department, changes policies for new requests and the log level; a broken file is refused; no request is lost or held up",
          .timeLimit(.minutes(3)))
    func reloadUnderLoad() async throws {
        try await Daemon.with(extraConfiguration: Self.initial) { daemon in
            let original = try String(contentsOf: daemon.configurationFile, encoding: .utf8)
            for index in 1...2 {
                _ = try await daemon.serve(
                    name: "echo-\(index)", departments: ["claims"], capacity: 8, command: ["sh", "-c", "printf 're:'; cat"])
            }
            let answered = Locked(0)
            let progress = Notifier()
            let stderr = daemon.process.stderrURL
            let endpoint = daemon.endpoint
            let probe = try await AgentClient(endpoint: endpoint)
            defer { Task { await probe.close() } }
            let before = try await probe.submit(department: "claims", body: Array("before".utf8))

            let reloads = Task {
                try await Self.waitFor(answered: 100, answered, progress)
                try Self.write(Self.configuration(Self.second, original), to: daemon)
                daemon.process.signal(SIGHUP)
                try await OutputWatch.wait(for: "SIGHUP: configuration reloaded", in: stderr)

                // The new department takes requests; a new claims request gets the new target, an open one keeps its own.
                let dental = try await probe.submit(department: "dental", body: Array("tooth".utf8))
                #expect(dental.status == .acceptedNoWorker)
                let after = try await probe.submit(department: "claims", body: Array("after".utf8))
                #expect(try await Self.answerTarget(probe, after.ticket) == 3_600_000)
                #expect(try await Self.answerTarget(probe, before.ticket) == 4 * 3_600_000)
                // Debug lines appear (the HTTP surface logs each request at debug).
                _ = try await OperationsClient(address: daemon.httpAddress).get(path: "/healthz")
                try await OutputWatch.wait(for: " debug ", in: stderr)

                try await Self.waitFor(answered: 300, answered, progress)
                try Self.write(Self.configuration(Self.broken, original), to: daemon)
                daemon.process.signal(SIGHUP)
                try await OutputWatch.wait(for: "SIGHUP: configuration refused", in: stderr)
                try await OutputWatch.wait(for: "departments.claims.answer_targets.normal", in: stderr)
                let log = daemon.process.stderr
                #expect(log.contains("switchboard.yaml:") && log.contains("defaults.escalation"), "\(log.suffix(3000))")
                let metrics = try await HTTPProbe.get(daemon.httpBase + "/metrics").text
                #expect(metrics.contains("switchboard_config_reloads_total{outcome=\"applied\"} 1"), "\(metrics)")
                #expect(metrics.contains("switchboard_config_reloads_total{outcome=\"refused\"} 1"))
                #expect(metrics.contains("switchboard_config_last_reload_successful 0"))
                // The configuration in force stays: dental still takes requests.
                #expect(try await probe.submit(department: "dental", body: Array("tooth 2".utf8)).status == .acceptedNoWorker)
            }

            let outcomes = try await withThrowingTaskGroup(of: LoadOutcome.self) { group in
                for client in 1...Self.clients {
                    group.addTask { try await Self.runClient(client, endpoint: endpoint, answered: answered, progress: progress) }
                }
                var all: [LoadOutcome] = []
                for try await outcome in group { all.append(outcome) }
                return all
            }
            try await reloads.value

            let total = Self.clients * Self.perClient
            let answers = outcomes.reduce(into: [String: [UInt8]]()) { $0.merge($1.answers) { first, _ in first } }
            #expect(answers.count == total)
            #expect(answers.allSatisfy { $0.value == Array("re:question \($0.key)".utf8) })
            #expect(outcomes.allSatisfy { $0.timeouts == 0 }, "a submission waited over 2 s for its ticket")
            let slowest = outcomes.map(\.slowestAcceptance).max() ?? .zero
            print("reload under load: \(answers.count) of \(total) answered, slowest ACCEPTED \(slowest)")
            #expect(daemon.process.process.isRunning)
        }
    }

    @Test("a department removed by SIGHUP takes no new request; its open request is still served")
    func removedDepartment() async throws {
        try await Daemon.with(extraConfiguration: Self.initial) { daemon in
            let original = try String(contentsOf: daemon.configurationFile, encoding: .utf8)
            let agent = try await AgentClient(endpoint: daemon.endpoint)
            defer { Task { await agent.close() } }
            let open = try await agent.submit(department: "billing", body: Array("invoice 7".utf8))
            try Self.write(Self.configuration("departments:\n  claims: {}\n", original), to: daemon)
            daemon.process.signal(SIGHUP)
            try await OutputWatch.wait(for: "SIGHUP: configuration reloaded", in: daemon.process.stderrURL)
            #expect(daemon.process.stderr.contains("removed: billing") || daemon.process.stderr.contains("removed=billing"))

            do {
                _ = try await agent.submit(department: "billing", body: Array("invoice 8".utf8))
                Issue.record("a removed department took a new request")
            } catch SwitchboardClientError.refused(let status, let error, _) {
                #expect(status == .notFound && error == "unknown-department")
            }
            // A worker for it may still register, and serves what is left.
            _ = try await daemon.serve(name: "billing-bot", departments: ["billing"], command: ["sh", "-c", "printf 'paid:'; cat"])
            #expect(try await agent.answer(ticket: open.ticket, timeout: .seconds(20)) == Array("paid:invoice 7".utf8))
        }
    }

    // MARK: Helpers

    struct LoadOutcome: Sendable {
        var answers: [String: [UInt8]] = [:]
        var timeouts = 0
        var slowestAcceptance: Duration = .zero
    }

    /// The fixture's file as the test started it, with its own sections kept and `body` in place of the test's.
    static func configuration(_ body: String, _ original: String) throws -> String {
        guard let range = original.range(of: Self.initial) else { throw TestFailure("the fixture's file changed shape") }
        return original.replacingCharacters(in: range, with: body)
    }

    static func write(_ text: String, to daemon: Daemon) throws {
        try text.write(to: daemon.configurationFile, atomically: true, encoding: .utf8)
    }

    static func waitFor(answered target: Int, _ answered: Locked<Int>, _ progress: Notifier) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while answered.withLock({ $0 }) < target {
            guard ContinuousClock.now < deadline else { throw TestFailure("fewer than \(target) answers within 60 s") }
            await progress.wait(timeout: .seconds(1))
        }
    }

    static func answerTarget(_ agent: AgentClient, _ ticket: String) async throws -> Int64? {
        try await agent.status(ticket: ticket).info.clocks?.first { $0.target == .answer }?.targetMs
    }

    /// One agent keeping `inFlight` requests open until it has had `perClient` answers.
    static func runClient(_ client: Int, endpoint: String, answered: Locked<Int>, progress: Notifier) async throws
        -> LoadOutcome
    {
        let agent = try await AgentClient(endpoint: endpoint, pollInterval: .milliseconds(300))
        defer { Task { await agent.close() } }
        let outcome = Locked(LoadOutcome())
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func start() {
                guard next < perClient else { return }
                next += 1
                let id = "reload-c\(client)-\(next)"
                group.addTask {
                    let started = ContinuousClock.now
                    let submission: Submission
                    do {
                        submission = try await agent.submit(
                            department: "claims", body: Array("question \(id)".utf8), requestID: id, timeout: .seconds(2))
                    } catch SwitchboardClientError.timeout {
                        outcome.withLock { $0.timeouts += 1 }
                        return
                    }
                    let waited = ContinuousClock.now - started
                    outcome.withLock { $0.slowestAcceptance = max($0.slowestAcceptance, waited) }
                    let answer = try await agent.answer(ticket: submission.ticket, timeout: .seconds(60))
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
}
