import Hummingbird
import Synchronization
import SwitchboardBroker
import SwitchboardSchema

/// The bearer tokens in force (SIGHUP replaces them): ops tokens and the agent API's.
public final class TokenState: Sendable {
    private let current: Mutex<(tokens: HTTPTokens, agents: HTTPAgentAccess)>

    public init(_ tokens: HTTPTokens, agents: HTTPAgentAccess = HTTPAgentAccess()) {
        current = Mutex((tokens, agents))
    }

    public var tokens: HTTPTokens { current.withLock { $0.tokens } }
    public var agents: HTTPAgentAccess { current.withLock { $0.agents } }

    public func replace(_ tokens: HTTPTokens) { current.withLock { $0.tokens = tokens } }
    public func replace(agents: HTTPAgentAccess) { current.withLock { $0.agents = agents } }

    /// The caller a request's `Authorization` header names; nil: no token, or none of those in force.
    func caller(of request: Request) -> HTTPCaller? {
        let (tokens, agents) = current.withLock { ($0.tokens, $0.agents) }
        if tokens.isEmpty && agents.isEmpty { return .anyone }
        let header = request.headers[.authorization] ?? ""
        guard header.lowercased().hasPrefix("bearer ") else { return nil }
        let token = String(header.dropFirst("bearer ".count))
        guard !token.isEmpty else { return nil }
        // Every comparison runs, whichever matches: the time taken does not tell which kind of token it was.
        var found: HTTPCaller?
        for candidate in tokens.operate where Self.same(candidate, token) { found = .operator }
        for candidate in tokens.observe where Self.same(candidate, token) { found = found ?? .observer }
        for holder in agents.holders where Self.same(holder.token, token) {
            found = found ?? (holder.kind == .agent ? .agent(holder) : .integration(holder))
        }
        return found
    }

    /// Without ops tokens the operations surface stays open to callers that send no token (on loopback only:
    /// the daemon refuses to listen beyond it without ops tokens), even when agents have tokens: configuring
    /// agents must not lock Prometheus and the dashboard out. The agent-only paths still need an agent's token.
    func anonymousOpsCaller(of request: Request) -> HTTPCaller? {
        guard request.headers[.authorization] == nil, tokens.isEmpty,
            !AgentRoutes.isAgentOnlyPath(request.method, request.uri.path)
        else { return nil }
        return .anyone
    }

    /// Compares in time that does not depend on where the texts differ (a token is a secret).
    static func same(_ expected: String, _ given: String) -> Bool {
        let a = Array(expected.utf8), b = Array(given.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}

/// Bearer tokens for everything but `/healthz`, `/readyz` and the pages themselves (`/` and `/agent` hold no
/// data; their scripts send the token): required whenever tokens are configured, and the daemon refuses to
/// listen beyond loopback without them. Ops tokens: reading takes observe or operate, actions operate. Agent
/// and integration tokens reach only the agent API (schemas/API.md). Every refusal is counted and audited.
struct TokenMiddleware: RouterMiddleware {
    let state: TokenState
    let refusals: HTTPRefusals
    static let open: Set<String> = ["/healthz", "/readyz", "/", "/agent"]

    func handle(
        _ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        if TokenMiddleware.open.contains(path) || request.method == .options { return try await next(request, context) }
        guard let caller = state.caller(of: request) ?? state.anonymousOpsCaller(of: request) else {
            let sent = (request.headers[.authorization] ?? "").isEmpty == false
            var response = await refusals.refuse(
                request, caller: nil,
                OpsError(
                    .unauthorized, "unauthorized",
                    sent
                        ? "the bearer token is not one this daemon knows (http.tokens, http.agents, http.integrations)"
                        : "this API needs a bearer token: send 'Authorization: Bearer <token>'"))
            response.headers[.wwwAuthenticate] = "Bearer realm=\"switchboard\""
            return response
        }
        if caller.isAgentSide && caller != .anyone {
            guard AgentRoutes.isAgentPath(request.method, path) else {
                return await refusals.refuse(
                    request, caller: caller,
                    OpsError(.forbidden, "not-permitted", "agent and integration tokens reach only the agent API (schemas/API.md)"))
            }
        } else if !caller.isAgentSide, AgentRoutes.isAgentOnlyPath(request.method, path) {
            return await refusals.refuse(
                request, caller: caller,
                OpsError(.forbidden, "not-permitted", "this is the agent API: use an agent or integration token (http.agents, http.integrations)"))
        } else if request.method != .get && request.method != .head && !caller.mayOperate && !caller.isAgentSide {
            return await refusals.refuse(
                request, caller: caller, OpsError(.forbidden, "not-permitted", "actions need an operate token (http.tokens.operate)"))
        }
        return try await next(request, context)
    }
}
