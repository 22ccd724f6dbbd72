import Foundation

/// Runs a socket-owning loop on a dedicated thread (never the cooperative pool, which `zmq_poll` would
/// block), with a mailbox for commands from other threads and two signals back: "started" (sockets bound,
/// or the error that prevented it) and "finished".
public final class SocketThread<Command: Sendable>: Sendable {
    /// The thread's name as `top -H`, `ps -L` and `perf` show it; the kernel keeps at most 15 bytes of it.
    public let name: String
    public let mailbox = Mailbox<Command>()
    private let started = OneShot<Result<Void, any Error>>()
    private let finished = OneShot<Result<Void, any Error>>()

    public init(name: String) {
        self.name = name
    }

    /// Starts the thread. `body` binds its sockets, calls `ready()`, then loops until told to stop.
    public func start(_ body: @escaping @Sendable (_ ready: @Sendable () -> Void) throws -> Void) async throws {
        let started = self.started
        let finished = self.finished
        let mailbox = self.mailbox
        let name = self.name
        let thread = Thread {
            // Foundation on Linux does not pass `Thread.name` to the kernel: name the thread from inside it.
            Self.nameCurrentThread(name)
            let outcome: Result<Void, any Error>
            do {
                try body { started.fulfil(.success(())) }
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            // Nobody reads the mailbox any more: later posts must fail instead of piling up unseen.
            mailbox.close()
            // If the body failed before it was ready, starting failed.
            started.fulfil(outcome)
            finished.fulfil(outcome)
        }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
        try await started.value.get()
    }

    /// Sets the calling thread's kernel name, cut to the 15 bytes the kernel keeps. Through /proc, as
    /// `pthread_setname_np` is not visible to Swift without `_GNU_SOURCE`; a name that cannot be set is
    /// only cosmetic, so failure is ignored.
    static func nameCurrentThread(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        defer { _ = close(fd) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// Waits for the loop to return; throws if it ended with an error.
    public func join() async throws {
        try await finished.value.get()
    }
}
