import Foundation
import SwitchboardSchema
import Testing

/// The HTTP ops surface against a real daemon after a scripted scenario with known numbers: three claims
/// answered, two eligibility requests rejected (dead-lettered), two pharmacy requests that breach a 1 s
/// answer target with nobody serving pharmacy.
@Suite("End to end: the HTTP ops surface", .serialized)
struct OpsSurfaceTests {
    static let configuration = """
        departments:
          claims: {}
          eligibility: {}
          billing: {}
          pharmacy:
            answer_targets: 1s
        """

    struct Scenario {
        var answered: [String] = []
        var deadLettered: [String] = []
        var breaching: [String] = []
    }

    /// Runs the scenario: returns its tickets once every breach has been announced.
    static func play(_ daemon: Daemon) async throws -> Scenario {
        var scenario = Scenario()
        _ = try await daemon.serve(name: "claims-bot", departments: ["claims"], command: ["cat"])
        for index in 1...3 {
            let ask = try daemon.cli("ask-claims-\(index)", ["ask", "--department", "claims", "--json", "claim \(index)"])
            #expect(try await ask.exitCode() == 0, "\(ask.stderr)")
            scenario.answered.append(try #require(try jsonObject(ask.stdout)["ticket"] as? String))
        }
        _ = try await daemon.serve(
            name: "eligibility-bot", departments: ["eligibility"], command: ["sh", "-c", "echo not covered >&2; exit 1"])
        for index in 1...2 {
            let ask = try daemon.cli(
                "ask-eligibility-\(index)", ["ask", "--department", "eligibility", "--no-wait", "--json", "member \(index)"])
            #expect(try await ask.exitCode() == 0, "\(ask.stderr)")
            let ticket = try #require(try jsonObject(ask.stdout)["ticket"] as? String)
            _ = try await daemon.events.next { $0.type == .requestDeadLettered && $0.ticket == ticket }
            scenario.deadLettered.append(ticket)
        }
        for index in 1...2 {
            let ask = try daemon.cli(
                "ask-pharmacy-\(index)", ["ask", "--department", "pharmacy", "--no-wait", "--json", "prior auth \(index)"])
            #expect(try await ask.exitCode() == 0, "\(ask.stderr)")
            scenario.breaching.append(try #require(try jsonObject(ask.stdout)["ticket"] as? String))
        }
        for ticket in scenario.breaching {
            _ = try await daemon.events.next { $0.type == .requestSLABreached && $0.ticket == ticket }
        }
        return scenario
    }

    @Test("/metrics, parsed by prometheus_client, holds exactly the scenario's numbers")
    func metricsHoldTheScenario() async throws {
        try await Daemon.with(extraConfiguration: Self.configuration) { daemon in
            _ = try await Self.play(daemon)
            let reply = try await HTTPProbe.get("\(daemon.httpBase)/metrics")
            #expect(reply.status == 200)
            #expect(reply.contentType?.hasPrefix("text/plain; version=0.0.4") == true)
            let metrics = try await PythonTools.parseMetrics(reply.body, directory: daemon.directory)

            func expectValue(
                _ name: String, _ labels: [String: String], _ expected: Double, sourceLocation: SourceLocation = #_sourceLocation
            ) {
                #expect(metrics.value(name, labels) == expected, "\(name)\(labels)", sourceLocation: sourceLocation)
            }
            let normal = "normal"
            expectValue("switchboard_requests_submitted_total", ["department": "claims", "priority": normal], 3)
            expectValue("switchboard_requests_submitted_total", ["department": "eligibility", "priority": normal], 2)
            expectValue("switchboard_requests_submitted_total", ["department": "pharmacy", "priority": normal], 2)
            expectValue("switchboard_requests_submitted_total", ["department": "billing", "priority": normal], 0)
            expectValue("switchboard_requests_answered_total", ["department": "claims", "priority": normal], 3)
            expectValue("switchboard_requests_answered_total", ["department": "pharmacy", "priority": normal], 0)
            expectValue("switchboard_requests_dead_lettered_total", ["department": "eligibility", "priority": normal], 2)
            expectValue("switchboard_requests_cancelled_total", ["department": "claims", "priority": normal], 0)
            expectValue("switchboard_requests_pending", ["department": "pharmacy", "state": "queued"], 2)
            expectValue("switchboard_requests_pending", ["department": "claims", "state": "queued"], 0)
            expectValue("switchboard_sla_breaches_total", ["department": "pharmacy", "target": "answer"], 2)
            // The default warnings: 50% and 75% of the target.
            expectValue("switchboard_sla_warnings_total", ["department": "pharmacy", "target": "answer"], 4)
            expectValue("switchboard_sla_breaches_total", ["department": "claims", "target": "answer"], 0)
            expectValue("switchboard_time_to_answer_seconds_count", ["department": "claims"], 3)
            expectValue("switchboard_time_to_first_response_seconds_count", ["department": "claims"], 3)
            expectValue("switchboard_time_to_first_response_seconds_count", ["department": "eligibility"], 2)
            expectValue("switchboard_time_to_answer_seconds_count", ["department": "eligibility"], 0)
            expectValue("switchboard_workers_connected", ["department": "claims"], 1)
            expectValue("switchboard_workers_connected", ["department": "pharmacy"], 0)
            expectValue("switchboard_worker_free_credit", ["department": "claims"], 1)
            expectValue("switchboard_dispatch_retries_total", ["department": "claims"], 0)
            let oldest = try #require(metrics.value("switchboard_oldest_pending_age_seconds", ["department": "pharmacy", "priority": normal]))
            #expect(oldest >= 1, "the pharmacy requests waited past their 1 s target")
            expectValue("switchboard_oldest_pending_age_seconds", ["department": "claims", "priority": normal], 0)
            // Every change was committed: seven submissions alone are seven changes at least.
            let batched = try #require(metrics.value("switchboard_ledger_batch_size_sum"))
            #expect(batched >= 7)
            #expect(metrics.value("switchboard_ledger_commit_seconds_count").map { $0 >= 1 } == true)
            #expect(metrics.families["switchboard_time_to_answer_seconds"] == "histogram")
            #expect(metrics.families["switchboard_requests_submitted_total"] == "counter")
            #expect(metrics.families["switchboard_requests_pending"] == "gauge")
        }
    }

    @Test("every API response of the scenario matches its JSON Schema, and the actions work")
    func apiMatchesItsSchemas() async throws {
        try await Daemon.with(extraConfiguration: Self.configuration) { daemon in
            let scenario = try await Self.play(daemon)
            let base = daemon.httpBase
            func check(_ path: String, _ schema: String, status: Int = 200, post: Bool = false) async throws -> [String: Any] {
                let reply = post ? try await HTTPProbe.post(base + path) : try await HTTPProbe.get(base + path)
                #expect(reply.status == status, "\(path): \(reply.text)")
                #expect(reply.contentType == "application/json", "\(path)")
                try await PythonTools.validate(reply.body, against: schema, directory: daemon.directory, what: path)
                return try #require(try JSONSerialization.jsonObject(with: reply.body) as? [String: Any])
            }

            _ = try await check("/healthz", "health")
            _ = try await check("/readyz", "health")
            let stats = try await check("/api/v1/stats", "stats")
            #expect(stats["submitted"] as? Int == 7)
            #expect(stats["answered"] as? Int == 3)
            #expect(stats["dead_lettered"] as? Int == 2)
            #expect(stats["sla_breaches"] as? Int == 2)

            let departments = try await check("/api/v1/departments", "department-list")
            let names = (departments["departments"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(names == ["billing", "claims", "eligibility", "pharmacy"])
            let pharmacy = try await check("/api/v1/departments/pharmacy", "department")
            #expect(pharmacy["pending"] as? Int == 2)
            #expect(pharmacy["breached"] as? Int == 2)
            #expect(pharmacy["oldest_pending_ticket"] as? String == scenario.breaching[0])
            let claims = try await check("/api/v1/departments/claims", "department")
            #expect(claims["answered_last_day"] as? Int == 3)

            let workers = try await check("/api/v1/workers", "worker-list")
            let workerNames = (workers["workers"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(workerNames == ["claims-bot", "eligibility-bot"])

            let open = try await check("/api/v1/requests?order=deadline", "request-page")
            #expect((open["items"] as? [[String: Any]] ?? []).compactMap { $0["ticket"] as? String } == scenario.breaching)
            let breaching = try await check("/api/v1/requests?breaching=true&department=pharmacy", "request-page")
            #expect(breaching["total"] as? Int == 2)
            let answered = try await check("/api/v1/requests?state=answered", "request-page")
            #expect(Set((answered["items"] as? [[String: Any]] ?? []).compactMap { $0["ticket"] as? String }) == Set(scenario.answered))
            let paged = try await check("/api/v1/requests?state=answered&limit=2&offset=2", "request-page")
            #expect(paged["total"] as? Int == 3)
            #expect((paged["items"] as? [Any])?.count == 1)

            let detail = try await check("/api/v1/requests/\(scenario.breaching[0])", "request-detail")
            #expect(detail["sla"] as? String == "breached")
            let history = (detail["history"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
            #expect(history.contains("request.sla_breached"))
            _ = try await check("/api/v1/requests/\(scenario.answered[0])", "request-detail")

            let deadLetters = try await check("/api/v1/dead-letters", "request-page")
            #expect(Set((deadLetters["items"] as? [[String: Any]] ?? []).compactMap { $0["ticket"] as? String }) == Set(scenario.deadLettered))
            let breaches = try await check("/api/v1/breaches", "breach-list")
            #expect(Set((breaches["breaches"] as? [[String: Any]] ?? []).compactMap { $0["ticket"] as? String }) == Set(scenario.breaching))
            let overview = try await check("/api/v1/overview", "overview")
            #expect((overview["nearest_deadline"] as? [[String: Any]] ?? []).compactMap { $0["ticket"] as? String } == scenario.breaching)

            // Actions. Drain the rejecting bot first, so the requeued request stays queued.
            let drained = try await check("/api/v1/workers/eligibility-bot/drain", "action", post: true)
            #expect(drained["action"] as? String == "drain")
            _ = try await daemon.events.next { $0.type == .workerDraining && $0.worker == "eligibility-bot" }
            let requeued = try await check("/api/v1/requests/\(scenario.deadLettered[0])/requeue", "action", post: true)
            #expect(requeued["state"] as? String == "queued")
            let afterRequeue = try await check("/api/v1/requests/\(scenario.deadLettered[0])", "request-detail")
            #expect((afterRequeue["request"] as? [String: Any])?["state"] as? String == "queued")
            let cancelled = try await check("/api/v1/requests/\(scenario.breaching[1])/cancel", "action", post: true)
            #expect(cancelled["state"] as? String == "cancelled")
            _ = try await daemon.events.next { $0.type == .requestCancelled && $0.ticket == scenario.breaching[1] }

            // Refusals: their status and the protocol's error body.
            for (method, path, status, reason) in [
                ("POST", "/api/v1/requests/\(scenario.answered[0])/requeue", 409, "not-dead-lettered"),
                ("POST", "/api/v1/requests/\(scenario.breaching[1])/cancel", 409, "already-final"),
                ("POST", "/api/v1/requests/T-UNKNOWN/cancel", 404, "unknown-ticket"),
                ("POST", "/api/v1/workers/nobody/drain", 404, "unknown-worker"),
                ("GET", "/api/v1/requests/T-UNKNOWN", 404, "unknown-ticket"),
                ("GET", "/api/v1/requests?state=lost", 400, "invalid-parameter"),
                ("GET", "/api/v1/departments/radiology", 404, "unknown-department"),
                ("GET", "/api/v1/nothing-here", 404, "unknown-endpoint"),
                ("POST", "/api/v1/stats", 404, "unknown-endpoint"),
            ] {
                let reply = method == "POST" ? try await HTTPProbe.post(base + path) : try await HTTPProbe.get(base + path)
                #expect(reply.status == status, "\(method) \(path): \(reply.text)")
                let body = try JSONCoding.decode(ErrorDetail.self, from: Array(reply.body))
                #expect(body.error == reason, "\(method) \(path)")
                #expect(body.status.rawValue == status)
                try await PythonTools.validate(reply.body, against: "error", directory: daemon.directory, what: "\(method) \(path)")
            }
        }
    }

    @Test("the dashboard, rendered by headless Chromium, shows the scenario's departments and pending requests")
    func dashboardRenders() async throws {
        let chromium = try Self.chromium()
        try await Daemon.with(extraConfiguration: Self.configuration) { daemon in
            let scenario = try await Self.play(daemon)
            let page = try await HTTPProbe.get(daemon.httpBase + "/")
            #expect(page.status == 200)
            #expect(page.contentType?.hasPrefix("text/html") == true)
            // Nothing external: the page must work with no internet.
            for external in ["http://", "https://", "src=\"//", "@import"] {
                #expect(!page.text.contains(external), "the page refers to something external: \(external)")
            }
            // The source has no data: what the test finds below, the page's scripts rendered.
            #expect(!page.text.contains(scenario.breaching[0]))

            let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--virtual-time-budget=5000"]
            let dump = try ChildProcess(
                name: "chromium-dom", executable: chromium, arguments: flags + ["--dump-dom", daemon.httpBase + "/"],
                directory: daemon.directory)
            #expect(try await dump.exitCode(within: .seconds(60)) == 0, "\(dump.stderr.suffix(2000))")
            let dom = dump.stdout
            for department in ["billing", "claims", "eligibility", "pharmacy"] {
                #expect(dom.contains("data-department=\"\(department)\""), "department \(department) is not on the page")
            }
            for ticket in scenario.breaching {
                #expect(dom.contains("data-ticket=\"\(ticket)\""), "pending ticket \(ticket) is not on the page")
            }
            for worker in ["claims-bot", "eligibility-bot"] {
                #expect(dom.contains(worker), "worker \(worker) is not on the page")
            }
            #expect(dom.contains("overdue"), "the breached requests' countdowns show them overdue")

            let screenshot = Self.artifacts.appendingPathComponent("dashboard.png")
            try? FileManager.default.removeItem(at: screenshot)
            let shot = try ChildProcess(
                name: "chromium-screenshot", executable: chromium,
                arguments: flags + ["--window-size=1366,900", "--screenshot=\(screenshot.path)", daemon.httpBase + "/"],
                directory: daemon.directory)
            #expect(try await shot.exitCode(within: .seconds(60)) == 0, "\(shot.stderr.suffix(2000))")
            let size = (try? FileManager.default.attributesOfItem(atPath: screenshot.path)[.size] as? Int) ?? 0
            #expect(size > 10_000, "the screenshot \(screenshot.path) is missing or empty")
            print("dashboard screenshot: \(screenshot.path)")
        }
    }

    @Test("a request naming another host (DNS rebinding) and an action from another origin's page are refused")
    func browserAttacksAreRefused() async throws {
        try await Daemon.with { daemon in
            let port = Int(daemon.httpAddress.split(separator: ":").last!)!
            let rebound = try await HTTPProbe.raw(
                port: port, "GET /api/v1/stats HTTP/1.1\r\nHost: evil.example:\(port)\r\nConnection: close\r\n\r\n")
            #expect(rebound.status == 403)
            #expect(rebound.body.contains("host-not-allowed"), "\(rebound.body)")
            let forged = try await HTTPProbe.raw(
                port: port,
                "POST /api/v1/workers/anyone/drain HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nOrigin: http://evil.example\r\n"
                    + "Content-Length: 0\r\nConnection: close\r\n\r\n")
            #expect(forged.status == 403)
            #expect(forged.body.contains("cross-origin"), "\(forged.body)")
            // The same action from the page's own origin, or with no Origin (the CLI, curl), goes through.
            let sameOrigin = try await HTTPProbe.raw(
                port: port,
                "POST /api/v1/workers/anyone/drain HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
                    + "Origin: http://127.0.0.1:\(port)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            #expect(sameOrigin.status == 404, "refused only because no worker has that name: \(sameOrigin.body)")
            let local = try await HTTPProbe.raw(
                port: port, "GET /healthz HTTP/1.1\r\nHost: localhost:\(port)\r\nConnection: close\r\n\r\n")
            #expect(local.status == 200)
        }
    }

    @Test("an HTTP port already taken stops the daemon at start with exit 69 and a sentence saying what to do")
    func takenPortIsAClearError() async throws {
        let directory = try TestEnvironment.temporaryDirectory()
        let (listener, port) = try Self.listeningSocket()
        defer { close(listener) }
        let daemon = try ChildProcess(
            name: "switchboardd-taken-port", executable: try TestEnvironment.executable("switchboardd"),
            arguments: [
                "--endpoint", "tcp://127.0.0.1:\(try TestEnvironment.freePort())",
                "--events", "tcp://127.0.0.1:\(try TestEnvironment.freePort())",
                "--data-dir", directory.appendingPathComponent("var").path, "--http", "127.0.0.1:\(port)",
            ],
            directory: directory)
        #expect(try await daemon.exitCode(within: .seconds(30)) == 69)
        #expect(daemon.stderr.contains("cannot serve HTTP on 127.0.0.1:\(port)"), "\(daemon.stderr)")
        #expect(daemon.stderr.contains("--http"), "the error says how to choose another address")
    }

    /// A TCP socket listening on a free 127.0.0.1 port, and the port.
    static func listeningSocket() throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 1) == 0 else {
            close(fd)
            throw TestFailure("bind() or listen() failed")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// Where tests leave files for people to look at (the dashboard's screenshot).
    static let artifacts: URL = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/test-artifacts")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    static func chromium() throws -> String {
        for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        throw TestFailure("headless Chromium is missing: `make test` installs Debian's chromium package")
    }
}
