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
        var headers: [String: String] = [:]
        var text: String { String(decoding: body, as: UTF8.self) }

        /// A response header, by its name in any case.
        func header(_ name: String) -> String? {
            headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
        }

        /// The body as a JSON object (throws with the body when it is not one).
        func object() throws -> [String: Any] {
            guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
                throw TestFailure("not a JSON object (status \(status)): \(text.prefix(500))")
            }
            return object
        }
    }

    static func get(_ url: String) async throws -> Reply {
        try await send(URLRequest(url: try parse(url)))
    }

    static func post(_ url: String) async throws -> Reply {
        var request = URLRequest(url: try parse(url))
        request.httpMethod = "POST"
        return try await send(request)
    }

    /// Any method, with headers (a bearer token: `["Authorization": "Bearer ..."]`) and a body.
    static func call(
        _ method: String, _ url: String, headers: [String: String] = [:], body: Data? = nil
    ) async throws -> Reply {
        var request = URLRequest(url: try parse(url))
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body
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
        var headers: [String: String] = [:]
        for case (let name as String, let value as String) in http.allHeaderFields { headers[name] = value }
        return Reply(
            status: http.statusCode, body: data, contentType: http.value(forHTTPHeaderField: "Content-Type"), headers: headers)
    }
}

extension HTTPProbe {
    /// Sends `request` as it is (any Host or Origin header a test wants) to 127.0.0.1:`port`, and returns the
    /// status code and body of the reply. For what URLSession will not send.
    static func raw(port: Int, _ request: String) async throws -> (status: Int, body: String) {
        try await Task.detached {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw TestFailure("socket() failed") }
            defer { close(fd) }
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw TestFailure("cannot connect to 127.0.0.1:\(port)") }
            let bytes = Array(request.utf8)
            guard bytes.withUnsafeBytes({ Glibc.send(fd, $0.baseAddress, $0.count, 0) }) == bytes.count else {
                throw TestFailure("send failed")
            }
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
                if count <= 0 { break }
                received += buffer[0..<count]
            }
            let text = String(decoding: received, as: UTF8.self)
            let statusLine = text.split(separator: "\r\n", maxSplits: 1).first ?? ""
            let parts = statusLine.split(separator: " ")
            guard parts.count >= 2, let status = Int(parts[1]) else { throw TestFailure("no HTTP status in: \(text.prefix(200))") }
            let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
            return (status, body)
        }.value
    }
}
