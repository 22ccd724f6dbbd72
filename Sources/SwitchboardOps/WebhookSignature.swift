import Crypto
import Foundation

/// How a webhook delivery is signed: `X-Switchboard-Signature: sha256=<hex>`, the HMAC-SHA256 of
/// `"<X-Switchboard-Timestamp>.<body>"` with the webhook's secret. Signing the time too lets a receiver refuse
/// an old delivery replayed by someone who recorded it.
enum WebhookSignature {
    static func sign(body: [UInt8], timestamp: Int64, secret: String) -> String {
        var message = Array("\(timestamp).".utf8)
        message.append(contentsOf: body)
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8)))
        return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }
}
