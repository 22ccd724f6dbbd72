import Foundation

/// Runs a socket-owning loop on a dedicated thread (never the cooperative pool, which `zmq_poll` would
/// block), with a mailbox for commands from other threads and two signals back: "started" (sockets bound,
/// or the error that prevented it) and "finished".
public final class SocketThread<Command: Sendable>: Sendable {
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
        let thread = Thread {
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

    /// Waits for the loop to return; throws if it ended with an error.
    public func join() async throws {
        try await finished.value.get()
    }
}
