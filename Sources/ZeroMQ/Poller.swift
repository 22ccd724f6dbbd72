import CZeroMQ

/// Waits on several sockets (and plain file descriptors, such as a ``Mailbox``'s wake-up pipe) at once.
public struct Poller {
    private var items: [zmq_pollitem_t] = []

    public init() {}

    /// Adds a socket to watch for incoming messages; returns its index in ``poll(timeoutMilliseconds:)``'s result.
    @discardableResult
    public mutating func add(_ socket: Socket) -> Int {
        items.append(zmq_pollitem_t(socket: socket.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0))
        return items.count - 1
    }

    /// Adds a file descriptor to watch for readability.
    @discardableResult
    public mutating func add(fileDescriptor: Int32) -> Int {
        items.append(zmq_pollitem_t(socket: nil, fd: fileDescriptor, events: Int16(ZMQ_POLLIN), revents: 0))
        return items.count - 1
    }

    /// Waits until something is readable or the timeout passes (-1 waits forever).
    /// Returns which items are readable, by index. An interrupted wait returns all false.
    public mutating func poll(timeoutMilliseconds: Int) throws -> [Bool] {
        let count = Int32(items.count)
        let result = items.withUnsafeMutableBufferPointer { buffer in
            zmq_poll(buffer.baseAddress, count, timeoutMilliseconds)
        }
        if result == -1 {
            let code = zmq_errno()
            // A signal woke us early: the caller loops and recomputes its timeout.
            if code == EINTR { return Array(repeating: false, count: items.count) }
            throw ZMQError(code: code, operation: "zmq_poll")
        }
        return items.map { ($0.revents & Int16(ZMQ_POLLIN)) != 0 }
    }
}
