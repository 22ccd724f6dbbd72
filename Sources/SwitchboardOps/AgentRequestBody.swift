import Foundation
import Hummingbird
import SwitchboardSchema

/// Reads the agent API's JSON bodies, with a clear 400 naming what is wrong (never quoting the body: it may
/// hold member data) and a 413 for one over `limits.max_body_bytes`.
enum AgentRequestBody {
    static let submissionFields: Set<String> = ["department", "body", "priority", "request_id", "agent"]

    static func submission(from request: Request, limits: ProtocolLimits) async throws -> Operations.Submission {
        let object = try await jsonObject(from: request, limits: limits, fields: submissionFields)
        guard let department = object["department"] as? String, !department.isEmpty else {
            throw invalid("department", "a department's name (text), such as \"claims\"")
        }
        guard department.utf8.count <= 255 else { throw invalid("department", "at most 255 bytes") }
        var priority = Priority.normal
        if let value = object["priority"] {
            guard let text = value as? String, let parsed = Priority(rawValue: text) else {
                throw invalid("priority", "one of " + Priority.allCases.map(\.rawValue).joined(separator: ", "))
            }
            priority = parsed
        }
        var requestID: String?
        if let value = object["request_id"] {
            guard let text = value as? String else { throw invalid("request_id", "text") }
            requestID = text
        }
        var agent: String?
        if let value = object["agent"] {
            guard let text = value as? String else { throw invalid("agent", "an agent's name (text)") }
            agent = text
        }
        let body = try bodyBytes(object["body"], limits: limits)
        return Operations.Submission(department: department, priority: priority, body: body, requestID: requestID, agent: agent)
    }

    static func reply(from request: Request, limits: ProtocolLimits) async throws -> [UInt8] {
        try bodyBytes(try await jsonObject(from: request, limits: limits, fields: ["body"])["body"], limits: limits)
    }

    /// The request id: the body's `request_id` or the `Idempotency-Key` header (both: they must agree), or a
    /// new one (then a retry is a second request).
    static func requestID(_ body: String?, header: String?, limits: ProtocolLimits) throws -> String {
        if let body, let header, body != header {
            throw OpsError(
                .badRequest, "conflicting-request-id", "the body's request_id and the Idempotency-Key header differ; send one")
        }
        guard let id = body ?? header else { return "http-" + UUID().uuidString.lowercased() }
        guard (1...limits.maxRequestIDBytes).contains(id.utf8.count),
            id.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value < 0x7F })
        else {
            throw invalid("request_id", "1 to \(limits.maxRequestIDBytes) printable ASCII characters without spaces")
        }
        return id
    }

    /// `body`: text (sent as its UTF-8 bytes) or a JSON object or array (sent as its JSON text).
    static func bodyBytes(_ value: Any?, limits: ProtocolLimits) throws -> [UInt8] {
        let bytes: [UInt8]
        switch value {
        case let text as String:
            bytes = Array(text.utf8)
        case let structured? where structured is [String: Any] || structured is [Any]:
            bytes = Array(try JSONSerialization.data(withJSONObject: structured, options: [.sortedKeys, .withoutEscapingSlashes]))
        case nil:
            throw invalid("body", "the question: text, or a JSON object")
        default:
            throw invalid("body", "text, or a JSON object or array")
        }
        guard !bytes.isEmpty else { throw invalid("body", "a question that is not empty") }
        guard bytes.count <= limits.maxBodyBytes else {
            throw OpsError(
                .payloadTooLarge, "body-too-large",
                "the body is \(bytes.count) bytes; this daemon takes at most \(limits.maxBodyBytes) (limits.max_body_bytes)")
        }
        return bytes
    }

    private static func jsonObject(from request: Request, limits: ProtocolLimits, fields: Set<String>) async throws -> [String: Any] {
        if let type = request.headers[.contentType], type.lowercased().hasPrefix("multipart/") {
            throw OpsError(.badRequest, "invalid-json", "send the body as JSON (Content-Type: application/json), not \(type.prefix(60))")
        }
        let buffer: ByteBuffer
        do {
            // JSON escapes may make the text up to six times the body, plus the other fields.
            buffer = try await request.body.collect(upTo: limits.maxBodyBytes * 6 + 64 * 1024)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw OpsError(
                .payloadTooLarge, "body-too-large", "the request is larger than this daemon takes (limits.max_body_bytes is \(limits.maxBodyBytes))")
        }
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) else {
            throw OpsError(.badRequest, "invalid-json", "the body is not valid JSON")
        }
        guard let object = parsed as? [String: Any] else {
            throw OpsError(.badRequest, "invalid-json", "the body must be a JSON object")
        }
        if let unknown = object.keys.sorted().first(where: { !fields.contains($0) }) {
            throw OpsError(
                .badRequest, "invalid-field", "unknown field '\(unknown.prefix(64))'; known: " + fields.sorted().joined(separator: ", "))
        }
        return object
    }

    private static func invalid(_ field: String, _ expected: String) -> OpsError {
        OpsError(.badRequest, "invalid-field", "field '\(field)' must be \(expected)")
    }
}
