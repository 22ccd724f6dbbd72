import Foundation
import SwitchboardSchema
import Testing

@Suite("End to end: worker failure and load", .serialized)
struct WorkerFailureTests {
    @Test("kill -9 of the worker holding a request: the other worker answers it")
    func killedWorkerIsReplaced() async throws {
        try await Daemon.with { daemon in
            // The first worker takes the request and never answers.
            let stuck = try await daemon.serve(
                name: "stuck-bot", departments: ["claims"], command: ["sh", "-c", "cat > /dev/null; exec sleep 30"])
            let ask = try daemon.cli("ask", ["ask", "--department", "claims", "--json", "--timeout", "60s", "Claim C-9?"])
            let accepted = try await daemon.events.next { $0.type == .requestAccepted && $0.worker == "stuck-bot" }
            let ticket = try #require(accepted.ticket)

            _ = try await daemon.serve(
                name: "healthy-bot", departments: ["claims"], command: ["sh", "-c", "printf 'healthy:'; cat"])
            stuck.signal(SIGKILL)

            _ = try await daemon.events.next { $0.type == .workerLost && $0.worker == "stuck-bot" }
            let requeued = try await daemon.events.next { $0.type == .requestRequeued && $0.ticket == ticket }
            #expect(requeued.attempt == 1)
            let answered = try await daemon.events.next(within: .seconds(20)) { $0.type == .requestAnswered && $0.ticket == ticket }
            #expect(answered.worker == "healthy-bot")
            #expect(answered.attempt == 2)
            #expect(try await ask.exitCode() == 0, "\(ask.stderr)")
            #expect(try jsonObject(ask.stdout)["answer"] as? String == "healthy:Claim C-9?")
        }
    }

    @Test("1,000 requests from 4 concurrent client processes are all answered exactly once")
    func thousandRequests() async throws {
        try await Daemon.with { daemon in
            for index in 1...2 {
                _ = try await daemon.serve(
                    name: "echo-\(index)", departments: ["eligibility"], capacity: 8,
                    command: ["sh", "-c", "printf 're:'; cat"])
            }
            let switchboard = try TestEnvironment.executable("switchboard")
            let clients = try (1...4).map { client in
                try daemon.shell("client-\(client)", """
                    for i in $(seq 1 250); do
                      "\(switchboard)" ask --endpoint \(daemon.endpoint) --department eligibility --json \
                        --id c\(client)-$i "q-\(client)-$i" || echo '{"failed":"'$i'"}'
                    done
                    """)
            }
            var tickets = Set<String>()
            for (index, client) in clients.enumerated() {
                #expect(try await client.exitCode(within: .seconds(300)) == 0)
                let lines = client.stdout.split(separator: "\n")
                #expect(lines.count == 250, "client \(index + 1): \(client.stderr.suffix(500))")
                for (offset, line) in lines.enumerated() {
                    let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
                    #expect(object["answer"] as? String == "re:q-\(index + 1)-\(offset + 1)")
                    if let ticket = object["ticket"] as? String { tickets.insert(ticket) }
                }
            }
            #expect(tickets.count == 1000)
            try await daemon.events.waitUntil(within: .seconds(30), "1,000 request.answered events") { events in
                events.filter { $0.type == .requestAnswered }.count >= 1000
            }
            let answered = daemon.events.seen.filter { $0.type == .requestAnswered }.count
            #expect(answered == 1000)
            #expect(daemon.events.seen.filter { $0.type == .requestDuplicateAnswer }.isEmpty)
            #expect(Set(daemon.events.seen.filter { $0.type == .requestAnswered }.compactMap(\.ticket)) == tickets)
        }
    }
}
