import Foundation
import SwitchboardClient
import SwitchboardSchema
import Testing
import ZeroMQ

@Suite("End to end: ops commands over the HTTP surface", .serialized)
struct OpsCommandsTests {
    @Test("`pending` lists what GET /api/v1/requests?order=deadline lists: same tickets, same order, same states")
    func pendingMatchesTheAPI() async throws {
        try await Daemon.with { daemon in
            // Submitted urgent first and low last: newest-first and nearest-deadline-first orders differ.
            let tickets = try await Self.submit(
                daemon, [("pharmacy", "urgent"), ("billing", "normal"), ("pharmacy", "low")])

            let pending = try daemon.opsCLI("pending", ["pending", "--json"])
            #expect(try await pending.exitCode() == 0, "\(pending.stderr)")
            #expect(pending.stdout.split(separator: "\n").count == 1, "one line: \(pending.stdout)")
            let listed = try JSONCoding.decode(RequestPage.self, from: Array(pending.stdout.utf8))

            var byDeadline = RequestFilter()
            byDeadline.order = .deadline
            let direct = try await OperationsClient(address: daemon.httpAddress).requests(byDeadline)
            #expect(listed.items.map(\.ticket) == direct.items.map(\.ticket))
            #expect(listed.items.map(\.state) == direct.items.map(\.state))
            #expect(listed.total == direct.total)
            #expect(listed.items.map(\.ticket) == tickets, "nearest deadline first: urgent, normal, low")
            #expect(listed.items.allSatisfy { $0.state == .queued })

            // The same through a plain GET, as any HTTP client sees it.
            let (status, body) = try await OperationsClient(address: daemon.httpAddress)
                .get(path: "/api/v1/requests?order=deadline")
            #expect(status == 200)
            #expect(try JSONCoding.decode(RequestPage.self, from: body).items.map(\.ticket) == tickets)

            let newest = try daemon.opsCLI("pending-newest", ["pending", "--json", "--order", "newest"])
            #expect(try await newest.exitCode() == 0, "\(newest.stderr)")
            let newestFirst = try JSONCoding.decode(RequestPage.self, from: Array(newest.stdout.utf8))
            #expect(newestFirst.items.map(\.ticket) == tickets.reversed())

            let table = try daemon.opsCLI("pending-table", ["pending", "--department", "pharmacy"])
            #expect(try await table.exitCode() == 0, "\(table.stderr)")
            let lines = table.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("TICKET") == true, "\(table.stdout)")
            #expect(lines.filter { $0.contains(" pharmacy ") }.map { String($0.prefix(while: { $0 != " " })) }
                == [tickets[0], tickets[2]], "\(table.stdout)")
            #expect(lines.last == "2 of 2", "\(table.stdout)")
            #expect(!table.stdout.contains(tickets[1]))
        }
    }

    @Test("`workers` lists a `serve` worker as GET /api/v1/workers does; `drain NAME` marks it draining")
    func workersAndDrain() async throws {
        try await Daemon.with { daemon in
            _ = try await daemon.serve(name: "claims-bot", departments: ["claims"], capacity: 2, command: ["cat"])
            let ops = OperationsClient(address: daemon.httpAddress)

            let workers = try daemon.opsCLI("workers", ["workers", "--json"])
            #expect(try await workers.exitCode() == 0, "\(workers.stderr)")
            let listed = try JSONCoding.decode(WorkerListBody.self, from: Array(workers.stdout.utf8)).workers
            let direct = try await ops.workers()
            #expect(listed.map(\.id) == direct.map(\.id))
            #expect(listed.map(\.name) == direct.map(\.name))
            let bot = try #require(listed.first { $0.name == "claims-bot" }, "\(workers.stdout)")
            #expect(bot.departments == ["claims"])
            #expect(bot.credit == 2 && bot.freeCredit == 2)
            #expect(!bot.draining)

            let drain = try daemon.opsCLI("drain", ["drain", "claims-bot"])
            #expect(try await drain.exitCode() == 0, "\(drain.stderr)")
            #expect(!drain.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
            // The action answers once it is recorded: the worker is draining when drain exits.
            #expect(try await ops.workers().first { $0.name == "claims-bot" }?.draining == true)
            _ = try await daemon.events.next { $0.type == .workerDraining && $0.worker == "claims-bot" }
            let after = try daemon.opsCLI("workers-after", ["workers", "--json"])
            #expect(try await after.exitCode() == 0, "\(after.stderr)")
            let drained = try JSONCoding.decode(WorkerListBody.self, from: Array(after.stdout.utf8)).workers
            #expect(drained.first { $0.name == "claims-bot" }?.draining == true, "\(after.stdout)")

            let table = try daemon.opsCLI("workers-table", ["workers"])
            #expect(try await table.exitCode() == 0, "\(table.stderr)")
            let row = table.stdout.split(separator: "\n").first { $0.hasPrefix("claims-bot ") }
            #expect(row?.contains(bot.id) == true && row?.hasSuffix("draining") == true, "\(table.stdout)")

            let unknown = try daemon.opsCLI("drain-unknown", ["drain", "nobody-by-that-name"])
            #expect(try await unknown.exitCode() == 1)
            #expect(unknown.stderr.contains("nobody-by-that-name"), "\(unknown.stderr)")
        }
    }

    @Test("`requeue` of an unknown ticket exits 1 with the daemon's reason in one sentence")
    func requeueUnknownTicket() async throws {
        try await Daemon.with { daemon in
            let requeue = try daemon.opsCLI("requeue", ["requeue", "T-0000000000000"])
            #expect(try await requeue.exitCode() == 1)
            let message = requeue.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(message.hasPrefix("switchboard requeue: "), "\(message)")
            #expect(message.contains("T-0000000000000") && message.contains("not known"), "\(message)")
            #expect(message.contains("404"), "\(message)")
            #expect(!message.contains("\n"), "one line: \(message)")
            #expect(requeue.stdout.isEmpty)

            let json = try daemon.opsCLI("requeue-json", ["requeue", "--json", "T-0000000000000"])
            #expect(try await json.exitCode() == 1)
            let error = try #require(try jsonObject(json.stdout)["error"] as? [String: Any], "\(json.stdout)")
            #expect(error["status"] as? Int == 404)
            #expect(error["error"] as? String == "unknown-ticket")
        }
    }

    @Test("`stats --json` counts the submissions; `stats` prints the departments")
    func statsCountSubmissions() async throws {
        try await Daemon.with { daemon in
            let ops = OperationsClient(address: daemon.httpAddress)
            let before = try await ops.stats().submitted
            _ = try await Self.submit(daemon, [("pharmacy", "normal"), ("pharmacy", "high"), ("billing", "low")])

            let stats = try daemon.opsCLI("stats", ["stats", "--json"])
            #expect(try await stats.exitCode() == 0, "\(stats.stderr)")
            let counted = try JSONCoding.decode(OperationsStats.self, from: Array(stats.stdout.utf8))
            #expect(counted.submitted == before + 3)
            #expect(counted.pending["queued"] == 3, "\(counted.pending)")
            #expect(counted.departments == 5)

            let human = try daemon.opsCLI("stats-human", ["stats"])
            #expect(try await human.exitCode() == 0, "\(human.stderr)")
            #expect(human.stdout.contains("submitted        \(before + 3)"), "\(human.stdout)")
            for department in ["claims", "eligibility", "pharmacy", "billing", "provider-relations"] {
                #expect(human.stdout.contains("\n\(department) "), "\(department) in \(human.stdout)")
            }
        }
    }

    @Test("`top --once` prints one plain frame naming every department and the request nearest to breach")
    func topOnce() async throws {
        try await Daemon.with { daemon in
            let tickets = try await Self.submit(daemon, [("eligibility", "urgent")])
            let top = try daemon.opsCLI("top", ["top", "--once"])
            #expect(try await top.exitCode() == 0, "\(top.stderr)")
            for department in ["claims", "eligibility", "pharmacy", "billing", "provider-relations"] {
                #expect(top.stdout.contains("\n\(department) "), "\(department) in \(top.stdout)")
            }
            #expect(top.stdout.contains("NEAREST TO BREACH"))
            #expect(top.stdout.contains(tickets[0]), "\(top.stdout)")
            #expect(!top.stdout.contains("\u{1B}"), "no escape codes when stdout is not a terminal")
        }
    }

    @Test("with no daemon on the address, an ops command says so in one sentence and exits 1")
    func unreachableDaemon() async throws {
        let directory = try TestEnvironment.temporaryDirectory()
        let address = "127.0.0.1:\(try TestEnvironment.freePort())"
        for command in [["pending"], ["top", "--once"]] {
            let child = try ChildProcess(
                name: command[0], executable: try TestEnvironment.executable("switchboard"),
                arguments: command + ["--http", address], directory: directory)
            #expect(try await child.exitCode() == 1)
            let message = child.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(message.contains("cannot reach switchboardd at http://\(address)"), "\(message)")
            #expect(message.contains("switchboardd --http"), "\(message)")
            #expect(!message.contains("\n"), "one line: \(message)")
        }
    }

    @Test("the client sends the bearer token, percent-encodes path segments, reads chunked bodies, and times out")
    func clientOverRawHTTP() async throws {
        let server = try OneShotHTTPServer(response: [
            "HTTP/1.1 200 OK", "Content-Type: application/json", "Transfer-Encoding: chunked", "", "1e",
            #"{"action":"drain","message":"d"#, "9", #"rained."}"#, "0", "", "",
        ].joined(separator: "\r\n"))
        let client = OperationsClient(address: "http://\(server.address)", token: "s3cret\n")
        let result = try await client.drain(worker: "claims bot/1")
        #expect(result == ActionResult(action: .drain, message: "drained."))
        let request = server.request.components(separatedBy: "\r\n")
        #expect(request.first == "POST /api/v1/workers/claims%20bot%2F1/drain HTTP/1.1", "\(request)")
        #expect(request.contains("Authorization: Bearer s3cret"), "\(request)")
        #expect(request.contains("Content-Length: 0"), "\(request)")

        let silent = try OneShotHTTPServer(response: nil)
        let impatient = OperationsClient(address: silent.address, timeout: .milliseconds(300))
        let timeout = OperationsClientError.timeout(url: "http://\(silent.address)", after: .milliseconds(300))
        await #expect(throws: timeout) {
            _ = try await impatient.stats()
        }
    }

    /// Submits one request per (department, priority) with `ask --no-wait`, in order; returns their tickets.
    private static func submit(_ daemon: Daemon, _ requests: [(String, String)]) async throws -> [String] {
        var tickets: [String] = []
        for (index, (department, priority)) in requests.enumerated() {
            let ask = try daemon.cli(
                "ask-\(department)-\(index)",
                ["ask", "--department", department, "--priority", priority, "--no-wait", "--json", "question \(index)"])
            #expect(try await ask.exitCode() == 0, "\(ask.stderr)")
            tickets.append(try #require(try jsonObject(ask.stdout)["ticket"] as? String))
        }
        return tickets
    }
}

/// The body of GET /api/v1/workers.
private struct WorkerListBody: Decodable {
    var workers: [WorkerSummary]
}

/// Accepts one connection on 127.0.0.1, records the request head, answers `response` (or nothing, holding the
/// connection open, when nil) and closes.
private final class OneShotHTTPServer: @unchecked Sendable {
    // @unchecked Sendable: `received` is behind a lock; the rest is set in init.
    let address: String
    private let received = Locked("")

    init(response: String?) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard fd >= 0, bound == 0, listen(fd, 1) == 0 else { throw TestFailure("cannot listen on 127.0.0.1") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.address = "127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
        let received = self.received
        Thread {
            defer { close(fd) }
            let connection = accept(fd, nil, nil)
            guard connection >= 0 else { return }
            defer { close(connection) }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !bytes.ends(with: Array("\r\n\r\n".utf8)) {
                let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress!, $0.count, 0) }
                guard count > 0 else { break }
                bytes += buffer[0..<count]
            }
            received.withLock { $0 = String(decoding: bytes, as: UTF8.self) }
            if let response {
                _ = Array(response.utf8).withUnsafeBytes {
                    send(connection, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL))
                }
            } else {
                // Hold the connection until the client gives up and closes it.
                while recv(connection, &buffer, buffer.count, 0) > 0 {}
            }
        }.start()
    }

    /// The request head as received.
    var request: String { received.withLock { $0 } }
}

extension Array where Element: Equatable {
    fileprivate func ends(with suffix: [Element]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
