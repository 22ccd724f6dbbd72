import Hummingbird
import Synchronization
import SwitchboardBroker
import SwitchboardSchema

/// The bearer tokens in force (SIGHUP replaces them).
public final class TokenState: Sendable {
    private let current: Mutex<HTTPTokens>

    public init(_ tokens: HTTPTokens) { current = Mutex(tokens) }

    public var tokens: HTTPTokens { current.withLock { $0 } }

    public func replace(_ tokens: HTTPTokens) { current.withLock { $0 = tokens } }
}

/// Bearer tokens for everything but `/healthz`, `/readyz` and the dashboard's page itself (which holds no
/// data; its scripts send the token): required whenever tokens are configured, and the daemon refuses to
/// listen beyond loopback without them. Reading takes an observe or operate token; actions (POST) an
/// operate token.
struct TokenMiddleware: RouterMiddleware {
    let state: TokenState
    static let open: Set<String> = ["/healthz", "/readyz", "/"]

    func handle(
        _ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response
    ) async throws -> Response {
        let tokens = state.tokens
        if tokens.isEmpty || TokenMiddleware.open.contains(request.uri.path) {
            return try await next(request, context)
        }
        let header = request.headers.first { $0.name.canonicalName == "authorization" }?.value ?? ""
        let token = header.lowercased().hasPrefix("bearer ") ? String(header.dropFirst("bearer ".count)) : ""
        let mayOperate = !token.isEmpty && tokens.operate.contains { Self.same($0, token) }
        guard mayOperate || (!token.isEmpty && tokens.observe.contains { Self.same($0, token) }) else {
            var response = OpsRoutes.json(
                ErrorDetail(
                    status: .unauthorized, error: "unauthorized",
                    message: token.isEmpty
                        ? "this API needs a bearer token: send 'Authorization: Bearer <token>' (http.tokens)"
                        : "the bearer token is not one of http.tokens"),
                status: .unauthorized)
            response.headers[.wwwAuthenticate] = "Bearer realm=\"switchboard\""
            return response
        }
        if request.method != .get && request.method != .head && !mayOperate {
            return OpsRoutes.json(
                ErrorDetail(status: .forbidden, error: "not-permitted", message: "actions need an operate token (http.tokens.operate)"),
                status: .forbidden)
        }
        return try await next(request, context)
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
