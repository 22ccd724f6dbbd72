import CZeroMQ
import Dispatch
import Testing
import ZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct ContextTests {
    @Test func versionIsFour() {
        #expect(Context.version.major == 4)
    }

    @Test func createsSocketsAndClosesCleanly() throws {
        let context = try Context(ioThreads: 2)
        let socket = try context.socket(.dealer)
        #expect(socket.type == .dealer)
        socket.close()
        socket.close()  // idempotent
    }

    @Test func rejectsNegativeIOThreadCount() {
        let error = #expect(throws: ZMQError.self) { _ = try Context(ioThreads: -1) }
        #expect(error?.code == EINVAL)
    }

    @Test func shutdownStopsBlockingCallsAndNewSockets() throws {
        let context = try Context()
        let socket = try context.socket(.pull)
        defer { socket.close() }
        try socket.setLinger(milliseconds: 0)
        try socket.bind("inproc://shutdown")
        context.shutdown()
        context.shutdown()  // idempotent
        let receiveError = #expect(throws: ZMQError.self) { _ = try socket.receive() }
        #expect(receiveError?.isContextTerminated == true)
        #expect(receiveError?.code == ETERM)
        let socketError = #expect(throws: ZMQError.self) { _ = try context.socket(.push) }
        #expect(socketError?.code == ETERM)
    }

    @Test func shutdownFromAnotherThreadWakesABlockedReceive() throws {
        let context = try Context()
        let socket = try context.socket(.pull)
        defer { socket.close() }
        try socket.setLinger(milliseconds: 0)
        // Bounded: if shutdown did not reach the receive, it returns nil after 5 s and the test fails.
        try socket.setReceiveTimeout(milliseconds: 5000)
        try socket.bind("inproc://shutdown-thread")
        DispatchQueue.global().async { context.shutdown() }
        // Whether shutdown lands before or during the receive, the receive must end with ETERM.
        let error = #expect(throws: ZMQError.self) { _ = try socket.receive() }
        #expect(error?.isContextTerminated == true)
    }
}
