import Foundation
import HTTPTypes
import Hummingbird
import SwitchboardBroker
import SwitchboardSchema
import SwitchboardStore

/// The agent API's routes (schemas/API.md, "Agents"), the agent page, and the webhooks' delivery log. Each
/// is a thin adapter from HTTP to ``Operations``; the agent's identity comes from its token (``HTTPCaller``).
enum AgentRoutes {
    struct Context: Sendable {
        let operations: Operations
        let tokens: TokenState
        let refusals: HTTPRefusals
        let webhooks: WebhookDispatcher?
    }

    /// Paths an agent or integration token may call.
    static func isAgentPath(_ method: HTTPRequest.Method, _ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count >= 3, parts[0] == "api", parts[1] == "v1" else { return false }
        switch (method, parts.count, parts[2]) {
        case (.get, 3, "departments"), (.get, 3, "stream"), (.get, 3, "requests"), (.post, 3, "requests"): return true
        case (.get, 4, "requests"): return true
        case (.post, 5, "requests"): return parts[4] == "reply" || parts[4] == "cancel"
        default: return false
        }
    }

    /// Paths only the agent API has: ops tokens may not submit, answer questions or follow an agent's stream.
    static func isAgentOnlyPath(_ method: HTTPRequest.Method, _ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count >= 3, parts[0] == "api", parts[1] == "v1" else { return false }
        switch (method, parts.count, parts[2]) {
        case (.post, 3, "requests"), (.get, 3, "stream"): return true
        case (.post, 5, "requests"): return parts[4] == "reply"
        default: return false
        }
    }

    static func add(to router: Router<BasicRequestContext>, _ context: Context) {
        let operations = context.operations
        router.get("/agent") { _, _ in
            var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"]
            // A CRM may frame the page: its own origin and the configured ones, nobody else.
            let ancestors = (["'self'"] + context.tokens.agents.corsOrigins).joined(separator: " ")
            headers[.contentSecurityPolicy] = "frame-ancestors \(ancestors)"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: AgentPage.html)))
        }
        let api = router.group("/api/v1")
        api.post("requests") { request, _ in
            await respond(request, context) { caller in
                let limits = operations.broker.configurationInForce.limits
                let submission = try await AgentRequestBody.submission(from: request, limits: limits)
                let agent = try caller.agent(in: request, named: submission.agent)
                if case .integration = caller, agent.name == nil {
                    throw OpsError(
                        .badRequest, "agent-required",
                        "an integration names the agent it submits for: X-Switchboard-Agent header or \"agent\" in the body")
                }
                if let holder = caller.holder, !holder.submit.contains(submission.department) {
                    throw OpsError(.forbidden, "not-permitted", "\(holder.name) may not submit to \(submission.department)")
                }
                let requestID = try AgentRequestBody.requestID(submission.requestID, header: request.headers[.idempotencyKey], limits: limits)
                let submitted = try await operations.submit(submission, requestID: requestID, as: agent)
                var response = OpsRoutes.json(submitted, status: HTTPResponse.Status(code: submitted.status))
                response.headers[.location] = "/api/v1/requests/\(submitted.ticket)"
                return response
            }
        }
        api.post("requests/:ticket/reply") { request, routeContext in
            await respond(request, context) { caller in
                let ticket = try OpsRoutes.parameter("ticket", routeContext)
                let body = try await AgentRequestBody.reply(from: request, limits: operations.broker.configurationInForce.limits)
                let agent = try caller.agent(in: request)
                return OpsRoutes.json(try await operations.reply(ticket: ticket, body: body, as: agent, caller: caller))
            }
        }
        api.get("stream") { request, _ in
            await respond(request, context) { caller in
                try OpsRoutes.checkQuery(request, allowed: ["after"])
                let agent = try caller.agent(in: request)
                let audience: StreamAudience
                switch (caller, agent.name) {
                case (_, let name?): audience = .agent(name)
                case (.integration(let holder), nil): audience = .integration(holder.name)
                default:
                    throw OpsError(.badRequest, "agent-required", "name the agent whose stream this is: X-Switchboard-Agent header")
                }
                let resume = request.headers[.lastEventID] ?? OpsRoutes.query(request).first { $0.name == "after" }?.value
                let start = try await EventStream.resumePoint(resume, operations: operations)
                return EventStream(operations: operations, audience: audience, start: start).response
            }
        }
        api.get("webhooks") { request, _ in
            try await OpsRoutes.respond {
                try OpsRoutes.checkNoQuery(request)
                return OpsRoutes.json(WebhookList(webhooks: try await operations.webhooks(context.webhooks)))
            }
        }
        api.get("webhooks/:name/deliveries") { request, routeContext in
            try await OpsRoutes.respond {
                let name = try OpsRoutes.parameter("name", routeContext)
                let (state, limit) = try deliveryQuery(request)
                return OpsRoutes.json(
                    DeliveryList(deliveries: try await operations.deliveries(webhook: name, state: state, limit: limit, context.webhooks)))
            }
        }
    }

    /// Whether a route both APIs share (a ticket, the request list, cancel) answers this call as the agent API.
    static func actsAsAgent(_ request: Request, _ context: Context) -> Bool {
        context.tokens.caller(of: request)?.actsAsAgent(request) ?? false
    }

    /// Runs an agent handler with its caller; its refusals are counted, logged and (401/403) audited.
    static func respond(
        _ request: Request, _ context: Context, _ body: (HTTPCaller) async throws -> Response
    ) async -> Response {
        guard let caller = context.tokens.caller(of: request) else {
            return await context.refusals.refuse(request, caller: nil, OpsError(.unauthorized, "unauthorized", "this API needs a bearer token"))
        }
        do {
            return try await body(caller)
        } catch let error as OpsError {
            return await context.refusals.refuse(request, caller: caller, error, ticket: error.detail.ticket)
        } catch let error as ProtocolError {
            return await context.refusals.refuse(request, caller: caller, OpsError(error))
        } catch is BrokerUnavailable {
            return await context.refusals.refuse(request, caller: caller, OpsError.unavailable)
        } catch {
            let detail = ErrorDetail(status: .internalError, error: "internal-error", message: "\(error)")
            return OpsRoutes.json(detail, status: .internalServerError)
        }
    }

    static func deliveryQuery(_ request: Request) throws -> (WebhookDelivery.State?, Int) {
        var state: WebhookDelivery.State?
        var limit = 50
        for (name, value) in OpsRoutes.query(request) {
            switch name {
            case "state":
                guard let parsed = WebhookDelivery.State(rawValue: value) else {
                    throw OpsError(.badRequest, "invalid-parameter", "query parameter 'state' is '\(value)'; expected pending, delivered or failed")
                }
                state = parsed
            case "limit":
                guard let number = Int(value), (1...RequestFilter.maxLimit).contains(number) else {
                    throw OpsError(.badRequest, "invalid-parameter", "query parameter 'limit' is '\(value)'; expected 1 to \(RequestFilter.maxLimit)")
                }
                limit = number
            default:
                throw OpsError(.badRequest, "unknown-parameter", "unknown query parameter '\(name)'; known: state, limit")
            }
        }
        return (state, limit)
    }

    struct WebhookList: Codable, Sendable { var webhooks: [WebhookSummary] }
    struct DeliveryList: Codable, Sendable { var deliveries: [WebhookDeliverySummary] }
}

extension HTTPCaller {
    /// The token's holder, for agents and integrations.
    var holder: HTTPAgentAccess.Holder? {
        switch self {
        case .agent(let holder), .integration(let holder): holder
        case .anyone, .observer, .operator: nil
        }
    }
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
}
