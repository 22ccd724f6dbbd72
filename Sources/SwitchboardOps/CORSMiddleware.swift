import Hummingbird
import SwitchboardSchema

/// Cross-origin calls from the pages of the origins in `http.cors.origins` (a CRM that embeds the agent
/// API): answers their preflight, and marks their responses as readable by them. Other origins get no CORS
/// header, so browsers keep their pages from reading anything (and ``RequestGuardMiddleware`` refuses their
/// actions).
struct CORSMiddleware: RouterMiddleware {
    let state: TokenState
    static let allowedHeaders = "Authorization, Content-Type, Idempotency-Key, Last-Event-ID, X-Switchboard-Agent"

    func handle(
        _ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let origin = request.headers[.origin]?.lowercased(), state.agents.corsOrigins.contains(origin) else {
            return try await next(request, context)
        }
        if request.method == .options {
            var response = Response(status: .noContent)
            response.headers[.accessControlAllowMethods] = "GET, POST, OPTIONS"
            response.headers[.accessControlAllowHeaders] = Self.allowedHeaders
            response.headers[.accessControlMaxAge] = "600"
            Self.mark(&response, origin: origin)
            return response
        }
        var response = try await next(request, context)
        Self.mark(&response, origin: origin)
        return response
    }

    static func mark(_ response: inout Response, origin: String) {
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.accessControlExposeHeaders] = "Location"
        response.headers[.vary] = "Origin"
    }
}
