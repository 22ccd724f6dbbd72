import CZeroMQ
import Synchronization

/// A libzmq context: the I/O threads and the inproc namespace that sockets share.
///
/// A context is safe to share between threads (libzmq guarantees this); the sockets made from it are not.
public final class Context: @unchecked Sendable {
    // @unchecked Sendable: zmq_ctx_* functions are documented thread-safe; the pointer is never mutated.
    let handle: UnsafeMutableRawPointer
    private let lock = Mutex<Bool>(false)

    /// Creates a context with the given number of libzmq I/O threads.
    public init(ioThreads: Int32 = 1) throws {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        self.handle = handle
        try zmqCall("zmq_ctx_set(ZMQ_IO_THREADS)") { zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads) }
        // Sockets we create are closed explicitly; blocking on them at exit is never wanted.
        try zmqCall("zmq_ctx_set(ZMQ_BLOCKY)") { zmq_ctx_set(handle, ZMQ_BLOCKY, 0) }
    }

    /// Makes a new socket of the given type. Use it from one thread only.
    public func socket(_ type: SocketType) throws -> Socket {
        try Socket(context: self, type: type)
    }

    /// Shuts the context down: blocking calls on its sockets return ETERM. Idempotent.
    public func shutdown() {
        let first = lock.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        if first { _ = zmq_ctx_shutdown(handle) }
    }

    deinit {
        // zmq_ctx_term blocks until every socket is closed; owners close theirs before releasing the context.
        while zmq_ctx_term(handle) == -1 && zmq_errno() == EINTR {}
    }

    /// The libzmq version this process runs against, as (major, minor, patch).
    public static var version: (major: Int32, minor: Int32, patch: Int32) {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return (major, minor, patch)
    }

    /// Whether this libzmq was built with CURVE security.
    public static var hasCurve: Bool { zmq_has("curve") == 1 }
}
