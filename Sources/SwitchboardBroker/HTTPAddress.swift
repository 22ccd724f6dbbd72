/// Where the HTTP ops surface listens: a host (name, IPv4 or IPv6 address) and a TCP port.
public struct HTTPAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// The default: loopback only, port 8570.
    public static let `default` = HTTPAddress(host: "127.0.0.1", port: 8570)

    /// Whether only this machine can reach it.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    public var description: String { host.contains(":") && !host.hasPrefix("[") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Parses `HOST:PORT` (`[::1]:8570` for IPv6), or `off` (nil: no HTTP surface). The error says what is wrong.
    public static func parse(_ text: String) throws(HTTPAddressError) -> HTTPAddress? {
        if text == "off" { return nil }
        guard let colon = text.lastIndex(of: ":") else {
            throw HTTPAddressError("'\(text)' is not HOST:PORT; write e.g. 127.0.0.1:8570, 0.0.0.0:8570 or off")
        }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else {
            throw HTTPAddressError("'\(text)' has no host; write e.g. 127.0.0.1:8570 (0.0.0.0:8570 for every interface)")
        }
        guard let port = Int(portText), (1...65_535).contains(port) else {
            throw HTTPAddressError("'\(text)' has no valid port; the port is a number from 1 to 65535")
        }
        return HTTPAddress(host: host, port: port)
    }
}

/// Why an HTTP address could not be read.
public struct HTTPAddressError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
