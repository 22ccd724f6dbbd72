#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP port on 127.0.0.1 that nobody was listening on a moment ago: binds port 0, reads the port the
/// kernel chose, and closes the socket. Someone else may take it before the caller binds it, so callers
/// retry with another port when binding fails.
func freeLoopbackPort() throws -> UInt16 {
    #if canImport(Glibc)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { throw PortError(call: "socket", errno: errno) }
    defer { _ = close(fd) }

    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw PortError(call: "bind", errno: errno) }

    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { throw PortError(call: "getsockname", errno: errno) }
    return UInt16(bigEndian: address.sin_port)
}

struct PortError: Error, CustomStringConvertible {
    let call: String
    let errno: Int32
    var description: String { "\(call) failed for a free loopback port (errno \(errno))" }
}
