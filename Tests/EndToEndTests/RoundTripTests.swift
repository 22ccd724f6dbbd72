import Foundation
import SwitchboardSchema
import Testing

@Suite("End to end: round trips", .serialized)
struct RoundTripTests {
    @Test("an agent's question is answered by a `switchboard serve` worker; resubmitting returns the same ticket")
    func roundTrip() async throws {
        try await Daemon.with { daemon in
            _ = try await daemon.serve(
                name: "eligibility-bot", departments: ["eligibility"], command: ["sh", "-c", "printf 'answer:'; cat"])

            let ask = try daemon.cli("ask", ["ask", "--department", "eligibility", "--json", "--id", "r-1", "Is M-1001 covered?"])
            #expect(try await ask.exitCode() == 0, "\(ask.stderr)")
            let reply = try jsonObject(ask.stdout)
            #expect(reply["answer"] as? String == "answer:Is M-1001 covered?")
            #expect(reply["state"] as? String == "answered")
            #expect(reply["accepted_status"] as? Int == 201)
            let ticket = try #require(reply["ticket"] as? String)

            let status = try daemon.cli("status", ["status", "--json", ticket])
            #expect(try await status.exitCode() == 0, "\(status.stderr)")
            let info = try jsonObject(status.stdout)
            #expect(info["state"] as? String == "answered")
            #expect(info["attempts"] as? Int == 1)
            #expect(info["answer"] as? String == "answer:Is M-1001 covered?")

            let again = try daemon.cli("again", ["ask", "--department", "eligibility", "--json", "--id", "r-1", "Is M-1001 covered?"])
            #expect(try await again.exitCode() == 0, "\(again.stderr)")
            let second = try jsonObject(again.stdout)
            #expect(second["ticket"] as? String == ticket)
            #expect(second["accepted_status"] as? Int == 200)
            #expect(second["answer"] as? String == "answer:Is M-1001 covered?")
            _ = try await daemon.events.next { $0.type == .requestAnswered && $0.ticket == ticket }
            #expect(daemon.events.seen.filter { $0.type == .requestSubmitted && $0.requestId == "r-1" }.count == 1)
        }
    }

    @Test("a rejection fails the ask with the worker's reason; cancel and status report clearly")
    func rejectAndCancel() async throws {
        try await Daemon.with { daemon in
            _ = try await daemon.serve(
                name: "claims-bot", departments: ["claims"], command: ["sh", "-c", "echo 'claim not found' >&2; exit 2"])
            let ask = try daemon.cli("ask", ["ask", "--department", "claims", "--json", "Status of claim C-1?"])
            #expect(try await ask.exitCode() == 1)
            let reply = try jsonObject(ask.stdout)
            #expect(reply["state"] as? String == "rejected")
            let error = try #require(reply["error"] as? [String: Any])
            #expect((error["message"] as? String)?.contains("claim not found") == true)

            // Pharmacy has no worker: the request is accepted (202) and waits; then the agent cancels it.
            let queued = try daemon.cli("queued", ["ask", "--department", "pharmacy", "--no-wait", "--json", "PA for M-7?"])
            #expect(try await queued.exitCode() == 0, "\(queued.stderr)")
            let accepted = try jsonObject(queued.stdout)
            #expect(accepted["accepted_status"] as? Int == 202)
            let ticket = try #require(accepted["ticket"] as? String)
            let cancel = try daemon.cli("cancel", ["cancel", "--json", ticket])
            #expect(try await cancel.exitCode() == 0, "\(cancel.stderr)")
            #expect(try jsonObject(cancel.stdout)["state"] as? String == "cancelled")
            let cancelAgain = try daemon.cli("cancel-again", ["cancel", ticket])
            #expect(try await cancelAgain.exitCode() == 1)
            #expect(cancelAgain.stderr.contains("already cancelled"))
            let unknown = try daemon.cli("unknown-ticket", ["status", "T-0000000000000"])
            #expect(try await unknown.exitCode() == 1)
            #expect(unknown.stderr.contains("not known"))
        }
    }

    @Test("cancelling a request stops the worker's command and everything it started")
    func cancelStopsTheCommand() async throws {
        try await Daemon.with { daemon in
            let pidFile = daemon.directory.appendingPathComponent("sleep.pid").path
            _ = try await daemon.serve(
                name: "slow-bot", departments: ["claims"],
                command: ["sh", "-c", "cat > /dev/null; sleep 60 & echo $! > \(pidFile); wait"])
            let queued = try daemon.cli("ask", ["ask", "--department", "claims", "--no-wait", "--json", "Claim C-5?"])
            #expect(try await queued.exitCode() == 0)
            let ticket = try #require(try jsonObject(queued.stdout)["ticket"] as? String)
            _ = try await daemon.events.next { $0.type == .requestAccepted && $0.ticket == ticket }
            let pid = try await Self.readPID(pidFile)
            #expect(kill(pid, 0) == 0, "the command's child should be running")

            let cancel = try daemon.cli("cancel", ["cancel", ticket])
            #expect(try await cancel.exitCode() == 0)
            try await daemon.events.waitUntil(within: .seconds(10), "the command's child to stop") { _ in kill(pid, 0) != 0 }
        }
    }

    private static func readPID(_ path: String) async throws -> Int32 {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOfFile: path, encoding: .utf8),
                let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                return pid
            }
            await Task.yield()
        }
        throw TestFailure("the command never wrote \(path)")
    }

    @Test("an unknown department is a clear error")
    func unknownDepartment() async throws {
        try await Daemon.with { daemon in
            let ask = try daemon.cli("ask", ["ask", "--department", "dental", "--timeout", "5s", "Is M-1 covered?"])
            #expect(try await ask.exitCode() == 1)
            #expect(ask.stderr.contains("404"))
            #expect(ask.stderr.contains("department 'dental' is not known"))
            #expect(ask.stderr.contains("claims"))
        }
    }

    @Test("SIGTERM stops the daemon with exit 0 and tells workers to disconnect")
    func gracefulShutdown() async throws {
        try await Daemon.with { daemon in
            let worker = try RawPeer(endpoint: daemon.endpoint)
            let ready = ReadyInfo(departments: ["billing"], credit: 1, name: "raw-billing")
            try worker.send(WorkerMessage.ready(info: JSONCoding.encode(ready)).encode())
            _ = try await daemon.events.next { $0.type == .workerJoined && $0.worker == "raw-billing" }
            daemon.process.signal(SIGTERM)
            #expect(try await daemon.process.exitCode(within: .seconds(10)) == 0)
            let goodbye = try await worker.receive(within: .seconds(5)) { $0 == WorkerMessage.disconnect.encode() }
            #expect(goodbye != nil)
            #expect(daemon.process.stderr.contains("switchboardd stopped"))
        }
    }
}
