import Foundation
import ZeroMQ

/// libzmq's own `zmq_proxy` between a ROUTER facing clients and a DEALER facing workers: the limit a
/// broker hop reaches on this machine.
final class ProxyBaseline: Sendable {
    let frontend: String
    let backend: String
    private let context: Context
    private let done = DispatchSemaphore(value: 0)

    init(frontendPort: Int, backendPort: Int) throws {
        let frontend = "tcp://127.0.0.1:\(frontendPort)", backend = "tcp://127.0.0.1:\(backendPort)"
        self.frontend = frontend
        self.backend = backend
        let context = try Context(ioThreads: 1)
        self.context = context
        let ready = DispatchSemaphore(value: 0), done = self.done
        let failure = Locked<Error?>(nil)
        // The sockets live on the proxy's thread only.
        Thread {
            defer { done.signal() }
            do {
                let router = try context.socket(.router)
                let dealer = try context.socket(.dealer)
                defer {
                    router.close()
                    dealer.close()
                }
                for socket in [router, dealer] {
                    try socket.setLinger(milliseconds: 0)
                    try socket.setSendHighWaterMark(0)
                    try socket.setReceiveHighWaterMark(0)
                }
                try router.bind(frontend)
                try dealer.bind(backend)
                ready.signal()
                // Returns when the context shuts down.
                Socket.proxy(frontend: router, backend: dealer)
            } catch {
                failure.withLock { $0 = error }
                ready.signal()
            }
        }.start()
        ready.wait()
        if let error = failure.withLock({ $0 }) { throw error }
    }

    func stop() {
        context.shutdown()
        done.wait()
    }
}
