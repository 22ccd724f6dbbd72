import Hummingbird
import SwitchboardBroker
import SwitchboardSchema

/// Keeps web pages from using the operator's browser against the API. On a loopback address, a request must
/// name the host as a loopback one (DNS rebinding: a page of evil.example resolved to 127.0.0.1 sends
/// `Host: evil.example`). Actions (POST) are refused when a browser says they come from a page of another
/// origin; the CLI and scripts send no `Origin`. Bearer tokens are the next step (the security issue).
struct RequestGuardMiddleware: RouterMiddleware {
    let address: HTTPAddress
    /// Its agents' CORS origins may act (http.cors.origins).
    let state: TokenState

    func handle(
        _ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response
    ) async throws -> Response {
        let authority = request.head.authority ?? ""
        if address.isLoopback, !Self.isLoopback(authority: authority) {
            return refuse(
                "host-not-allowed",
                "this daemon's HTTP surface listens on \(address) and answers requests for 127.0.0.1 or localhost "
                    + "only, not for '\(authority.prefix(100))'")
        }
        if request.method != .get && request.method != .head,
            let origin = request.headers.first(where: { $0.name.canonicalName == "origin" })?.value,
            Self.authority(ofOrigin: origin) != authority, !state.agents.corsOrigins.contains(origin.lowercased())
        {
            return refuse(
                "cross-origin", "actions are refused from a web page of another origin (\(origin.prefix(100)))")
        }
        return try await next(request, context)
    }

    private func refuse(_ reason: String, _ message: String) -> Response {
        OpsRoutes.json(ErrorDetail(status: .forbidden, error: reason, message: message), status: .forbidden)
    }

    /// `host[:port]` of a Host header: is the host a loopback name or address?
    static func isLoopback(authority: String) -> Bool {
        var host = Substring(authority)
        if host.hasPrefix("[") {
            host = host.dropFirst().prefix { $0 != "]" }
        } else if let colon = host.lastIndex(of: ":") {
            host = host[..<colon]
        }
        return HTTPAddress(host: String(host).lowercased(), port: 0).isLoopback
    }

    /// `host[:port]` of an Origin header (`http://127.0.0.1:8570`), to compare with the Host header.
    static func authority(ofOrigin origin: String) -> String {
        guard let schemeEnd = origin.range(of: "://") else { return origin }
        return String(origin[schemeEnd.upperBound...].prefix { $0 != "/" })
    }
}
