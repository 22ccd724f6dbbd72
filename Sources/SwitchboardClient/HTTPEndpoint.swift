import Foundation

/// Where a daemon's HTTP surface is: parsed from `HOST:PORT`, `HOST` (port 8570), or an `http://HOST[:PORT][/PREFIX]`
/// URL (port 80 when absent, as in any URL). IPv6 literals go in brackets: `[::1]:8570`.
struct HTTPEndpoint: Sendable, Equatable {
    /// The host to connect to (an IPv6 literal without its brackets).
    var host: String
    var port: Int
    /// A path prefix every request path is appended to (empty, or starting with `/` and not ending with one).
    var basePath: String

    static let defaultPort = 8570

    /// The endpoint as a URL for people: `http://127.0.0.1:8570`.
    var url: String { "http://\(hostHeader)\(basePath)" }

    /// The `Host` header: `host:port`, with brackets around an IPv6 literal.
    var hostHeader: String { (host.contains(":") ? "[\(host)]" : host) + ":\(port)" }

    /// Parses an address; the error is a sentence saying what is wrong with it.
    init(parsing address: String) throws(OperationsClientError) {
        var rest = Substring(address.trimmingCharacters(in: .whitespaces))
        var port: Int? = nil
        if let scheme = rest.range(of: "://") {
            let name = rest[..<scheme.lowerBound].lowercased()
            guard name == "http" else {
                throw .invalidAddress(
                    address: address,
                    reason: "only http:// is supported (switchboardd serves plain HTTP; put TLS in front of it)")
            }
            rest = rest[scheme.upperBound...]
            port = 80
        }
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[slash...])
            rest = rest[..<slash]
        }
        while path.hasSuffix("/") { path.removeLast() }
        guard !path.contains("?"), !path.contains("#") else {
            throw .invalidAddress(address: address, reason: "it must not contain a query or a fragment")
        }
        let bracketed = rest.hasPrefix("[")
        if bracketed {
            guard let close = rest.firstIndex(of: "]") else {
                throw .invalidAddress(address: address, reason: "an unclosed '['")
            }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            rest = rest[colon...]
        } else {
            host = String(rest)
            rest = ""
        }
        if !rest.isEmpty {
            guard rest.first == ":", let number = Int(rest.dropFirst()), (1...65_535).contains(number) else {
                throw .invalidAddress(address: address, reason: "the port must be a number from 1 to 65535")
            }
            port = number
        }
        guard !host.isEmpty, !host.contains(where: { $0 == "@" || $0.isWhitespace }) else {
            throw .invalidAddress(
                address: address, reason: "expected HOST:PORT (e.g. 127.0.0.1:8570) or http://HOST:PORT")
        }
        guard bracketed || !host.contains(":") else {
            throw .invalidAddress(address: address, reason: "put an IPv6 address in brackets, e.g. [::1]:8570")
        }
        self.port = port ?? HTTPEndpoint.defaultPort
        basePath = path
    }
}
