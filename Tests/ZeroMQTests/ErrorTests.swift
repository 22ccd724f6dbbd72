import CZeroMQ
import Testing
import ZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct ErrorTests {
    @Test(arguments: ["bogus://where", "tcp://127.0.0.1", "tcp://127.0.0.1:notaport", "inproc://"])
    func bindToAnInvalidEndpointKeepsErrno(endpoint: String) throws {
        try withSockets { sockets in
            let socket = try sockets.make(.router)
            let error = #expect(throws: ZMQError.self) { try socket.bind(endpoint) }
            #expect([EINVAL, EPROTONOSUPPORT].contains(error?.code ?? 0), "errno \(error?.code ?? 0)")
        }
    }

    @Test func unknownTransportIsProtocolNotSupported() throws {
        try withSockets { sockets in
            let socket = try sockets.make(.dealer)
            let error = #expect(throws: ZMQError.self) { try socket.connect("bogus://where") }
            #expect(error?.code == EPROTONOSUPPORT)
        }
    }

    @Test func bindingATCPPortTwiceIsAddressInUse() throws {
        try withSockets { sockets in
            let first = try sockets.make(.router)
            try first.bind("tcp://127.0.0.1:*")
            let endpoint = try first.lastEndpoint
            let second = try sockets.make(.router)
            let error = #expect(throws: ZMQError.self) { try second.bind(endpoint) }
            #expect(error?.code == EADDRINUSE)
        }
    }

    @Test func descriptionNamesTheOperationAndErrno() throws {
        try withSockets { sockets in
            let socket = try sockets.make(.router)
            let error = try #require(throws: ZMQError.self) { try socket.bind("bogus://where") }
            #expect(error.operation.contains("zmq_bind"))
            #expect(error.description.contains("zmq_bind"))
            #expect(error.description.contains("bogus://where"))
            #expect(error.description.contains("errno \(error.code)"))
            #expect(String(describing: error) == error.description)
        }
    }

    @Test func sendWithoutPeersWouldBlock() throws {
        try withSockets { sockets in
            let dealer = try sockets.make(.dealer)
            let error = #expect(throws: ZMQError.self) { try dealer.send(Message(strings: ["x"]), dontWait: true) }
            #expect(error?.isWouldBlock == true)
            #expect(error?.code == EAGAIN)
        }
    }

    @Test func unsupportedOptionForTheSocketTypeIsAnError() throws {
        try withSockets { sockets in
            let dealer = try sockets.make(.dealer)
            let error = #expect(throws: ZMQError.self) { try dealer.setRouterMandatory(true) }
            #expect(error?.code == EINVAL)
            #expect(error?.operation.contains("ZMQ_ROUTER_MANDATORY") == true)
        }
    }

    @Test func predicatesMatchTheirErrno() {
        #expect(ZMQError(code: EAGAIN, operation: "x").isWouldBlock)
        #expect(ZMQError(code: ETERM, operation: "x").isContextTerminated)
        #expect(ZMQError(code: EHOSTUNREACH, operation: "x").isHostUnreachable)
        let other = ZMQError(code: EINVAL, operation: "x")
        #expect(!other.isWouldBlock && !other.isContextTerminated && !other.isHostUnreachable)
    }
}
