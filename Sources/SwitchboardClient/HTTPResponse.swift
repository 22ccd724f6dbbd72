/// An HTTP/1.1 response as the transport read it.
struct HTTPResponse: Sendable, Equatable {
    var status: Int
    var reason: String
    /// Header names lower-cased, in the order received.
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    static func == (lhs: HTTPResponse, rhs: HTTPResponse) -> Bool {
        lhs.status == rhs.status && lhs.reason == rhs.reason && lhs.body == rhs.body
            && lhs.headers.elementsEqual(rhs.headers) { $0.name == $1.name && $0.value == $1.value }
    }
}

extension HTTPResponse {
    /// Why bytes are not an HTTP response.
    struct ParseError: Error, Equatable, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static let maxHeaderBytes = 64 * 1024

    /// Parses a response from the bytes received so far, without I/O: nil while more bytes are needed; `atEOF`
    /// says the peer closed the connection (which ends a body that has neither a length nor chunks).
    /// Interim 1xx responses are skipped. Knows `Content-Length` and `Transfer-Encoding: chunked`.
    static func parse(_ bytes: ArraySlice<UInt8>, atEOF: Bool) throws(ParseError) -> HTTPResponse? {
        var bytes = bytes
        while true {
            guard let headEnd = bytes.firstRange(of: [13, 10, 13, 10]) else {
                if bytes.count > maxHeaderBytes { throw ParseError("the response headers exceed 64 KiB") }
                if atEOF {
                    throw ParseError(
                        bytes.isEmpty
                            ? "the connection closed without a response"
                            : "the connection closed in the middle of the response headers")
                }
                return nil
            }
            var response = try head(bytes[bytes.startIndex..<headEnd.lowerBound])
            let rest = bytes[headEnd.upperBound...]
            if (100..<200).contains(response.status) {
                bytes = rest
                continue
            }
            if response.status == 204 || response.status == 304 { return response }
            if response.header("transfer-encoding")?.lowercased().contains("chunked") == true {
                guard let body = try chunked(rest, atEOF: atEOF) else { return nil }
                response.body = body
                return response
            }
            if let length = response.header("content-length") {
                guard let count = Int(length), count >= 0 else { throw ParseError("Content-Length is '\(length)'") }
                guard rest.count >= count else {
                    if atEOF { throw ParseError("the connection closed after \(rest.count) of \(count) body bytes") }
                    return nil
                }
                response.body = Array(rest.prefix(count))
                return response
            }
            guard atEOF else { return nil }
            response.body = Array(rest)
            return response
        }
    }

    /// The status line and the headers.
    private static func head(_ bytes: ArraySlice<UInt8>) throws(ParseError) -> HTTPResponse {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines[0].split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]),
            (100..<600).contains(status)
        else {
            throw ParseError("not an HTTP/1.x response (it starts '\(lines[0].prefix(40))')")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw ParseError("a header line without ':'") }
            headers.append((
                line[..<colon].lowercased(), String(line[line.index(after: colon)...]).trimmingSpaces()
            ))
        }
        return HTTPResponse(
            status: status, reason: statusLine.count > 2 ? String(statusLine[2]) : "", headers: headers, body: [])
    }

    /// A chunked body, or nil while incomplete. Trailers are read and ignored.
    private static func chunked(_ bytes: ArraySlice<UInt8>, atEOF: Bool) throws(ParseError) -> [UInt8]? {
        var body: [UInt8] = []
        var rest = bytes
        while true {
            guard let lineEnd = rest.firstRange(of: [13, 10]) else { return try incomplete(atEOF) }
            let sizeText = String(decoding: rest[rest.startIndex..<lineEnd.lowerBound], as: UTF8.self)
            let hex = sizeText.split(separator: ";", maxSplits: 1).first.map { String($0).trimmingSpaces() } ?? ""
            // A chunk cannot exceed the whole response's limit; bounding it also keeps `size + 2` from overflowing.
            guard let size = Int(hex, radix: 16), (0...HTTPTransport.maxResponseBytes).contains(size) else {
                throw ParseError("a chunk size of '\(sizeText.prefix(40))'")
            }
            rest = rest[lineEnd.upperBound...]
            if size == 0 {
                // Trailers, then an empty line.
                while true {
                    guard let end = rest.firstRange(of: [13, 10]) else { return try incomplete(atEOF) }
                    if end.lowerBound == rest.startIndex { return body }
                    rest = rest[end.upperBound...]
                }
            }
            guard rest.count >= size + 2 else { return try incomplete(atEOF) }
            guard rest.dropFirst(size).starts(with: [13, 10]) else { throw ParseError("a chunk not followed by CRLF") }
            body += rest.prefix(size)
            rest = rest.dropFirst(size + 2)
        }
    }

    private static func incomplete(_ atEOF: Bool) throws(ParseError) -> [UInt8]? {
        if atEOF { throw ParseError("the connection closed in the middle of a chunked body") }
        return nil
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
