import Foundation
import SwitchboardSchema
import SwitchboardStore
import Testing

/// The agent API over HTTP against a real daemon: submissions that are durable and idempotent, agents who see
/// only their own tickets, refusals that are clear and counted, the question-and-answer loop over the live
/// stream (resumed after a kill -9), signed webhooks retried from the ledger's outbox, and the agent page
/// driven in headless Chromium.
@Suite("End to end: the agent API, its stream, webhooks and the agent page", .serialized)
struct AgentAPITests {
    static let alice = "alice-token-0123456789"
    static let bob = "bob-token-0123456789ab"
    static let crm = "crm-token-0123456789ab"
    static let observer = "observe-token-0123456789"
    static let crmOrigin = "https://crm.example.com"

    static func configuration(webhookPort: Int? = nil, pagerPort: Int? = nil) -> String {
        var text = """
            departments:
              claims: {}
              pharmacy:
                answer_targets: \(pagerPort == nil ? "4h" : "1s")
              billing: {}
            limits:
              max_body_bytes: 2048
            http:
              tokens:
                observe: ["\(observer)"]
              agents:
                alice: {token: "\(alice)", submit: [claims, billing]}
                bob: {token: "\(bob)"}
              integrations:
                crm: {token: "\(crm)"}
              cors:
                origins: ["\(crmOrigin)"]
            """
        if let webhookPort {
            text += """

                webhooks:
                  crm-hook:
                    url: http://127.0.0.1:\(webhookPort)/hook
                    secret: "\(webhookSecret)"
                    departments: [claims]
                """
        }
        if let pagerPort {
            text += """

                  pager:
                    url: http://127.0.0.1:\(pagerPort)/page
                    secret: "\(webhookSecret)"
                    events: [request.sla_breached, request.dead_lettered]
                    departments: [pharmacy]
                """
        }
        return text
    }

    static let webhookSecret = "hook-secret-0123456789"

    static func bearer(_ token: String, _ extra: [String: String] = [:]) -> [String: String] {
        extra.merging(["Authorization": "Bearer \(token)"]) { $1 }
    }

    static func json(_ object: [String: Any]) throws -> Data { try JSONSerialization.data(withJSONObject: object) }

    static func submit(
        _ daemon: Daemon, token: String, _ fields: [String: Any], headers: [String: String] = [:]
    ) async throws -> HTTPProbe.Reply {
        try await HTTPProbe.call(
            "POST", "\(daemon.httpBase)/api/v1/requests",
            headers: bearer(token, headers.merging(["Content-Type": "application/json"]) { $1 }), body: try json(fields))
    }

    static func get(_ daemon: Daemon, _ path: String, token: String, headers: [String: String] = [:]) async throws -> HTTPProbe.Reply {
        try await HTTPProbe.call("GET", "\(daemon.httpBase)\(path)", headers: bearer(token, headers))
    }

    static func validate(_ reply: HTTPProbe.Reply, _ schema: String, _ daemon: Daemon, _ what: String) async throws {
        try await PythonTools.validate(reply.body, against: schema, directory: daemon.directory, what: what)
    }

    /// Starts `Tests/Support/asking_bot.py` for claims and waits until it registered.
    static func askingBot(_ daemon: Daemon, name: String = "asking-bot", update: String? = nil) async throws -> ChildProcess {
        var arguments = [
            "python3", PythonTools.supportDirectory.appendingPathComponent("asking_bot.py").path, "--endpoint", daemon.endpoint,
            "--department", "claims", "--heartbeat", Daemon.heartbeat,
        ]
        if let update { arguments += ["--update", update] }
        let bot = daemon.adopt(try ChildProcess(name: name, executable: "/usr/bin/env", arguments: arguments, directory: daemon.directory))
        try await OutputWatch.wait(for: "ready", in: bot.stdoutURL)
        return bot
    }

    /// Follows `GET /api/v1/stream` with curl (which speaks chunked HTTP and prints each event as it comes).
    static func follow(_ daemon: Daemon, name: String, token: String, lastEventID: String? = nil) throws -> ChildProcess {
        var arguments = ["-sS", "-N", "-H", "Authorization: Bearer \(token)"]
        if let lastEventID { arguments += ["-H", "Last-Event-ID: \(lastEventID)"] }
        return daemon.adopt(try ChildProcess(
            name: name, executable: "/usr/bin/env", arguments: ["curl"] + arguments + ["\(daemon.httpBase)/api/v1/stream"],
            directory: daemon.directory))
    }

    /// Hangs up a stream (curl, as a browser closing its tab).
    static func hangUp(_ follower: ChildProcess) async throws {
        follower.signal(SIGKILL)
        _ = try await follower.exitCode(within: .seconds(10))
    }

    /// The events a stream printed: (id, the event's JSON).
    static func streamEvents(_ text: String) throws -> [(id: Int64, event: [String: Any])] {
        var events: [(Int64, [String: Any])] = []
        var id: Int64?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("id: ") {
                id = Int64(line.dropFirst(4))
            } else if line.hasPrefix("data: ") {
                let event = try #require(try JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8)) as? [String: Any])
                events.append((try #require(id, "an event without id: \(text)"), event))
            }
        }
        return events
    }

    // MARK: Submissions and who sees them

    @Test("HTTP submissions are durable and idempotent; an agent sees only its own tickets, an integration names its agent")
    func submissionsAreDurableAndPrivate() async throws {
        try await Daemon.with(extraConfiguration: Self.configuration()) { daemon in
            let first = try await Self.submit(daemon, token: Self.alice, ["department": "claims", "body": "Is claim 123 paid?", "request_id": "case-1"])
            #expect(first.status == 202, "nobody serves claims yet: accepted, no worker: \(first.text)")
            try await Self.validate(first, "submitted.schema.json", daemon, "POST /api/v1/requests")
            let ticket = try #require(try first.object()["ticket"] as? String)
            #expect(try first.object()["agent"] as? String == "alice")
            #expect(first.header("Location") == "/api/v1/requests/\(ticket)")
            let again = try await Self.submit(daemon, token: Self.alice, ["department": "claims", "body": "Is claim 123 paid?", "request_id": "case-1"])
            #expect(try again.object()["ticket"] as? String == ticket, "the same request id gives the same ticket")
            let keyed = try await Self.submit(
                daemon, token: Self.alice, ["department": "billing", "body": "Refund?"], headers: ["Idempotency-Key": "case-2"])
            let second = try #require(try keyed.object()["ticket"] as? String)
            #expect(second != ticket)

            // Accepted means durable: a kill -9 right after the reply loses nothing.
            try await daemon.crashAndRestart()
            let view = try await Self.get(daemon, "/api/v1/requests/\(ticket)", token: Self.alice)
            #expect(view.status == 200, "\(view.text)")
            try await Self.validate(view, "agent-request.schema.json", daemon, "GET /api/v1/requests/{ticket}")
            let request = try #require(try view.object()["request"] as? [String: Any])
            #expect(request["state"] as? String == "queued")
            let keyedAgain = try await Self.submit(
                daemon, token: Self.alice, ["department": "billing", "body": "Refund?"], headers: ["Idempotency-Key": "case-2"])
            #expect(try keyedAgain.object()["ticket"] as? String == second, "idempotent across a restart too")

            // Bob may neither read Alice's ticket nor take her request id.
            let bobView = try await Self.get(daemon, "/api/v1/requests/\(ticket)", token: Self.bob)
            #expect(bobView.status == 403)
            #expect(try bobView.object()["error"] as? String == "not-permitted")
            #expect(!bobView.text.contains("claim 123"))
            let bobSameID = try await Self.submit(daemon, token: Self.bob, ["department": "claims", "body": "x", "request_id": "case-1"])
            #expect(bobSameID.status == 409)
            #expect(try bobSameID.object()["error"] as? String == "request-id-taken")
            #expect(!bobSameID.text.contains(ticket))

            // An integration submits for a named agent, recorded with the ticket.
            let forCarol = try await Self.submit(
                daemon, token: Self.crm, ["department": "claims", "body": "Eligible?"], headers: ["X-Switchboard-Agent": "carol"])
            let carolTicket = try #require(try forCarol.object()["ticket"] as? String, "\(forCarol.text)")
            #expect(try forCarol.object()["agent"] as? String == "carol")
            #expect(try forCarol.object()["via"] as? String == "crm")
            let anonymousIntegration = try await Self.submit(daemon, token: Self.crm, ["department": "claims", "body": "?"])
            #expect(anonymousIntegration.status == 400)
            #expect(try anonymousIntegration.object()["error"] as? String == "agent-required")
            let carolView = try await Self.get(
                daemon, "/api/v1/requests/\(carolTicket)", token: Self.crm, headers: ["X-Switchboard-Agent": "carol"])
            #expect(carolView.status == 200)
            #expect(try carolView.object()["agent"] as? String == "carol")
            let daveView = try await Self.get(
                daemon, "/api/v1/requests/\(carolTicket)", token: Self.crm, headers: ["X-Switchboard-Agent": "dave"])
            #expect(daveView.status == 403, "an integration acting for dave does not see carol's ticket")

            // "My tickets": Alice's two, not Carol's; by request id too.
            let mine = try await Self.get(daemon, "/api/v1/requests?submitter=me", token: Self.alice)
            #expect(mine.status == 200, "\(mine.text)")
            try await Self.validate(mine, "request-page.schema.json", daemon, "GET /api/v1/requests?submitter=me")
            let items = try #require(try mine.object()["items"] as? [[String: Any]])
            #expect(Set(items.compactMap { $0["ticket"] as? String }) == [ticket, second])
            let byID = try await Self.get(daemon, "/api/v1/requests?submitter=me&request_id=case-1", token: Self.alice)
            #expect((try byID.object()["items"] as? [[String: Any]])?.compactMap { $0["ticket"] as? String } == [ticket])
            let others = try await Self.get(daemon, "/api/v1/requests?submitter=bob", token: Self.alice)
            #expect(others.status == 403, "an agent lists only its own tickets")

            // Cancelling her own ticket; an observer's ops view still sees every ticket.
            let cancel = try await HTTPProbe.call(
                "POST", "\(daemon.httpBase)/api/v1/requests/\(second)/cancel", headers: Self.bearer(Self.alice))
            #expect(cancel.status == 200, "\(cancel.text)")
            try await Self.validate(cancel, "agent-action.schema.json", daemon, "POST .../cancel")
            let opsView = try await Self.get(daemon, "/api/v1/requests/\(carolTicket)", token: Self.observer)
            #expect(opsView.status == 200)
            try await Self.validate(opsView, "request-detail.schema.json", daemon, "GET /api/v1/requests/{ticket} (ops)")
            #expect(!opsView.text.contains("Eligible?"), "the ops view holds no body")
        }
    }

    // MARK: Refusals and bad input

    @Test("every refusal and bad input gets a clear JSON error, is counted and audited, and loses nothing")
    func refusalsAreClearCountedAndAudited() async throws {
        try await Daemon.with(extraConfiguration: Self.configuration()) { daemon in
            let base = "\(daemon.httpBase)/api/v1"
            let json = ["Content-Type": "application/json"]
            let good = try Self.json(["department": "claims", "body": "Is claim 9 paid?"])
            var cases: [(what: String, reply: HTTPProbe.Reply, status: Int, error: String)] = []
            cases.append(("no token", try await HTTPProbe.call("POST", "\(base)/requests", headers: json, body: good), 401, "unauthorized"))
            cases.append((
                "wrong token", try await HTTPProbe.call("POST", "\(base)/requests", headers: Self.bearer("wrong-token-0123456789", json), body: good),
                401, "unauthorized"))
            cases.append(("agent token on an ops path", try await Self.get(daemon, "/api/v1/overview", token: Self.alice), 403, "not-permitted"))
            cases.append(("ops token submitting", try await Self.submit(daemon, token: Self.observer, ["department": "claims", "body": "x"]), 403, "not-permitted"))
            cases.append(("department not permitted", try await Self.submit(daemon, token: Self.alice, ["department": "pharmacy", "body": "x"]), 403, "not-permitted"))
            cases.append((
                "bad JSON", try await HTTPProbe.call("POST", "\(base)/requests", headers: Self.bearer(Self.alice, json), body: Data("{\"department\": ".utf8)),
                400, "invalid-json"))
            cases.append(("a body that is not text", try await Self.submit(daemon, token: Self.alice, ["department": "claims", "body": 7]), 400, "invalid-field"))
            cases.append(("unknown department", try await Self.submit(daemon, token: Self.bob, ["department": "dentistry", "body": "x"]), 404, "unknown-department"))
            cases.append((
                "oversized body", try await Self.submit(daemon, token: Self.alice, ["department": "claims", "body": String(repeating: "x", count: 3000)]),
                413, "body-too-large"))
            let unknown = Ticket(rawValue: 0xFFFF_FFFF).text
            cases.append(("unknown ticket", try await Self.get(daemon, "/api/v1/requests/\(unknown)", token: Self.alice), 404, "unknown-ticket"))
            cases.append((
                "reply to an unknown ticket",
                try await HTTPProbe.call("POST", "\(base)/requests/\(unknown)/reply", headers: Self.bearer(Self.alice, json), body: try Self.json(["body": "M-7"])),
                404, "unknown-ticket"))
            cases.append(("invalid Last-Event-ID", try await Self.get(daemon, "/api/v1/stream", token: Self.alice, headers: ["Last-Event-ID": "yesterday"]), 400, "invalid-event-id"))
            cases.append(("unknown Last-Event-ID", try await Self.get(daemon, "/api/v1/stream", token: Self.alice, headers: ["Last-Event-ID": "999999"]), 409, "unknown-event-id"))
            for (what, reply, status, error) in cases {
                #expect(reply.status == status, "\(what): \(reply.text)")
                #expect(reply.contentType?.hasPrefix("application/json") == true, "\(what)")
                #expect((try? reply.object()["error"] as? String) == error, "\(what): \(reply.text)")
                #expect(!reply.text.contains("claim 9"), "\(what): no body in an error")
                try await Self.validate(reply, "error", daemon, what)
            }
            #expect(cases[0].reply.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)

            // Nothing was created by the refused calls, and the broker serves the next good one.
            let accepted = try await HTTPProbe.call("POST", "\(base)/requests", headers: Self.bearer(Self.alice, json), body: good)
            #expect(accepted.status == 202, "\(accepted.text)")
            let mine = try await Self.get(daemon, "/api/v1/requests?submitter=me", token: Self.alice)
            #expect(try mine.object()["total"] as? Int == 1, "\(mine.text)")

            // A stream resumed from before what the ledger still keeps: pruning after `retention` records how far
            // it went; the test records it as a prune of event 1 would, in the daemon's ledger, while it runs.
            let prune = try ChildProcess(
                name: "simulated-prune", executable: "/usr/bin/env",
                arguments: [
                    "python3", "-c",
                    "import sqlite3, sys; db = sqlite3.connect(sys.argv[1], timeout=10); "
                        + "db.execute(\"INSERT INTO ledger_meta (key, value) VALUES ('notifications_pruned_through', 1)\"); db.commit()",
                    daemon.dataDirectory.appendingPathComponent("switchboard.sqlite").path,
                ],
                directory: daemon.directory)
            #expect(try await prune.exitCode() == 0, "\(prune.stderr)")
            let stale = try await Self.get(daemon, "/api/v1/stream", token: Self.alice, headers: ["Last-Event-ID": "0"])
            #expect(stale.status == 409, "\(stale.text)")
            #expect(try stale.object()["error"] as? String == "stale-event-id")
            try await Self.validate(stale, "error", daemon, "a stale Last-Event-ID")
            let fromFloor = try await Self.get(daemon, "/api/v1/requests?submitter=me", token: Self.alice)
            #expect(fromFloor.status == 200, "the ticket itself is still there to re-read")

            // Counted by status and reason, and audited (401 and 403) with who and what, never the body.
            let metrics = try await PythonTools.parseMetrics(
                try await Self.get(daemon, "/metrics", token: Self.observer).body, directory: daemon.directory)
            #expect(metrics.value("switchboard_http_refusals_total", ["status": "401", "reason": "unauthorized"]) == 2)
            #expect(metrics.value("switchboard_http_refusals_total", ["status": "403", "reason": "not-permitted"]) == 3)
            #expect(metrics.value("switchboard_http_refusals_total", ["status": "413", "reason": "body-too-large"]) == 1)
            #expect(metrics.value("switchboard_http_refusals_total", ["status": "409", "reason": "unknown-event-id"]) == 1)
            let trail = try Ledger(readingFrom: daemon.dataDirectory.path).audit()
            #expect(trail.contains { $0.principal == "alice" && $0.action == "http GET /api/v1/overview" && $0.outcome.rawValue == "refused" })
            #expect(trail.contains { $0.principal == "alice" && $0.action == "http POST /api/v1/requests" && $0.outcome.rawValue == "refused" })
            #expect(trail.filter { $0.principal == "unknown" && $0.outcome.rawValue == "refused" }.count == 2)
            #expect(!trail.contains { ($0.reason ?? "").contains("claim 9") })

            // CORS: a configured origin may call from a browser; another may not.
            let preflight = try await HTTPProbe.call(
                "OPTIONS", "\(base)/requests",
                headers: ["Origin": Self.crmOrigin, "Access-Control-Request-Method": "POST",
                          "Access-Control-Request-Headers": "authorization, content-type"])
            #expect(preflight.status == 204, "\(preflight.text)")
            #expect(preflight.header("Access-Control-Allow-Origin") == Self.crmOrigin)
            #expect(preflight.header("Access-Control-Allow-Headers")?.lowercased().contains("authorization") == true)
            let fromCRM = try await HTTPProbe.call(
                "POST", "\(base)/requests", headers: Self.bearer(Self.alice, json.merging(["Origin": Self.crmOrigin]) { $1 }), body: good)
            #expect(fromCRM.status == 202, "\(fromCRM.text)")
            #expect(fromCRM.header("Access-Control-Allow-Origin") == Self.crmOrigin)
            let elsewhere = try await HTTPProbe.call(
                "OPTIONS", "\(base)/requests", headers: ["Origin": "https://evil.example.com", "Access-Control-Request-Method": "POST"])
            #expect(elsewhere.header("Access-Control-Allow-Origin") == nil)
            let fromElsewhere = try await HTTPProbe.call(
                "POST", "\(base)/requests", headers: Self.bearer(Self.alice, json.merging(["Origin": "https://evil.example.com"]) { $1 }), body: good)
            #expect(fromElsewhere.status == 403, "\(fromElsewhere.text)")
        }
    }

    @Test("agents' tokens alone leave the loopback operations surface open, and the agent API closed to callers without one")
    func agentTokensAloneKeepOpsOpen() async throws {
        let configuration = "departments:\n  claims: {}\n  billing: {}\nhttp:\n  agents:\n    alice: {token: \"\(Self.alice)\"}\n"
        try await Daemon.with(extraConfiguration: configuration) { daemon in
            #expect(try await HTTPProbe.get("\(daemon.httpBase)/api/v1/stats").status == 200, "Prometheus and the dashboard keep working")
            #expect(try await HTTPProbe.get("\(daemon.httpBase)/metrics").status == 200)
            let anonymous = try await HTTPProbe.call(
                "POST", "\(daemon.httpBase)/api/v1/requests", headers: ["Content-Type": "application/json"],
                body: try Self.json(["department": "claims", "body": "x"]))
            #expect(anonymous.status == 401, "\(anonymous.text)")
            #expect(try await Self.get(daemon, "/api/v1/stream", token: "wrong-token-0123456789").status == 401)
            let alice = try await Self.submit(daemon, token: Self.alice, ["department": "claims", "body": "Is claim 1 paid?"])
            #expect(alice.status == 202, "\(alice.text)")
            #expect(try await Self.get(daemon, "/api/v1/stats", token: Self.alice).status == 403)
        }
    }

    // MARK: The question-and-answer loop over the stream

    @Test("a department's question is answered over HTTP; the stream carries every change and resumes after a kill -9")
    func questionAnswerAndResumableStream() async throws {
        try await Daemon.with(extraConfiguration: Self.configuration()) { daemon in
            _ = try await Self.askingBot(daemon, update: "Looking into it")
            let stream = try Self.follow(daemon, name: "stream-1", token: Self.alice)
            try await OutputWatch.wait(for: "retry: ", in: stream.stdoutURL)
            let submitted = try await Self.submit(daemon, token: Self.alice, ["department": "claims", "body": "Is claim 123 paid?"])
            #expect(submitted.status == 201, "\(submitted.text)")
            let ticket = try #require(try submitted.object()["ticket"] as? String)
            try await OutputWatch.wait(for: "request.waiting_on_agent", in: stream.stdoutURL)

            let waiting = try await Self.get(daemon, "/api/v1/requests/\(ticket)", token: Self.alice)
            try await Self.validate(waiting, "agent-request.schema.json", daemon, "a ticket waiting on its agent")
            #expect((try waiting.object()["question"] as? [String: Any])?["body"] as? String == "Which member id?", "\(waiting.text)")
            #expect((try waiting.object()["updates"] as? [[String: Any]])?.compactMap { $0["body"] as? String } == ["Looking into it"])
            let bobReply = try await HTTPProbe.call(
                "POST", "\(daemon.httpBase)/api/v1/requests/\(ticket)/reply",
                headers: Self.bearer(Self.bob, ["Content-Type": "application/json"]), body: try Self.json(["body": "M-0"]))
            #expect(bobReply.status == 403, "only the ticket's agent answers its question")
            let reply = try await HTTPProbe.call(
                "POST", "\(daemon.httpBase)/api/v1/requests/\(ticket)/reply",
                headers: Self.bearer(Self.alice, ["Content-Type": "application/json"]), body: try Self.json(["body": "M-7"]))
            #expect(reply.status == 200, "\(reply.text)")
            try await OutputWatch.wait(for: "request.answered", in: stream.stdoutURL)

            let events = try Self.streamEvents(stream.stdout)
            // Not the offer: an agent follows its ticket, not the broker's dispatching.
            #expect(events.map { $0.event["type"] as? String } == [
                "request.submitted", "request.accepted", "request.updated", "request.waiting_on_agent", "request.info_received",
                "request.answered",
            ], "\(stream.stdout)")
            #expect(events.map(\.id) == events.map(\.id).sorted() && Set(events.map(\.id)).count == events.count, "ids increase")
            #expect(events.allSatisfy { $0.event["ticket"] as? String == ticket })
            #expect(events.last?.event["body"] as? String == "Paid on 3 Dec (M-7)")
            #expect(events.contains { $0.event["type"] as? String == "request.waiting_on_agent" && $0.event["body"] as? String == "Which member id?" })
            #expect(events.contains { $0.event["type"] as? String == "request.info_received" && $0.event["body"] as? String == "M-7" })
            for (index, event) in events.enumerated() {
                try await PythonTools.validate(
                    try JSONSerialization.data(withJSONObject: event.event), against: "stream-event.schema.json",
                    directory: daemon.directory, what: "stream event \(index)")
            }
            try await Self.hangUp(stream)

            // After a kill -9 the agent reconnects with the first id it saw and misses nothing after it.
            try await daemon.crashAndRestart()
            let resumed = try Self.follow(daemon, name: "stream-2", token: Self.alice, lastEventID: String(events[0].id))
            try await OutputWatch.wait(for: "request.answered", in: resumed.stdoutURL)
            let replayed = try Self.streamEvents(resumed.stdout)
            #expect(replayed.map(\.id) == events.dropFirst().map(\.id), "\(resumed.stdout)")
            #expect(replayed.map { $0.event["type"] as? String } == events.dropFirst().map { $0.event["type"] as? String })
            try await Self.hangUp(resumed)

            // Bob's stream holds none of it.
            let bobs = try Self.follow(daemon, name: "stream-bob", token: Self.bob, lastEventID: "0")
            try await OutputWatch.wait(for: "retry: ", in: bobs.stdoutURL)
            let view = try await Self.get(daemon, "/api/v1/requests/\(ticket)", token: Self.alice)
            #expect(try view.object()["answer"] as? String == "Paid on 3 Dec (M-7)")
            #expect((try view.object()["questions"] as? [[String: Any]])?.compactMap { $0["body"] as? String } == ["Which member id?"])
            #expect((try view.object()["replies"] as? [[String: Any]])?.compactMap { $0["body"] as? String } == ["M-7"])
            #expect(try view.object()["question"] == nil, "no open question once answered")
            try await Self.validate(view, "agent-request.schema.json", daemon, "an answered ticket")
            try await Self.hangUp(bobs)
            #expect(try Self.streamEvents(bobs.stdout).isEmpty, "\(bobs.stdout)")
        }
    }

    // MARK: Webhooks

    @Test("webhooks are signed, retried with backoff from the ledger's outbox across a kill -9, and logged in the API")
    func webhooksSurviveFailuresAndCrashes() async throws {
        let port = try TestEnvironment.freePort(), pagerPort = try TestEnvironment.freePort()
        try await Daemon.with(extraConfiguration: Self.configuration(webhookPort: port, pagerPort: pagerPort)) { daemon in
            _ = try await daemon.serve(name: "claims-bot", departments: ["claims"], command: ["sh", "-c", "echo Paid on 3 Dec"])
            let submitted = try await Self.submit(daemon, token: Self.alice, ["department": "claims", "body": "Is claim 123 paid?"])
            let ticket = try #require(try submitted.object()["ticket"] as? String, "\(submitted.text)")
            _ = try await daemon.events.next { $0.type == .requestAnswered && $0.ticket == ticket }
            // Nobody serves pharmacy, whose answer target is 1 s: its breach goes to the pager webhook.
            let late = try await Self.submit(daemon, token: Self.bob, ["department": "pharmacy", "body": "Prior auth for M-77?"])
            let lateTicket = try #require(try late.object()["ticket"] as? String, "\(late.text)")
            _ = try await daemon.events.next { $0.type == .requestSLABreached && $0.ticket == lateTicket }

            // Nobody listens yet: the delivery waits in the outbox, its failed attempts logged.
            let deliveries = "/api/v1/webhooks/crm-hook/deliveries"
            // Its second failed attempt is logged only after the first was recorded in the ledger.
            try await OutputWatch.wait(for: "attempt=2 delivery=1 ", in: daemon.process.stderrURL)
            let failingList = try await Self.get(daemon, deliveries, token: Self.observer)
            let failing = try #require((try failingList.object()["deliveries"] as? [[String: Any]])?.first, "\(failingList.text)")
            #expect((failing["attempts"] as? Int ?? 0) >= 1, "\(failing)")
            #expect(failing["state"] as? String == "pending", "\(failing)")
            #expect(failing["ticket"] as? String == ticket)

            try await daemon.crashAndRestart()
            func receiver(_ name: String, port: Int, failFirst: Int) throws -> URL {
                let log = daemon.directory.appendingPathComponent("\(name).jsonl")
                FileManager.default.createFile(atPath: log.path, contents: nil)
                _ = daemon.adopt(try ChildProcess(
                    name: name, executable: "/usr/bin/env",
                    arguments: [
                        "python3", PythonTools.supportDirectory.appendingPathComponent("webhook_receiver.py").path, "--port", String(port),
                        "--secret", Self.webhookSecret, "--fail-first", String(failFirst), "--log", log.path,
                    ],
                    directory: daemon.directory))
                return log
            }
            let log = try receiver("crm-receiver", port: port, failFirst: 1)
            let pagerLog = try receiver("pager-receiver", port: pagerPort, failFirst: 0)
            try await OutputWatch.wait(for: "\"status\": 204", in: log, within: .seconds(60))
            try await OutputWatch.wait(for: "\"status\": 204", in: pagerLog, within: .seconds(60))
            let page = try #require(
                try JSONSerialization.jsonObject(with: Data(try String(contentsOf: pagerLog, encoding: .utf8).utf8)) as? [String: Any])
            #expect(page["signature_ok"] as? Bool == true && page["event"] as? String == "request.sla_breached", "\(page)")
            let pageBody = try #require(page["body"] as? [String: Any])
            #expect(pageBody["ticket"] as? String == lateTicket && pageBody["target"] as? String == "answer", "\(pageBody)")
            #expect(pageBody["webhook"] as? String == "pager")
            #expect(pageBody["body"] == nil, "a breach carries no body")

            let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
            let received = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
            #expect(received.map { $0["status"] as? Int } == [500, 204], "\(received)")
            #expect(received.allSatisfy { $0["signature_ok"] as? Bool == true })
            #expect(Set(received.compactMap { $0["delivery"] as? String }).count == 1, "a retry is the same delivery")
            let body = try #require(received.last?["body"] as? [String: Any])
            #expect(body["type"] as? String == "request.answered")
            #expect(body["ticket"] as? String == ticket)
            #expect(body["agent"] as? String == "alice")
            #expect((body["body"] as? String)?.hasPrefix("Paid on 3 Dec") == true)
            #expect(body["webhook"] as? String == "crm-hook")
            try await PythonTools.validate(
                try JSONSerialization.data(withJSONObject: body), against: "stream-event.schema.json", directory: daemon.directory,
                what: "the webhook's body")

            let list = try await Self.get(daemon, deliveries, token: Self.observer)
            try await Self.validate(list, "webhook-delivery-list.schema.json", daemon, "GET \(deliveries)")
            let delivered = try #require((try list.object()["deliveries"] as? [[String: Any]])?.first)
            #expect(delivered["state"] as? String == "delivered", "\(list.text)")
            #expect((delivered["attempts"] as? Int ?? 0) >= 3, "failed before the restart, 500 once, then 204: \(delivered)")
            #expect(!list.text.contains("Paid on"), "the delivery log holds no body")
            let hooks = try await Self.get(daemon, "/api/v1/webhooks", token: Self.observer)
            try await Self.validate(hooks, "webhook-list.schema.json", daemon, "GET /api/v1/webhooks")
            #expect(!hooks.text.contains(Self.webhookSecret), "the API never shows a secret")
            let metrics = try await PythonTools.parseMetrics(
                try await Self.get(daemon, "/metrics", token: Self.observer).body, directory: daemon.directory)
            #expect(metrics.value("switchboard_webhook_deliveries_total", ["webhook": "crm-hook"]) == 1)
            #expect((metrics.value("switchboard_webhook_failed_attempts_total", ["webhook": "crm-hook"]) ?? 0) >= 1)
            #expect(metrics.value("switchboard_webhook_pending", ["webhook": "crm-hook"]) == 0)
        }
    }

    // MARK: The agent page

    @Test("the agent page in headless Chromium: a question asked on the page is answered by a bot, live, without reload")
    func agentPageInChromium() async throws {
        let chromium = try OpsSurfaceTests.chromium()
        try await Daemon.with(extraConfiguration: Self.configuration()) { daemon in
            let page = try await HTTPProbe.get("\(daemon.httpBase)/agent")
            #expect(page.status == 200)
            #expect(page.header("Content-Security-Policy")?.contains("frame-ancestors 'self' \(Self.crmOrigin)") == true)
            #expect(!page.text.contains("src=\"http"), "no CDN: the page works offline")
            _ = try await Self.askingBot(daemon)
            let screenshot = OpsSurfaceTests.artifacts.appendingPathComponent("agent-page.png")
            try? FileManager.default.removeItem(at: screenshot)
            let driver = daemon.adopt(try ChildProcess(
                name: "agent-page", executable: "/usr/bin/env",
                arguments: [
                    "python3", PythonTools.supportDirectory.appendingPathComponent("agent_page.py").path, "--chromium", chromium,
                    "--url", "\(daemon.httpBase)/agent#token=\(Self.alice)", "--department", "claims", "--question", "Is claim 123 paid?",
                    "--reply", "M-7", "--expect-answer", "Paid on 3 Dec (M-7)", "--screenshot", screenshot.path, "--timeout", "60",
                ],
                directory: daemon.directory))
            #expect(try await driver.exitCode(within: .seconds(90)) == 0, "\(driver.stdout)\n\(driver.stderr.suffix(3000))")
            #expect(driver.stdout.contains("answer: Paid on 3 Dec (M-7)"), "\(driver.stdout)")
            #expect(FileManager.default.fileExists(atPath: screenshot.path), "the screenshot is saved as a test artifact")
            let ticket = try #require(
                driver.stdout.split(separator: "\n").first { $0.hasPrefix("ticket: ") }.map { String($0.dropFirst(8)) })
            let view = try await Self.get(daemon, "/api/v1/requests/\(ticket)", token: Self.alice)
            #expect(try view.object()["answer"] as? String == "Paid on 3 Dec (M-7)")
        }
    }
}
