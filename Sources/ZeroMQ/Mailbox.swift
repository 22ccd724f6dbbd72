import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A queue that other threads post to and one socket-owning thread drains, with a pipe whose read end
/// the owner adds to its ``Poller`` so that a post wakes it from `zmq_poll`.
///
/// This is how anything outside a socket's thread talks to it: never by touching the socket.
public final class Mailbox<Item: Sendable>: Sendable {
    private struct State {
        var items: [Item] = []
        var closed = false
    }

    private let state = Mutex(State())
    private let readFD: Int32
    private let writeFD: Int32

    public init() {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { fatalError("pipe() failed: errno \(errno)") }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        readFD = fds[0]
        writeFD = fds[1]
    }

    deinit {
        closeDescriptor(readFD)
        closeDescriptor(writeFD)
    }

    /// The descriptor the owner polls; readable when items are waiting.
    public var fileDescriptor: Int32 { readFD }

    /// Posts an item; returns false if the mailbox was closed (the owner has stopped).
    @discardableResult
    public func post(_ item: Item) -> Bool {
        let wake = state.withLock { state -> Bool? in
            guard !state.closed else { return nil }
            state.items.append(item)
            return state.items.count == 1
        }
        guard let wake else { return false }
        // Only the first item after a drain needs to wake the owner; it takes everything at once.
        if wake { signal() }
        return true
    }

    /// Takes every waiting item, oldest first. Called by the owner thread.
    public func drain() -> [Item] {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(readFD, &buffer, buffer.count) > 0 {}
        return state.withLock { state in
            defer { state.items.removeAll(keepingCapacity: true) }
            return state.items
        }
    }

    /// Refuses further posts. Items already posted can still be drained.
    public func close() {
        state.withLock { $0.closed = true }
        signal()
    }

    public var isClosed: Bool { state.withLock { $0.closed } }

    private func signal() {
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }
}

/// `close(2)`, as a free function: inside ``Mailbox`` the name `close` means ``Mailbox/close()``.
private func closeDescriptor(_ fd: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(fd)
    #elseif canImport(Darwin)
    _ = Darwin.close(fd)
    #endif
}
