import Foundation
import SwitchboardSchema
import SwitchboardStore
import Testing
import ZeroMQ

/// CURVE, the ZAP handler and authorization against a real daemon: who may connect, submit, serve, read and
/// cancel; the audit trail and the metrics of refusals; encryption on the wire; revocation by SIGHUP; and
/// bearer tokens on the HTTP surface.
@Suite("End to end: security", .serialized)
struct SecurityTests {
    static func keys() throws -> TestKeys {
        try TestKeys(
            principals: [
                ("alice", "kind: agent, submit: [claims]"), ("bob", "kind: agent, submit: [claims, pharmacy]"),
                ("claims-bot", "kind: bot, serve: [claims]"), ("pharmacy-bot", "kind: bot, serve: [pharmacy]"),
                ("viewer", "kind: ops"),
            ],
            strangers: ["stranger"])
    }

    static func ask(_ daemon: Daemon, _ name: String, as principal: String?, _ arguments: [String]) throws -> ChildProcess {
        let keys = principal.map { daemon.keys!.arguments($0) } ?? []
        return try daemon.cli(name, [arguments[0]] + keys + Array(arguments.dropFirst()))
    }

    @Test("a peer with no key or an unknown key can neither submit nor serve; a known key can", .timeLimit(.minutes(2)))
    func onlyKnownKeys() async throws {
        let keys = try Self.keys()
        try await Daemon.with(keys: keys) { daemon in
            let plain = try Self.ask(daemon, "plain", as: nil, ["ask", "--department", "claims", "--no-wait", "--timeout", "2s", "hi"])
            #expect(try await plain.exitCode() == 3, "a plain client gets nothing from a CURVE broker: \(plain.stdout)")
            let stranger = try Self.ask(
                daemon, "stranger", as: "stranger", ["ask", "--department", "claims", "--no-wait", "--timeout", "2s", "hi"])
            #expect(try await stranger.exitCode() == 3, "an unknown key is refused at the handshake: \(stranger.stdout)")
            let alice = try Self.ask(daemon, "alice", as: "alice", ["ask", "--department", "claims", "--no-wait", "--json", "hi"])
            #expect(try await alice.exitCode() == 0, "\(alice.stderr)")

            // Serving: an unknown key never registers; a known bot does.
            var strangerServe = ["serve", "--endpoint", daemon.endpoint, "--name", "stranger-bot", "--department", "claims"]
            strangerServe += keys.arguments("stranger") + ["--heartbeat", Daemon.heartbeat, "--", "cat"]
            let intruder = daemon.adopt(try ChildProcess(
                name: "stranger-serve", executable: try TestEnvironment.executable("switchboard"), arguments: strangerServe,
                directory: daemon.directory))
            defer { intruder.signal(SIGKILL) }
            let bot = try await daemon.serve(
                name: "claims-bot", departments: ["claims"], command: ["cat"], extra: keys.arguments("claims-bot"))
            _ = bot
            #expect(!daemon.events.seen.contains { $0.type == .workerJoined && $0.worker == "stranger-bot" })
            let answered = try await daemon.events.next { $0.type == .requestAnswered }
            #expect(answered.worker == "claims-bot")
        }
    }

    @Test("bots serve only their departments, agents see only their own tickets, ops see all; refusals are audited and counted",
          .timeLimit(.minutes(2)))
    func authorization() async throws {
        let keys = try Self.keys()
        try await Daemon.with(keys: keys) { daemon in
            // claims-bot may not register for pharmacy.
            var serve = ["serve", "--endpoint", daemon.endpoint, "--name", "sneaky", "--department", "pharmacy"]
            serve += keys.arguments("claims-bot") + ["--heartbeat", Daemon.heartbeat, "--", "cat"]
            let sneaky = daemon.adopt(try ChildProcess(
                name: "sneaky", executable: try TestEnvironment.executable("switchboard"), arguments: serve, directory: daemon.directory))
            #expect(try await sneaky.exitCode() != 0)
            #expect(sneaky.stderr.contains("403") || sneaky.stderr.contains("not-permitted"), "\(sneaky.stderr)")

            // alice may not submit to pharmacy; bob may.
            let refused = try Self.ask(daemon, "alice-pharmacy", as: "alice", ["ask", "--department", "pharmacy", "--no-wait", "x"])
            #expect(try await refused.exitCode() == 1)
            #expect(refused.stderr.contains("403"), "\(refused.stderr)")
            let bobAsk = try Self.ask(daemon, "bob-pharmacy", as: "bob", ["ask", "--department", "pharmacy", "--no-wait", "--json", "x"])
            #expect(try await bobAsk.exitCode() == 0, "\(bobAsk.stderr)")
            let pharmacyTicket = try #require(try jsonObject(bobAsk.stdout)["ticket"] as? String)

            // claims-bot (registered for claims) may not answer a pharmacy request.
            let claimsBot = try RawPeer(endpoint: daemon.endpoint, curve: keys.curve("claims-bot"))
            let ready = ReadyInfo(departments: ["claims"], credit: 1, name: "raw-claims-bot")
            try claimsBot.send(WorkerMessage.ready(info: JSONCoding.encode(ready)).encode())
            _ = try await daemon.events.next { $0.type == .workerJoined && $0.worker == "raw-claims-bot" }
            try claimsBot.send(WorkerMessage.answer(ticket: pharmacyTicket, body: Array("forged".utf8)).encode())
            let reply = try #require(try await claimsBot.receive(within: .seconds(5)) { frames in
                (try? WorkerMessage.decode(frames[1...], direction: .fromBroker)).map { message in
                    if case .error = message { return true } else { return false }
                } ?? false
            })
            guard case let .error(reference, status, _) = try WorkerMessage.decode(reply[1...], direction: .fromBroker) else {
                Issue.record("no ERROR for the forged answer")
                return
            }
            #expect(reference == pharmacyTicket)
            #expect(status == .forbidden)

            // alice's ticket: bob may neither read nor cancel it; ops may read it; alice may.
            let aliceAsk = try Self.ask(
                daemon, "alice-claims", as: "alice", ["ask", "--department", "claims", "--id", "case-7", "--no-wait", "--json", "y"])
            #expect(try await aliceAsk.exitCode() == 0, "\(aliceAsk.stderr)")
            let ticket = try #require(try jsonObject(aliceAsk.stdout)["ticket"] as? String)
            // Resubmitting alice's request id does not hand bob her ticket.
            let bobSameID = try Self.ask(
                daemon, "bob-same-id", as: "bob", ["ask", "--department", "claims", "--id", "case-7", "--no-wait", "--json", "z"])
            #expect(try await bobSameID.exitCode() == 1)
            #expect(!bobSameID.stdout.contains(ticket), "\(bobSameID.stdout)")
            let bobStatus = try Self.ask(daemon, "bob-status", as: "bob", ["status", ticket])
            #expect(try await bobStatus.exitCode() == 1)
            #expect(bobStatus.stderr.contains("403"), "\(bobStatus.stderr)")
            let bobCancel = try Self.ask(daemon, "bob-cancel", as: "bob", ["cancel", ticket])
            #expect(try await bobCancel.exitCode() == 1)
            #expect(bobCancel.stderr.contains("403"), "\(bobCancel.stderr)")
            let viewer = try Self.ask(daemon, "viewer-status", as: "viewer", ["status", ticket])
            #expect(try await viewer.exitCode() == 0, "\(viewer.stderr)")
            let viewerCancel = try Self.ask(daemon, "viewer-cancel", as: "viewer", ["cancel", ticket])
            #expect(try await viewerCancel.exitCode() == 1, "an observing ops principal may not cancel")
            let aliceStatus = try Self.ask(daemon, "alice-status", as: "alice", ["status", ticket])
            #expect(try await aliceStatus.exitCode() == 0, "\(aliceStatus.stderr)")
            let opsCancel = try Self.ask(daemon, "ops-cancel", as: "ops", ["cancel", ticket])
            #expect(try await opsCancel.exitCode() == 0, "\(opsCancel.stderr)")
            _ = try await daemon.events.next { $0.type == .requestCancelled && $0.ticket == ticket }

            // The audit trail: who submitted, viewed and cancelled, and each refusal.
            let ledger = try Ledger(readingFrom: daemon.dataDirectory.path)
            let trail = try ledger.audit()
            func has(_ principal: String, _ action: String, _ outcome: String, ticket: String? = nil) -> Bool {
                trail.contains {
                    $0.principal == principal && $0.action == action && $0.outcome.rawValue == outcome
                        && (ticket == nil || $0.ticket == ticket)
                }
            }
            #expect(has("claims-bot", "serve", "refused"))
            #expect(has("alice", "submit", "refused"))
            #expect(has("claims-bot", "answer", "refused", ticket: pharmacyTicket))
            #expect(has("bob", "view", "refused", ticket: ticket))
            #expect(has("bob", "cancel", "refused", ticket: ticket))
            #expect(has("viewer", "view", "allowed", ticket: ticket))
            #expect(has("alice", "submit", "allowed", ticket: ticket))
            #expect(has("ops", "cancel", "allowed", ticket: ticket))
            #expect(!trail.contains { ($0.reason ?? "").contains("forged") }, "no body in the audit trail")

            let metrics = try await PythonTools.parseMetrics(
                try await HTTPProbe.get("\(daemon.httpBase)/metrics").body, directory: daemon.directory)
            #expect(metrics.value("switchboard_authorization_refusals_total", ["kind": "agent", "action": "view"]) == 1)
            #expect(metrics.value("switchboard_authorization_refusals_total", ["kind": "agent", "action": "submit"]) == 2)
            #expect(metrics.value("switchboard_authorization_refusals_total", ["kind": "agent", "action": "cancel"]) == 1)
            #expect(metrics.value("switchboard_authorization_refusals_total", ["kind": "bot", "action": "serve"]) == 1)
            #expect(metrics.value("switchboard_authorization_refusals_total", ["kind": "bot", "action": "answer"]) == 1)
        }
    }

    @Test("the wire is encrypted: a capture of the TCP stream does not hold the body (it does without CURVE)",
          .timeLimit(.minutes(2)))
    func wireIsEncrypted() async throws {
        let secret = "member M-4711 diagnosis Z99.1"
        for curve in [true, false] {
            let keys = curve ? try Self.keys() : nil
            try await Daemon.with(keys: keys) { daemon in
                let port = try TestEnvironment.freePort()
                let capture = daemon.directory.appendingPathComponent("capture-\(curve).bin")
                let target = Int(daemon.endpoint.split(separator: ":").last!)!
                let relay = daemon.adopt(try ChildProcess(
                    name: "relay", executable: "/usr/bin/env",
                    arguments: [
                        "python3", PythonTools.supportDirectory.appendingPathComponent("tcp_relay.py").path,
                        "--listen", String(port), "--target", String(target), "--capture", capture.path,
                    ],
                    directory: daemon.directory))
                defer { relay.signal(SIGKILL) }
                // The client reconnects until the relay listens: no need to wait for it.
                var arguments = ["ask", "--endpoint", "tcp://127.0.0.1:\(port)", "--department", "claims", "--no-wait", "--json"]
                if let keys { arguments += keys.arguments("alice") }
                let ask = daemon.adopt(try ChildProcess(
                    name: "ask-via-relay", executable: try TestEnvironment.executable("switchboard"),
                    arguments: arguments + [secret], directory: daemon.directory))
                #expect(try await ask.exitCode() == 0, "\(ask.stderr)")
                let bytes = try Data(contentsOf: capture)
                #expect(bytes.count > 100, "the relay saw the exchange")
                let seen = bytes.range(of: Data(secret.utf8)) != nil
                #expect(seen == !curve, curve ? "the body crossed the wire in clear text" : "the capture did not see a plain body")
            }
        }
    }

    @Test("revoking a key by editing the configuration and sending SIGHUP takes effect; other principals go on",
          .timeLimit(.minutes(2)))
    func sighupRevokes() async throws {
        let keys = try Self.keys()
        try await Daemon.with(keys: keys) { daemon in
            let before = try Self.ask(daemon, "alice-before", as: "alice", ["ask", "--department", "claims", "--no-wait", "--json", "one"])
            #expect(try await before.exitCode() == 0, "\(before.stderr)")
            let ticket = try #require(try jsonObject(before.stdout)["ticket"] as? String)
            let original = try String(contentsOf: daemon.configurationFile, encoding: .utf8)
            try original.replacingOccurrences(of: keys.configuration, with: keys.configuration(without: ["alice"]))
                .write(to: daemon.configurationFile, atomically: true, encoding: .utf8)
            daemon.process.signal(SIGHUP)
            // From the reload on, alice is refused; until then an attempt may still pass.
            let deadline = ContinuousClock.now + .seconds(20)
            var refused = false
            var attempt = 0
            while !refused && ContinuousClock.now < deadline {
                attempt += 1
                let after = try Self.ask(
                    daemon, "alice-after-\(attempt)", as: "alice",
                    ["ask", "--department", "claims", "--no-wait", "--timeout", "1s", "two"])
                refused = try await after.exitCode() != 0
            }
            #expect(refused, "alice's key still works after the reload")
            #expect(daemon.process.stderr.contains("configuration reloaded"), "\(daemon.process.stderr.suffix(2000))")
            // Nothing was lost, and others are served as before.
            let viewer = try Self.ask(daemon, "viewer", as: "viewer", ["status", ticket])
            #expect(try await viewer.exitCode() == 0, "\(viewer.stderr)")
            let bob = try Self.ask(daemon, "bob", as: "bob", ["ask", "--department", "claims", "--no-wait", "three"])
            #expect(try await bob.exitCode() == 0, "\(bob.stderr)")

            // A broken file is refused and the configuration in force stays.
            try "security: [this is not a mapping".write(to: daemon.configurationFile, atomically: true, encoding: .utf8)
            daemon.process.signal(SIGHUP)
            let bobAgain = try Self.ask(daemon, "bob-again", as: "bob", ["ask", "--department", "claims", "--no-wait", "four"])
            #expect(try await bobAgain.exitCode() == 0, "\(bobAgain.stderr)")
            #expect(daemon.process.process.isRunning)
        }
    }

    @Test("a bot whose permission to serve is withdrawn by SIGHUP is disconnected at once; its request goes back",
          .timeLimit(.minutes(2)))
    func withdrawnServePermission() async throws {
        let keys = try Self.keys()
        try await Daemon.with(keys: keys) { daemon in
            // A bot that holds its request (the command takes long), heartbeating all the while.
            let bot = try await daemon.serve(
                name: "slow-claims-bot", departments: ["claims"], command: ["sleep", "60"], extra: keys.arguments("claims-bot"))
            let ask = try Self.ask(daemon, "alice", as: "alice", ["ask", "--department", "claims", "--no-wait", "--json", "q"])
            #expect(try await ask.exitCode() == 0, "\(ask.stderr)")
            let ticket = try #require(try jsonObject(ask.stdout)["ticket"] as? String)
            _ = try await daemon.events.next(within: .seconds(20)) { $0.type == .requestAccepted && $0.ticket == ticket }

            let original = try String(contentsOf: daemon.configurationFile, encoding: .utf8)
            try original.replacingOccurrences(of: "kind: bot, serve: [claims]", with: "kind: bot, serve: [billing]")
                .write(to: daemon.configurationFile, atomically: true, encoding: .utf8)
            daemon.process.signal(SIGHUP)
            let left = try await daemon.events.next(within: .seconds(20)) {
                ($0.type == .workerLeft || $0.type == .workerLost) && $0.worker == "slow-claims-bot"
            }
            #expect(left.type == .workerLeft, "disconnected by the broker, not lost by silence")
            let requeued = try await daemon.events.next { $0.type == .requestRequeued && $0.ticket == ticket }
            #expect(requeued.state == .queued)
            // Told to disconnect, the bot registers again and is refused: it stops, saying why.
            #expect(try await bot.exitCode(within: .seconds(20)) != 0)
            #expect(bot.stderr.contains("403") || bot.stderr.contains("not-permitted"), "\(bot.stderr)")
        }
    }

    @Test("beyond loopback the HTTP API requires a bearer token, actions an operate token; health stays open",
          .timeLimit(.minutes(2)))
    func httpTokens() async throws {
        let port = try TestEnvironment.freePort()
        let observe = "observe-token-0123456789", operate = "operate-token-0123456789"
        let tokens = "http:\n  tokens:\n    observe: [\"\(observe)\"]\n    operate: [\"\(operate)\"]"
        try await Daemon.with(extraConfiguration: tokens, http: "0.0.0.0:\(port)") { daemon in
            let base = "http://127.0.0.1:\(port)"
            func request(_ method: String, _ path: String, token: String?) async throws -> (status: Int, body: String) {
                var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: 0\r\nConnection: close\r\n"
                if let token { text += "Authorization: Bearer \(token)\r\n" }
                return try await HTTPProbe.raw(port: port, text + "\r\n")
            }
            #expect(try await request("GET", "/healthz", token: nil).status == 200)
            #expect(try await request("GET", "/readyz", token: nil).status == 200)
            let anonymous = try await request("GET", "/api/v1/stats", token: nil)
            #expect(anonymous.status == 401)
            #expect(anonymous.body.contains("bearer token"))
            #expect(try await request("GET", "/metrics", token: "wrong-token-0123456789").status == 401)
            #expect(try await request("GET", "/api/v1/stats", token: observe).status == 200)
            #expect(try await request("POST", "/api/v1/workers/nobody/drain", token: observe).status == 403)
            #expect(try await request("POST", "/api/v1/workers/nobody/drain", token: operate).status == 404)
            _ = base
        }
    }

    @Test("a daemon reachable beyond loopback without CURVE or tokens refuses to start, saying why")
    func exposureIsRefused() async throws {
        let directory = try TestEnvironment.temporaryDirectory()
        let daemon = try ChildProcess(
            name: "exposed", executable: try TestEnvironment.executable("switchboardd"),
            arguments: [
                "--endpoint", "tcp://*:\(try TestEnvironment.freePort())", "--events", "tcp://127.0.0.1:\(try TestEnvironment.freePort())",
                "--http", "0.0.0.0:\(try TestEnvironment.freePort())", "--data-dir", directory.appendingPathComponent("var").path,
            ],
            directory: directory)
        #expect(try await daemon.exitCode() == 78)
        #expect(daemon.stderr.contains("without CURVE"), "\(daemon.stderr)")
        #expect(daemon.stderr.contains("http.tokens"), "\(daemon.stderr)")
    }
}
