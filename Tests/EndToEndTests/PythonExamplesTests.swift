import Foundation
import SwitchboardSchema
import Testing

/// The Python examples for department teams (schemas/examples/python): their codec against the golden vectors,
/// and their department bot and agent against a real daemon.
@Suite("End to end: the Python examples in schemas/examples/python", .serialized)
struct PythonExamplesTests {
    static let schemas = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("schemas")
    static let examples = schemas.appendingPathComponent("examples/python")
    static let botName = "py-claims-bot"

    /// Runs one of the example scripts. No bytecode is written: the tests leave the source folder as it was.
    static func python(_ name: String, _ script: String, _ arguments: [String], directory: URL) throws -> ChildProcess {
        try ChildProcess(
            name: name, executable: "/usr/bin/env",
            arguments: ["python3", examples.appendingPathComponent(script).path] + arguments, directory: directory,
            environment: ["PYTHONDONTWRITEBYTECODE": "1"])
    }

    /// Starts department_bot.py for claims and waits until the daemon announces it joined.
    static func bot(_ daemon: Daemon, extra: [String] = []) async throws -> ChildProcess {
        let arguments = [
            "--endpoint", daemon.endpoint, "--department", "claims", "--capacity", "3", "--name", botName,
            "--heartbeat", Daemon.heartbeat, "--work-time", "300ms",
        ]
        let bot = daemon.adopt(try python(botName, "department_bot.py", arguments + extra, directory: daemon.directory))
        _ = try await daemon.events.next(within: .seconds(20)) { $0.type == .workerJoined && $0.worker == botName }
        return bot
    }

    /// Runs agent.py: `command` (ask or status), then the endpoint, then `arguments`.
    static func agent(
        _ daemon: Daemon, _ name: String, _ command: String, _ arguments: [String]
    ) throws -> ChildProcess {
        daemon.adopt(try python(
            name, "agent.py", [command, "--endpoint", daemon.endpoint, "--timeout", "20s"] + arguments,
            directory: daemon.directory))
    }

    static func lines(_ process: ChildProcess) -> [String] {
        process.stdout.split(separator: "\n").map(String.init)
    }

    static func vectorCount(_ folder: URL) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.count
    }

    @Test("the codec decodes and re-encodes every valid vector and refuses every invalid one as named")
    func goldenVectors() async throws {
        let vectors = Self.schemas.appendingPathComponent("vectors")
        let check = try Self.python(
            "check-vectors", "test_vectors.py", [vectors.path], directory: try TestEnvironment.temporaryDirectory())
        #expect(try await check.exitCode() == 0, "\(check.stderr)")
        // Every vector ran, with the JSON frames checked against the schemas: not a pass by finding nothing.
        let valid = Self.vectorCount(vectors), invalid = Self.vectorCount(vectors.appendingPathComponent("invalid"))
        #expect(valid >= 30 && invalid >= 30)
        #expect(check.stdout.contains("\(valid) valid, \(invalid) invalid"), "\(check.stdout)")
        #expect(check.stdout.contains("0 failure(s); JSON frames checked against the schemas"), "\(check.stdout)")
    }

    @Test("the vector check fails, naming the vector, when a valid one breaks or an invalid one gets another reason")
    func goldenVectorCheckCanFail() async throws {
        let directory = try TestEnvironment.temporaryDirectory()
        let copy = directory.appendingPathComponent("vectors")
        try FileManager.default.copyItem(at: Self.schemas.appendingPathComponent("vectors"), to: copy)
        try Self.edit(copy.appendingPathComponent("agent-accepted-201.json")) { vector in
            var frames = vector["frames_hex"] as? [String] ?? []
            frames[frames.count - 1] = "363030"  // status 600
            vector["frames_hex"] = frames
        }
        try Self.edit(copy.appendingPathComponent("invalid/agent-submit-bad-priority.json")) { vector in
            vector["expect"] = ["status": 400, "error": "bad-department"]
        }
        let check = try Self.python("check-broken-vectors", "test_vectors.py", [copy.path], directory: directory)
        #expect(try await check.exitCode() == 1)
        #expect(check.stdout.contains("2 failure(s)"), "\(check.stdout)")
        #expect(check.stderr.contains("FAIL agent-accepted-201.json"), "\(check.stderr)")
        #expect(check.stderr.contains("400 bad-status"), "\(check.stderr)")
        #expect(check.stderr.contains("FAIL invalid/agent-submit-bad-priority.json"), "\(check.stderr)")
    }

    static func edit(_ file: URL, _ change: (inout [String: Any]) -> Void) throws {
        var vector = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        change(&vector)
        try JSONSerialization.data(withJSONObject: vector).write(to: file)
    }

    @Test("three agents ask the Python bot, one urgent, one a long job with an update; each gets its answer",
          .timeLimit(.minutes(2)))
    func answers() async throws {
        try await Daemon.with { daemon in
            _ = try await Self.bot(daemon)
            let questions: [(id: String, priority: Priority, question: String, answer: String, update: Bool)] = [
                ("py-paid", .normal, "What is the status of claim C-1001?", "Claim C-1001: paid on 2026-11-02.", false),
                ("py-urgent", .urgent, "please call the member back", "PLEASE CALL THE MEMBER BACK", false),
                ("py-review", .high, "Any news on C-1003?",
                 "Claim C-1003: in review: the adjuster expects to decide by 2026-12-05.", true),
            ]
            let agents = try questions.map { question in
                try Self.agent(daemon, "agent-\(question.id)", "ask", [
                    "--department", "claims", "--priority", question.priority.rawValue, "--request-id", question.id,
                    question.question,
                ])
            }
            var tickets: [String: String] = [:]
            for (question, agent) in zip(questions, agents) {
                #expect(try await agent.exitCode() == 0, "\(agent.name): \(agent.stderr)")
                let lines = Self.lines(agent)
                let ticket = try #require(lines.first, "\(agent.name) printed nothing")
                #expect(ticket.hasPrefix("ticket: T-"), "the ticket comes first: \(lines)")
                tickets[question.id] = String(ticket.dropFirst("ticket: ".count))
                #expect(lines.last == "answer: \(question.answer)", "\(agent.name): \(lines)")
                #expect(lines.contains { $0.hasPrefix("update: ") } == question.update, "\(agent.name): \(lines)")
            }

            // The broker recorded each as asked (the urgent one as urgent) and answered by the Python bot.
            let ids = Set(questions.map(\.id))
            try await daemon.events.waitUntil(within: .seconds(10), "every question answered") { events in
                ids.isSubset(of: events.filter { $0.type == .requestAnswered }.compactMap(\.requestId))
            }
            for question in questions {
                let answered = daemon.events.seen.first { $0.type == .requestAnswered && $0.requestId == question.id }
                #expect(answered?.worker == Self.botName)
                #expect(answered?.priority == question.priority)
                #expect(answered?.ticket == tickets[question.id])
            }
            let updated = daemon.events.seen.filter { $0.type == .requestUpdated }.compactMap(\.requestId)
            #expect(updated == ["py-review"])

            // `status TICKET` reads it back, with the answer.
            let status = try Self.agent(daemon, "agent-status", "status", [try #require(tickets["py-urgent"])])
            #expect(try await status.exitCode() == 0, "\(status.stderr)")
            #expect(Self.lines(status).contains("state: answered"), "\(status.stdout)")
            #expect(Self.lines(status).contains("priority: urgent"), "\(status.stdout)")
            #expect(Self.lines(status).last == "answer: PLEASE CALL THE MEMBER BACK", "\(status.stdout)")
        }
    }

    @Test("an unknown department, a rejection, an unknown ticket and an operator's cancel: exit 1 with the reason",
          .timeLimit(.minutes(2)))
    func refusals() async throws {
        try await Daemon.with { daemon in
            let unknown = try Self.agent(daemon, "agent-unknown", "ask", ["--department", "nowhere", "Anyone there?"])
            #expect(try await unknown.exitCode() == 1, "\(unknown.stdout)")
            #expect(unknown.stderr.contains("error 404 unknown-department"), "\(unknown.stderr)")
            #expect(Self.lines(unknown).isEmpty, "no ticket for a refused request: \(unknown.stdout)")

            _ = try await Self.bot(daemon)
            let rejected = try Self.agent(daemon, "agent-rejected", "ask", ["--department", "claims", "Claim C-9999?"])
            #expect(try await rejected.exitCode() == 1, "\(rejected.stdout)")
            #expect(rejected.stderr.contains("error 422 rejected"), "\(rejected.stderr)")
            #expect(rejected.stderr.contains("claim C-9999 is not on file"), "\(rejected.stderr)")

            let status = try Self.agent(daemon, "agent-unknown-ticket", "status", ["T-0000000000000"])
            #expect(try await status.exitCode() == 1)
            #expect(status.stderr.contains("error 404 unknown-ticket"), "\(status.stderr)")

            // An operator cancels a waiting request: the broker pushes its STATUS, and the agent stops waiting.
            let waiting = try Self.agent(
                daemon, "agent-cancelled", "ask",
                ["--department", "pharmacy", "--request-id", "py-cancel", "Prior auth?"])
            let submitted = try await daemon.events.next {
                $0.type == .requestSubmitted && $0.requestId == "py-cancel"
            }
            let ticket = try #require(submitted.ticket)
            let cancel = try await HTTPProbe.post("\(daemon.httpBase)/api/v1/requests/\(ticket)/cancel")
            #expect(cancel.status == 200, "\(cancel.text)")
            #expect(try await waiting.exitCode() == 1, "\(waiting.stdout)")
            #expect(waiting.stderr.contains("is cancelled: cancelled by an operator"), "\(waiting.stderr)")
        }
    }

    @Test("SIGTERM: the bot sends DISCONNECT and exits 0; the daemon records its departure and lists it no more",
          .timeLimit(.minutes(2)))
    func sigterm() async throws {
        try await Daemon.with { daemon in
            let bot = try await Self.bot(daemon)
            let listed = try await HTTPProbe.get("\(daemon.httpBase)/api/v1/workers")
            #expect(listed.text.contains("\"\(Self.botName)\""), "\(listed.text)")

            bot.signal(SIGTERM)
            #expect(try await bot.exitCode(within: .seconds(10)) == 0, "\(bot.stderr)")
            // worker.left is a DISCONNECT; a bot that just died would be worker.lost, heartbeats later.
            let left = try await daemon.events.next {
                $0.worker == Self.botName && ($0.type == .workerLeft || $0.type == .workerLost)
            }
            #expect(left.type == .workerLeft, "\(left)")
            let after = try await HTTPProbe.get("\(daemon.httpBase)/api/v1/workers")
            #expect(!after.text.contains("\"\(Self.botName)\""), "\(after.text)")
        }
    }

    @Test("with CURVE: the bot and the agent connect with --key and --server-key", .timeLimit(.minutes(2)))
    func curve() async throws {
        let keys = try TestKeys(principals: [
            ("alice", "kind: agent, submit: [claims]"), (Self.botName, "kind: bot, serve: [claims]"),
        ])
        try await Daemon.with(keys: keys) { daemon in
            _ = try await Self.bot(daemon, extra: keys.arguments(Self.botName))
            let ask = try Self.agent(
                daemon, "agent-alice", "ask", keys.arguments("alice") + ["--department", "claims", "Claim C-1002?"])
            #expect(try await ask.exitCode() == 0, "\(ask.stderr)")
            #expect(Self.lines(ask).last == "answer: Claim C-1002: denied: the service needs prior authorization.")
        }
    }
}
