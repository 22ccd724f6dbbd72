import Foundation
import SwitchboardSchema
import Testing

/// Majordomo peers against switchboardd, unchanged: majortomo (PyPI) and pyzmq peers written from the specs
/// for strict 18/MDP (0.2) and 7/MDP (0.1), each checking every frame it receives (Tests/Support/mdp_peers.py).
@Suite("End to end: Majordomo compatibility", .serialized)
struct MajordomoTests {
    static let script = PythonTools.supportDirectory.appendingPathComponent("mdp_peers.py").path

    /// Starts an MDP worker process and waits until the daemon announces it joined its department.
    static func worker(
        _ daemon: Daemon, _ name: String, kind: String, dialect: String? = nil, service: String, extra: [String] = []
    ) async throws -> ChildProcess {
        var arguments = [script, kind, "--endpoint", daemon.endpoint, "--service", service, "--heartbeat", "0.2"]
        if let dialect { arguments += ["--dialect", dialect] }
        let process = daemon.adopt(try ChildProcess(
            name: name, executable: "/usr/bin/env", arguments: ["python3"] + arguments + extra, directory: daemon.directory))
        _ = try await daemon.events.next(within: .seconds(20)) {
            $0.type == .workerJoined && $0.departments == [service] && $0.worker?.hasPrefix("mdp-") == true
        }
        return process
    }

    static func client(
        _ daemon: Daemon, _ name: String, kind: String, dialect: String? = nil, service: String, body: String
    ) throws -> ChildProcess {
        var arguments = [script, kind, "--endpoint", daemon.endpoint, "--service", service, "--timeout", "20"]
        if let dialect { arguments += ["--dialect", dialect] }
        return daemon.adopt(try ChildProcess(
            name: name, executable: "/usr/bin/env", arguments: ["python3"] + arguments + [body], directory: daemon.directory))
    }

    /// Waits for the client and returns its reply lines (`PARTIAL ...`, `FINAL ...`).
    static func replies(_ client: ChildProcess) async throws -> [String] {
        let code = try await client.exitCode(within: .seconds(30))
        #expect(code == 0, "\(client.name) exited \(code): \(client.stderr)")
        return client.stdout.split(separator: "\n").map(String.init)
    }

    @Test("majortomo's client and worker (its MDP 0.2 dialect) end to end, a PARTIAL becoming an update",
          .timeLimit(.minutes(2)))
    func majortomo() async throws {
        try await Daemon.with { daemon in
            _ = try await Self.worker(daemon, "majortomo-worker", kind: "majortomo-worker", service: "claims", extra: ["--partial"])
            let client = try Self.client(daemon, "majortomo-client", kind: "majortomo-client", service: "claims", body: "claim C-1?")
            #expect(try await Self.replies(client) == ["PARTIAL working", "FINAL answer: claim C-1?"])
            // A Switchboard request like any other: a ticket, an update and the answer in the ledger.
            let answered = try await daemon.events.next { $0.type == .requestAnswered && $0.department == "claims" }
            let ticket = try #require(answered.ticket)
            let detail = try await HTTPProbe.get("\(daemon.httpBase)/api/v1/requests/\(ticket)")
            let body = try JSONCoding.decode(RequestDetail.self, from: Array(detail.body))
            #expect(body.request.state == .answered)
            #expect(body.request.updates == 1)
            #expect(body.history.map(\.type).contains(.requestUpdated))
            #expect(body.request.requestId.hasPrefix("mdp-"))
        }
    }

    @Test("strict RFC 18 (MDP 0.2) client and worker, written from the spec, end to end", .timeLimit(.minutes(2)))
    func rfc18() async throws {
        try await Daemon.with { daemon in
            _ = try await Self.worker(daemon, "rfc18-worker", kind: "worker", dialect: "0.2", service: "billing", extra: ["--partial"])
            let client = try Self.client(daemon, "rfc18-client", kind: "client", dialect: "0.2", service: "billing", body: "invoice 7?")
            #expect(try await Self.replies(client) == ["PARTIAL working", "FINAL answer: invoice 7?"])
        }
    }

    @Test("MDP 0.1 client and worker, written from the spec, end to end", .timeLimit(.minutes(2)))
    func mdp01() async throws {
        try await Daemon.with { daemon in
            _ = try await Self.worker(daemon, "mdp01-worker", kind: "worker", dialect: "0.1", service: "pharmacy", extra: ["--partial"])
            let client = try Self.client(daemon, "mdp01-client", kind: "client", dialect: "0.1", service: "pharmacy", body: "prior auth?")
            // 0.1 has no PARTIAL: the update is recorded, and only the REPLY reaches the client.
            #expect(try await Self.replies(client) == ["FINAL answer: prior auth?"])
        }
    }

    @Test("mixed: a native agent answered by an MDP worker, an MDP client answered by a native worker",
          .timeLimit(.minutes(2)))
    func mixed() async throws {
        try await Daemon.with { daemon in
            _ = try await Self.worker(daemon, "mdp-eligibility", kind: "worker", dialect: "0.2", service: "eligibility")
            let ask = try daemon.cli("ask", ["ask", "--department", "eligibility", "--json", "member M-1?"])
            #expect(try await ask.exitCode() == 0, "\(ask.stderr)")
            #expect(try jsonObject(ask.stdout)["answer"] as? String == "answer: member M-1?")

            _ = try await daemon.serve(name: "native-claims", departments: ["claims"], command: ["tr", "a-z", "A-Z"])
            for (kind, dialect) in [("client", "0.1"), ("client", "0.2"), ("majortomo-client", nil)] {
                let client = try Self.client(
                    daemon, "\(kind)-\(dialect ?? "m")", kind: kind, dialect: dialect, service: "claims", body: "status c-9")
                #expect(try await Self.replies(client) == ["FINAL STATUS C-9"])
            }
        }
    }

    @Test("a killed MDP worker's request is requeued and answered by another", .timeLimit(.minutes(2)))
    func killedWorker() async throws {
        try await Daemon.with { daemon in
            let holder = try await Self.worker(
                daemon, "holding-worker", kind: "majortomo-worker", service: "claims", extra: ["--hold"])
            let client = try Self.client(daemon, "client", kind: "client", dialect: "0.2", service: "claims", body: "claim C-2?")
            let accepted = try await daemon.events.next { $0.type == .requestAccepted && $0.department == "claims" }
            holder.signal(SIGKILL)
            let requeued = try await daemon.events.next(within: .seconds(20)) {
                $0.type == .requestRequeued && $0.ticket == accepted.ticket
            }
            #expect(requeued.attempt == 1)
            _ = try await Self.worker(daemon, "second-worker", kind: "worker", dialect: "0.1", service: "claims", extra: ["--prefix", "second: "])
            #expect(try await Self.replies(client) == ["FINAL second: claim C-2?"])
        }
    }

    @Test("an MDP client whose request an operator cancels gets a FINAL saying so", .timeLimit(.minutes(2)))
    func cancelledByOperator() async throws {
        try await Daemon.with { daemon in
            let client = try Self.client(daemon, "client", kind: "client", dialect: "0.2", service: "pharmacy", body: "prior auth?")
            let submitted = try await daemon.events.next { $0.type == .requestSubmitted && $0.department == "pharmacy" }
            let ticket = try #require(submitted.ticket)
            let cancel = try await HTTPProbe.post("\(daemon.httpBase)/api/v1/requests/\(ticket)/cancel")
            #expect(cancel.status == 200, "\(cancel.text)")
            let lines = try await Self.replies(client)
            #expect(lines.count == 1)
            #expect(lines.first?.hasPrefix("FINAL {") == true, "\(lines)")
            #expect(lines.first?.contains("\"error\":\"cancelled\"") == true, "\(lines)")
        }
    }

    @Test("mmi.service says 200 for a served department and 404 for one nobody serves; mmi.* extensions and 501",
          .timeLimit(.minutes(2)))
    func management() async throws {
        try await Daemon.with { daemon in
            _ = try await Self.worker(daemon, "claims-worker", kind: "worker", dialect: "0.2", service: "claims")
            for (kind, dialect) in [("client", "0.1"), ("client", "0.2"), ("majortomo-client", nil)] {
                let served = try Self.client(daemon, "served-\(kind)-\(dialect ?? "m")", kind: kind, dialect: dialect, service: "mmi.service", body: "claims")
                #expect(try await Self.replies(served) == ["FINAL 200"])
                let unserved = try Self.client(daemon, "unserved-\(kind)-\(dialect ?? "m")", kind: kind, dialect: dialect, service: "mmi.service", body: "pharmacy")
                #expect(try await Self.replies(unserved) == ["FINAL 404"])
            }
            let unknown = try Self.client(daemon, "mmi-unknown", kind: "client", dialect: "0.2", service: "mmi.nothing", body: "")
            #expect(try await Self.replies(unknown) == ["FINAL 501"])
            let departments = try Self.client(daemon, "mmi-departments", kind: "client", dialect: "0.2", service: "mmi.departments", body: "")
            let line = try #require(try await Self.replies(departments).first)
            let summaries = try JSONCoding.decode([DepartmentSummary].self, from: Array(line.dropFirst("FINAL ".count).utf8))
            #expect(summaries.first { $0.name == "claims" }?.workers == 1)
            let workers = try Self.client(daemon, "mmi-workers", kind: "client", dialect: "0.1", service: "mmi.workers", body: "")
            let workerLine = try #require(try await Self.replies(workers).first)
            let listed = try JSONCoding.decode([WorkerSummary].self, from: Array(workerLine.dropFirst("FINAL ".count).utf8))
            #expect(listed.map(\.departments) == [["claims"]])
        }
    }

    @Test("malformed Majordomo messages are counted and dropped; the broker keeps serving", .timeLimit(.minutes(2)))
    func malformed() async throws {
        try await Daemon.with { daemon in
            let peer = try RawPeer(endpoint: daemon.endpoint)
            let garbage: [[[UInt8]]] = [
                [Array("MDPC02".utf8)],                                        // no command
                [Array("MDPC02".utf8), [0x09], Array("claims".utf8), []],       // unknown client command
                [[], Array("MDPW02".utf8), [0x01]],                             // READY without service
                [Array("MDPW02".utf8), [0x04], Array("T-1".utf8), Array("x".utf8)], // FINAL without delimiter
                [Array("MDPC01".utf8), Array("claims".utf8), Array("x".utf8)],   // 0.1 without its empty frame
                [Array("MDPC09".utf8), [0x01]],                                 // unknown version
                [Array("MDPW02".utf8), [0x77]],                                 // unknown worker command
                [Array("MDPC02".utf8), [0x01], Array("claims".utf8), Array("a".utf8), Array("b".utf8)], // two body frames
            ]
            for message in garbage { try peer.send(message) }
            // Nothing comes back to the sender, and the broker still serves everyone.
            #expect(try await peer.receive(within: .milliseconds(300)) == nil)
            _ = try await Self.worker(daemon, "worker", kind: "worker", dialect: "0.2", service: "claims")
            let client = try Self.client(daemon, "client", kind: "client", dialect: "0.2", service: "claims", body: "still there?")
            #expect(try await Self.replies(client) == ["FINAL answer: still there?"])
            let metrics = try await PythonTools.parseMetrics(
                try await HTTPProbe.get("\(daemon.httpBase)/metrics").body, directory: daemon.directory)
            let refused = metrics.samples.filter { $0.name == "switchboard_protocol_errors_total" }.map(\.value).reduce(0, +)
            #expect(refused == Double(garbage.count))
            #expect(daemon.process.process.isRunning)
        }
    }
}
