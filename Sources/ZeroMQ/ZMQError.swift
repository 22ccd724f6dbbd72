import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error from libzmq that keeps the `errno` it failed with and the call that failed.
public struct ZMQError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The `errno` value libzmq reported.
    public let code: Int32
    /// The libzmq call (and, where useful, its argument) that failed.
    public let operation: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    /// The call would have blocked (EAGAIN): nothing to receive, or the peer's queue is full.
    public var isWouldBlock: Bool { code == EAGAIN }
    /// The context was terminated (ETERM): the owner must close its socket and stop.
    public var isContextTerminated: Bool { code == ETERM }
    /// A ROUTER with ROUTER_MANDATORY could not route to the given identity (EHOSTUNREACH).
    public var isHostUnreachable: Bool { code == EHOSTUNREACH }

    public var description: String {
        "\(operation): \(String(cString: zmq_strerror(code))) (errno \(code))"
    }

    static func last(_ operation: @autoclosure () -> String) -> ZMQError {
        ZMQError(code: zmq_errno(), operation: operation())
    }
}

/// Runs one libzmq call, retrying when a signal interrupted it, and turns a `-1` result into a
/// ``ZMQError`` that keeps errno. Every libzmq call in this module goes through here.
@inline(__always)
@discardableResult
func zmqCall(_ operation: @autoclosure () -> String, _ body: () -> Int32) throws -> Int32 {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = zmq_errno()
        if code == EINTR { continue }
        throw ZMQError(code: code, operation: operation())
    }
}
