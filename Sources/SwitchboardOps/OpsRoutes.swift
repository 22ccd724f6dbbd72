import Foundation
import Hummingbird
import SwitchboardSchema

/// The routes of the HTTP surface (schemas/API.md), each a thin adapter from HTTP to ``Operations``.
enum OpsRoutes {
    static func add(to router: Router<BasicRequestContext>, operations: Operations, agents: AgentRoutes.Context) {
        router.addMiddleware { APIErrorMiddleware() }
        AgentRoutes.add(to: router, agents)
        router.get("/") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: DashboardPage.html)))
        }
        router.get("/healthz") { _, _ in
            json(HealthReport(status: .alive, role: operations.role.name))
        }
        router.get("/readyz") { _, _ in
            let problems = operations.readiness()
            let role = operations.role.name
            return problems.isEmpty
                ? json(HealthReport(status: .ready, role: role))
                : json(HealthReport(status: .notReady, problems: problems, role: role), status: .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            try await respond {
                let role = operations.role
                if case .leader = role {} else if case .single = role {} else {
                    // A standby (or a daemon still starting) has no broker to report on: its role only.
                    return Response(
                        status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: MetricsPage.renderRole(role))))
                }
                let text = MetricsPage.render(try await operations.snapshot(), http: operations.httpCounts)
                    + MetricsPage.renderRole(role)
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: text)))
            }
        }

        let api = router.group("/api/v1")
        api.get("overview") { request, _ in
            try await respond { try checkNoQuery(request); return json(try await operations.overview()) }
        }
        api.get("stats") { request, _ in
            try await respond { try checkNoQuery(request); return json(try await operations.stats()) }
        }
        api.get("departments") { request, _ in
            try await respond {
                try checkNoQuery(request)
                return json(DepartmentList(departments: try await operations.departments()))
            }
        }
        api.get("departments/:name") { request, context in
            try await respond { json(try await operations.department(try parameter("name", context))) }
        }
        api.get("workers") { request, _ in
            try await respond {
                try checkNoQuery(request)
                return json(WorkerList(workers: try await operations.workers()))
            }
        }
        api.get("requests") { request, _ in
            if AgentRoutes.actsAsAgent(request, agents) {
                return await AgentRoutes.respond(request, agents) { caller in
                    var filter = try filter(request)
                    let agent = try caller.agent(in: request)
                    switch (filter.submitter, agent.name, caller) {
                    case (nil, nil, .integration(let holder)), ("me", nil, .integration(let holder)):
                        filter.submitter = nil
                        filter.via = holder.name
                    case (nil, let name?, _), ("me", let name?, _):
                        filter.submitter = name
                    case (let asked?, let name?, _) where asked == name:
                        break
                    case (_?, _?, _):
                        throw OpsError(.forbidden, "not-permitted", "an agent lists only its own tickets: submitter=me")
                    default:
                        throw OpsError(.badRequest, "agent-required", "name the agent: X-Switchboard-Agent header")
                    }
                    return json(try await operations.agentRequests(filter))
                }
            }
            return try await respond { json(try await operations.requests(try filter(request))) }
        }
        api.get("requests/:ticket") { request, context in
            if AgentRoutes.actsAsAgent(request, agents) {
                return await AgentRoutes.respond(request, agents) { caller in
                    let ticket = try parameter("ticket", context)
                    return json(try await operations.agentView(ticket: ticket, as: try caller.agent(in: request), caller: caller))
                }
            }
            return try await respond { json(try await operations.request(ticket: try parameter("ticket", context))) }
        }
        api.get("dead-letters") { request, _ in
            try await respond {
                let page = try deadLetterQuery(request)
                return json(try await operations.deadLetters(department: page.department, limit: page.limit, offset: page.offset))
            }
        }
        api.get("breaches") { request, _ in
            try await respond {
                let limit = try limitQuery(request, default: 20)
                return json(BreachList(breaches: try await operations.breaches(limit: limit)))
            }
        }
        api.post("requests/:ticket/requeue") { _, context in
            try await respond { json(try await operations.requeue(ticket: try parameter("ticket", context))) }
        }
        api.post("requests/:ticket/cancel") { request, context in
            if AgentRoutes.actsAsAgent(request, agents) {
                return await AgentRoutes.respond(request, agents) { caller in
                    let ticket = try parameter("ticket", context)
                    return json(try await operations.cancel(ticket: ticket, as: try caller.agent(in: request), caller: caller))
                }
            }
            return try await respond { json(try await operations.cancel(ticket: try parameter("ticket", context))) }
        }
        api.post("workers/:worker/drain") { _, context in
            try await respond { json(try await operations.drain(worker: try parameter("worker", context))) }
        }
        api.post("daemon/drain") { request, _ in
            try await respond {
                let timeout = try drainTimeoutQuery(request)
                return json(try await operations.drainDaemon(timeout: timeout), status: .accepted)
            }
        }
    }

    // MARK: Bodies

    struct DepartmentList: Codable, Sendable { var departments: [DepartmentSummary] }
    struct WorkerList: Codable, Sendable { var workers: [WorkerSummary] }
    struct BreachList: Codable, Sendable { var breaches: [BreachSummary] }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        var buffer = ByteBuffer(bytes: JSONCoding.encode(value))
        buffer.writeString("\n")
        return Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: buffer))
    }

    /// Runs a handler; a refusal becomes its error body with the matching HTTP status.
    static func respond(_ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let error as OpsError {
            return json(error.detail, status: HTTPResponse.Status(code: error.detail.status.rawValue))
        } catch let error as ProtocolError {
            return json(OpsError(error).detail, status: HTTPResponse.Status(code: error.status.rawValue))
        } catch {
            let detail = ErrorDetail(status: .internalError, error: "internal-error", message: "\(error)")
            return json(detail, status: .internalServerError)
        }
    }

    // MARK: Query parameters

    static func parameter(_ name: String, _ context: BasicRequestContext) throws -> String {
        guard let value = context.parameters.get(name) else {
            throw OpsError(.badRequest, "missing-parameter", "the path needs a \(name)")
        }
        return value.removingPercentEncoding ?? value
    }

    static func query(_ request: Request) -> [(name: String, value: String)] {
        request.uri.queryParameters.map { (name: String($0.key).removingPercentEncoding ?? String($0.key), value: String($0.value)) }
    }

    static func filter(_ request: Request) throws -> RequestFilter {
        try RequestFilter(query: query(request))
    }

    static func checkQuery(_ request: Request, allowed: Set<String>) throws {
        if let other = query(request).first(where: { !allowed.contains($0.name) }) {
            throw OpsError(
                .badRequest, "unknown-parameter", "unknown query parameter '\(other.name)'; known: " + allowed.sorted().joined(separator: ", "))
        }
    }

    static func checkNoQuery(_ request: Request) throws {
        if let first = query(request).first {
            throw OpsError(.badRequest, "unknown-parameter", "this endpoint takes no query parameter; got '\(first.name)'")
        }
    }

    static func limitQuery(_ request: Request, default limit: Int) throws -> Int {
        var result = limit
        for (name, value) in query(request) {
            guard name == "limit" else {
                throw OpsError(.badRequest, "unknown-parameter", "unknown query parameter '\(name)'; known: limit")
            }
            guard let number = Int(value), (1...RequestFilter.maxLimit).contains(number) else {
                throw OpsError(
                    .badRequest, "invalid-parameter",
                    "query parameter 'limit' is '\(value)'; expected a number from 1 to \(RequestFilter.maxLimit)")
            }
            result = number
        }
        return result
    }

    /// `?timeout=30s`: the drain limit for this stop, 0 to 1 hour (absent: the configuration's).
    static func drainTimeoutQuery(_ request: Request) throws -> Duration? {
        var result: Duration?
        for (name, value) in query(request) {
            guard name == "timeout" else {
                throw OpsError(.badRequest, "unknown-parameter", "unknown query parameter '\(name)'; known: timeout")
            }
            guard let duration = try? DurationParser.parse(value), duration >= .zero, duration <= .seconds(3600) else {
                throw OpsError(
                    .badRequest, "invalid-parameter",
                    "query parameter 'timeout' is '\(value)'; expected a duration from 0s to 1h, such as 30s")
            }
            result = duration
        }
        return result
    }

    static func deadLetterQuery(_ request: Request) throws -> (department: String?, limit: Int, offset: Int) {
        // The same parameters as a request list, minus those a dead-letter list fixes.
        let parameters = query(request)
        if let other = parameters.first(where: { !["department", "limit", "offset"].contains($0.name) }) {
            throw OpsError(
                .badRequest, "unknown-parameter", "unknown query parameter '\(other.name)'; known: department, limit, offset")
        }
        let filter = try RequestFilter(query: parameters)
        return (filter.department, filter.limit, filter.offset)
    }
}

/// Unknown paths and methods get the API's error body too, not an empty 404.
struct APIErrorMiddleware: RouterMiddleware {
    func handle(
        _ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            return OpsRoutes.json(OpsError.notFound(method: "\(request.method)", path: request.uri.path).detail, status: .notFound)
        } catch let error as HTTPError where error.status == .methodNotAllowed {
            let refusal = OpsError(
                StatusCode(405), "method-not-allowed", "\(request.method) is not allowed on \(request.uri.path); see schemas/API.md")
            return OpsRoutes.json(refusal.detail, status: .methodNotAllowed)
        }
    }
}
