import Hummingbird
import Logging
import Synchronization
import SwitchboardBroker
import SwitchboardCore
import SwitchboardSchema

/// Refusals of the HTTP surface (401, 403, and the agent API's other 4xx): each is answered with its JSON
/// error, counted for `/metrics` (`switchboard_http_refusals_total`), logged without any body, and audited
/// in the ledger when it is about who may do what (401 and 403).
final class HTTPRefusals: Sendable {
    struct Key: Hashable, Sendable {
        var status: Int
        var reason: String
    }

    private let counts = Mutex<[Key: UInt64]>([:])
    let broker: Broker
    let logger: Logger

    init(broker: Broker, logger: Logger) {
        self.broker = broker
        self.logger = logger
    }

    /// Counts, logs and (401/403) audits `error`, and returns its response.
    func refuse(_ request: Request, caller: HTTPCaller?, _ error: OpsError, ticket: String? = nil) async -> Response {
        let status = Int(error.detail.status.rawValue)
        count(status: status, reason: error.detail.error)
        let who: (principal: String, kind: String) = caller?.auditName ?? ("unknown", "http")
        logger.notice(
            "http request refused",
            metadata: [
                "http.method": "\(request.method)", "http.path": "\(request.uri.path.prefix(200))", "status": "\(status)",
                "error": "\(error.detail.error)", "principal": "\(who.principal)",
            ])
        if status == 401 || status == 403 {
            await broker.audit(AuditRecord(
                at: Timestamp.now(), principal: who.principal, kind: who.kind,
                action: "http \(request.method) \(request.uri.path.prefix(200))", ticket: ticket, department: nil,
                outcome: .refused, reason: error.detail.message))
        }
        return OpsRoutes.json(error.detail, status: HTTPResponse.Status(code: status))
    }

    func count(status: Int, reason: String) {
        counts.withLock { $0[Key(status: status, reason: reason), default: 0] += 1 }
    }

    var snapshot: [Key: UInt64] { counts.withLock { $0 } }
}
