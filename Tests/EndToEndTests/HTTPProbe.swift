import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Plain HTTP calls to the daemon's ops surface, returning the raw status and body (the tests check the
/// bytes the daemon sends, not what a client library makes of them).
enum HTTPProbe {
    struct Reply: Sendable {
        let status: Int
        let body: Data
        let contentType: String?
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    static func get(_ url: String) async throws -> Reply {
        try await send(URLRequest(url: try parse(url)))
    }

    static func post(_ url: String) async throws -> Reply {
        var request = URLRequest(url: try parse(url))
        request.httpMethod = "POST"
        return try await send(request)
    }

    private static func parse(_ url: String) throws -> URL {
        guard let parsed = URL(string: url) else { throw TestFailure("not a URL: \(url)") }
        return parsed
    }

    private static func send(_ request: URLRequest) async throws -> Reply {
        var request = request
        request.timeoutInterval = 10
        let (data, response) = try await URLSession.shared.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw TestFailure("not an HTTP response from \(request)") }
        return Reply(status: http.statusCode, body: data, contentType: http.value(forHTTPHeaderField: "Content-Type"))
    }
}
