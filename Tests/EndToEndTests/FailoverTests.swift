import Foundation
import Logging
import SwitchboardClient
import SwitchboardPostgres
import SwitchboardSchema
import SwitchboardStore
import Testing
import ZeroMQ

/// Issue 16: an active/standby pair on a PostgreSQL ledger, with real processes: failover under load with
/// nothing lost or doubled, and a paused leader that cannot commit once its lease is gone.
@Suite("End to end: an active/standby pair on PostgreSQL", .serialized)
struct FailoverTests {
    static let clients = 4
    static let perClient = 300
    static let inFlightPerClient = 16

    @Test("under load, kill -9 the leader twice: the standby takes over, every request id has one ticket and one answer")
    func failoverUnderLoad() async throws {
        try await DaemonPair.with { pair in
            let first = try await pair.waitForLeader()
            #expect(try await pair.role(first) == "leader")
            #expect(try await pair.role(1 - first) == "standby")
            let standby = try await HTTPProbe.get(pair.members[1 - first].httpBase + "/readyz")
            #expect(standby.status == 503, "a standby is not ready: \(standby.text)")
            #expect((try standby.object()["role"] as? String) == "standby")
            let metrics = try await HTTPProbe.get(pair.members[1 - first].httpBase + "/metrics").text
            #expect(metrics.contains("switchboard_role{role=\"standby\"} 1"), "\(metrics.prefix(600))")
            try await pair.startWorkers(["echo-1", "echo-2"], department: "claims", capacity: 8, at: first)

            let answered = Locked(0)
            let progress = Notifier()
            let total = Self.clients * Self.perClient
            let endpoints = pair.endpoints
            let failovers = Locked([(takeover: Duration, service: Duration)]())

            // The killer: SIGKILL whoever leads at two moments of the run; the other takes over; the killed one
            // comes back as the standby.
            let killer = Task {
                var leader = first
                for round in 0..<2 {
                    let threshold = total * (round == 0 ? 25 : 60) / 100
                    while answered.withLock({ $0 }) < threshold { await progress.wait(timeout: .seconds(1)) }
                    let before = answered.withLock { $0 }
                    let killedAt = ContinuousClock.now
                    pair.process(leader).signal(SIGKILL)
                    _ = try await pair.process(leader).exitCode(within: .seconds(10))
                    let next = 1 - leader
                    try await pair.waitUntilServing(next, within: .seconds(30))
                    let takeover = ContinuousClock.now - killedAt
                    // Service is back when a request is answered after the kill.
                    while answered.withLock({ $0 }) <= before { await progress.wait(timeout: .seconds(1)) }
                    let service = ContinuousClock.now - killedAt
                    failovers.withLock { $0.append((takeover, service)) }
                    #expect(try await pair.role(next) == "leader")
                    try pair.launch(leader)
                    leader = next
                }
                return leader
            }

            let outcomes = try await withThrowingTaskGroup(of: CrashTortureTests.Outcome.self) { group in
                for client in 1...Self.clients {
                    group.addTask {
                        try await CrashTortureTests.runClient(
                            client, endpoint: endpoints, answered: answered, progress: progress, requests: Self.perClient,
                            inFlight: Self.inFlightPerClient)
                    }
                }
                var all: [CrashTortureTests.Outcome] = []
                for try await outcome in group { all.append(outcome) }
                return all
            }
            let last = try await killer.value

            let (ticketsByID, answersByID) = CrashTortureTests.Outcome.merged(outcomes)
            #expect(ticketsByID.count == total)
            let split = ticketsByID.filter { $0.value.count != 1 }
            #expect(split.isEmpty, "request ids with more than one ticket: \(split.prefix(5))")
            #expect(Set(ticketsByID.values.flatMap { $0 }).count == total)
            let wrong = answersByID.filter { $0.value != Array("re:question \($0.key)".utf8) }
            #expect(answersByID.count == total && wrong.isEmpty, "wrong answers: \(wrong.keys.prefix(5))")

            // The ledger agrees: one row per request id, every one answered.
            let ledger = try PostgresLedger(location: try PostgresLocation(url: pair.url), logger: Logger(label: "test"))
            defer { try? ledger.close() }
            let counts = try ledger.countsByState()
            #expect(counts[.answered] == total, "ledger states: \(counts)")
            #expect(counts.values.reduce(0, +) == total)
            let times = failovers.withLock { $0 }
            #expect(times.count == 2)
            print("failover under load: \(total) requests, \(Set(ticketsByID.values.flatMap { $0 }).count) tickets, "
                + "\(answersByID.count) answers, \(outcomes.reduce(0) { $0 + $1.resubmissions }) resubmissions; "
                + times.enumerated().map { index, time in
                    "kill \(index + 1): the standby served after \(Self.seconds(time.takeover)), the first answer after \(Self.seconds(time.service))"
                }.joined(separator: "; ")
                + "; leader now \(pair.members[last].name)")
        }
    }

    @Test("a leader paused past its lease (SIGSTOP) commits nothing when it wakes, and stops; the standby serves")
    func pausedLeaderIsFenced() async throws {
        try await DaemonPair.with { pair in
            let old = try await pair.waitForLeader()
            let new = 1 - old
            try await pair.startWorkers(["echo-1"], department: "claims", capacity: 4, at: old)
            let agent = try await AgentClient(endpoint: pair.endpoints, pollInterval: .milliseconds(300))
            defer { Task { await agent.close() } }
            let before = try await agent.submit(department: "claims", body: Array("question before".utf8), requestID: "before")
            #expect(try await agent.answer(ticket: before.ticket) == Array("re:question before".utf8))

            pair.process(old).signal(SIGSTOP)
            try await pair.waitUntilServing(new, within: .seconds(30))
            #expect(try await pair.role(new) == "leader")

            // A request sent to the paused daemon alone waits in its socket until it wakes.
            let direct = try RawPeer(endpoint: pair.members[old].endpoint)
            try direct.send(AgentMessage.submit(
                requestID: "to-the-old-leader", department: "claims", priority: .normal, body: Array("late".utf8)).encode())
            // The new leader serves meanwhile, the worker having moved to it.
            let during = try await agent.submit(
                department: "claims", body: Array("question during".utf8), requestID: "during", timeout: .seconds(20))
            #expect(try await agent.answer(ticket: during.ticket) == Array("re:question during".utf8))

            pair.process(old).signal(SIGCONT)
            let code = try await pair.process(old).exitCode(within: .seconds(20))
            #expect(code != 0, "the old leader must stop, not go on")
            let log = pair.process(old).stderr
            #expect(log.contains("lease"), "the old leader says why it stopped:\n\(log.suffix(2000))")
            let reply = try await direct.receive(within: .milliseconds(500)) { frames in
                if case .accepted? = try? AgentMessage.decode(frames.dropFirst(), direction: .fromBroker) { return true }
                return false
            }
            #expect(reply == nil, "no ACCEPTED from a daemon that does not lead")

            let ledger = try PostgresLedger(location: try PostgresLocation(url: pair.url), logger: Logger(label: "test"))
            defer { try? ledger.close() }
            var filter = RequestFilter()
            filter.requestID = "to-the-old-leader"
            filter.states = Set(RequestState.allCases)
            #expect(try ledger.requests(filter, now: Timestamp.now()).items.isEmpty, "the fenced commit wrote nothing")
            #expect(try ledger.countsByState().values.reduce(0, +) == 2)

            // The new leader still serves, and the old one comes back as its standby.
            try pair.launch(old)
            let after = try await agent.submit(department: "claims", body: Array("question after".utf8), requestID: "after")
            #expect(try await agent.answer(ticket: after.ticket) == Array("re:question after".utf8))
            try await OutputWatch.wait(for: "standing by", in: pair.process(old).stderrURL)
            #expect(try await pair.role(old) == "standby")
            // A standby stops cleanly and at once.
            pair.process(old).signal(SIGTERM)
            #expect(try await pair.process(old).exitCode(within: .seconds(10)) == 0, "\(pair.process(old).stderr.suffix(1500))")
        }
    }

    @Test("the Python examples and the CLI, given both endpoints, follow the leader across a kill -9")
    func examplesFollowTheLeader() async throws {
        try await DaemonPair.with { pair in
            let first = try await pair.waitForLeader()
            let events = try EventWatcher(endpoint: pair.members[first].eventsEndpoint)
            try await events.waitUntilSubscribed(requestEndpoint: pair.members[first].endpoint, department: "billing")
            let bot = try PythonExamplesTests.python(
                "py-bot", "department_bot.py",
                ["--endpoint", pair.endpoints, "--department", "claims", "--capacity", "2", "--name", "py-bot",
                 "--heartbeat", Daemon.heartbeat, "--work-time", "100ms"],
                directory: pair.directory)
            defer { bot.signal(SIGKILL) }
            _ = try await events.next(within: .seconds(20)) { $0.type == .workerJoined && $0.worker == "py-bot" }

            func ask(_ name: String, _ question: String) async throws -> [String] {
                let agent = try PythonExamplesTests.python(
                    name, "agent.py",
                    ["ask", "--endpoint", pair.endpoints, "--timeout", "30s", "--poll", "500ms", "--department", "claims",
                     question],
                    directory: pair.directory)
                #expect(try await agent.exitCode(within: .seconds(40)) == 0, "\(agent.stderr)")
                return PythonExamplesTests.lines(agent)
            }
            #expect(try await ask("py-agent-1", "Status of claim C-1001?").last == "answer: Claim C-1001: paid on 2026-11-02.")

            pair.process(first).signal(SIGKILL)
            _ = try await pair.process(first).exitCode(within: .seconds(10))
            // Asked at once: the submission is sent again until the new leader takes it, and the bot, having
            // registered with it, answers.
            #expect(try await ask("py-agent-2", "Status of claim C-1001?").last == "answer: Claim C-1001: paid on 2026-11-02.")
            #expect(try await pair.role(1 - first) == "leader")

            // The CLI, with the endpoints from the environment.
            let cli = try ChildProcess(
                name: "cli-ask", executable: try TestEnvironment.executable("switchboard"),
                arguments: ["ask", "--department", "claims", "--timeout", "30s", "Status of claim C-1001?"],
                directory: pair.directory, environment: ["SWITCHBOARD_ENDPOINT": pair.endpoints])
            #expect(try await cli.exitCode(within: .seconds(40)) == 0, "\(cli.stderr)")
            #expect(cli.stdout.contains("Claim C-1001: paid on 2026-11-02."), "\(cli.stdout)")

            // The ops commands, given both HTTP addresses, read the leader whichever it is: the killed daemon is
            // back as the standby, which answers 503.
            try pair.launch(first)
            try await OutputWatch.wait(for: "standing by", in: pair.process(first).stderrURL)
            let addresses = pair.members.map(\.httpAddress).joined(separator: ",")
            let stats = try ChildProcess(
                name: "cli-stats", executable: try TestEnvironment.executable("switchboard"),
                arguments: ["stats", "--http", addresses, "--json"], directory: pair.directory)
            #expect(try await stats.exitCode(within: .seconds(20)) == 0, "\(stats.stderr)")
            #expect(try jsonObject(stats.stdout)["submitted"] != nil, "\(stats.stdout)")

            // The SLA report reads the PostgreSQL ledger itself.
            let report = try ChildProcess(
                name: "cli-sla", executable: try TestEnvironment.executable("switchboard"),
                arguments: ["sla", "report", "--since", "1h", "--json"], directory: pair.directory,
                environment: ["SWITCHBOARD_LEDGER_URL": pair.url])
            #expect(try await report.exitCode(within: .seconds(20)) == 0, "\(report.stderr)")
            let rows = try jsonObject(report.stdout)["rows"] as? [[String: Any]] ?? []
            #expect(rows.contains { $0["department"] as? String == "claims" && ($0["answered"] as? Int ?? 0) >= 3 },
                    "\(report.stdout)")
        }
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.2f s", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}
