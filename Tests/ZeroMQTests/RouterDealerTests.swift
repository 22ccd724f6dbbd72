import Testing
import ZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct RouterDealerTests {
    @Test(arguments: ["inproc://router-dealer", "tcp://127.0.0.1:*"])
    func multipartRoundTrip(endpoint: String) throws {
        try withSockets { sockets in
            let router = try sockets.make(.router)
            try router.bind(endpoint)
            let bound = try router.lastEndpoint
            let dealer = try sockets.make(.dealer)
            try dealer.setRoutingID(bytes("client-1"))
            try dealer.connect(bound)

            try dealer.send(Message(frames: awkwardFrames))
            let request = try expectMessage(router)
            #expect(request.frames == [bytes("client-1")] + awkwardFrames)

            let reply = Message(frames: [bytes("client-1")] + awkwardFrames.reversed())
            try router.send(reply)
            let received = try expectMessage(dealer)
            #expect(received.frames == awkwardFrames.reversed())
        }
    }

    @Test func lastEndpointReportsTheChosenTCPPort() throws {
        try withSockets { sockets in
            let router = try sockets.make(.router)
            try router.bind("tcp://127.0.0.1:*")
            let endpoint = try router.lastEndpoint
            #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
            let chosen = try #require(port(of: endpoint))
            #expect(chosen > 0 && chosen < 65536)
        }
    }

    @Test func singleEmptyFrameIsAMessage() throws {
        try withSockets { sockets in
            let router = try sockets.make(.router)
            try router.bind("inproc://empty")
            let dealer = try sockets.make(.dealer)
            try dealer.setRoutingID([0x7F, 0x00, 0x01])
            try dealer.connect("inproc://empty")
            try dealer.send(frames: [[]])
            #expect(try expectMessage(router).frames == [[0x7F, 0x00, 0x01], []])
        }
    }

    @Test func frameByFrameSendMakesOneMessage() throws {
        try withSockets { sockets in
            let router = try sockets.make(.router)
            try router.bind("inproc://frames")
            let dealer = try sockets.make(.dealer)
            try dealer.setRoutingID(bytes("d"))
            try dealer.connect("inproc://frames")
            try dealer.send(frame: bytes("a"), more: true)
            try dealer.send(frame: [], more: true)
            try dealer.send(frame: bytes("c"), more: false)
            #expect(try expectMessage(router) == Message(bytes("d"), bytes("a"), [], bytes("c")))
        }
    }

    @Test func routerSeesTheDealersRoutingID() throws {
        try withSockets { sockets in
            let router = try sockets.make(.router)
            try router.bind("tcp://127.0.0.1:*")
            let first = try sockets.make(.dealer)
            let second = try sockets.make(.dealer)
            try first.setRoutingID(bytes("worker-A"))
            try second.setRoutingID([0x01, 0xFE, 0x00, 0x42])
            try first.connect(try router.lastEndpoint)
            try second.connect(try router.lastEndpoint)
            try first.send(Message(strings: ["from A"]))
            try second.send(Message(strings: ["from B"]))

            var seen: [[UInt8]: [UInt8]] = [:]
            for _ in 0..<2 {
                let message = try expectMessage(router)
                try #require(message.count == 2)
                seen[message.frames[0]] = message.frames[1]
            }
            #expect(seen == [bytes("worker-A"): bytes("from A"), [0x01, 0xFE, 0x00, 0x42]: bytes("from B")])

            // The identity routes the reply back to the right dealer only.
            try router.send(Message(frames: [[0x01, 0xFE, 0x00, 0x42], bytes("to B")]))
            #expect(try expectMessage(second) == Message(strings: ["to B"]))
            #expect(try receive(first, within: .milliseconds(100)) == nil)
        }
    }

    @Test func routerMandatoryRejectsUnknownIdentity() throws {
        try withSockets { sockets in
            let router = try sockets.make(.router)
            try router.setRouterMandatory(true)
            try router.bind("inproc://mandatory")
            let error = #expect(throws: ZMQError.self) {
                try router.send(Message(frames: [bytes("nobody"), bytes("hello")]))
            }
            #expect(error?.isHostUnreachable == true)
            #expect(error?.code == EHOSTUNREACH)
            #expect(error?.isWouldBlock == false)

            // A known identity still routes.
            let dealer = try sockets.make(.dealer)
            try dealer.setRoutingID(bytes("known"))
            try dealer.connect("inproc://mandatory")
            try dealer.send(Message(strings: ["hi"]))
            _ = try expectMessage(router)
            try router.send(Message(frames: [bytes("known"), bytes("reply")]))
            #expect(try expectMessage(dealer) == Message(strings: ["reply"]))
        }
    }

    @Test func routerWithoutMandatoryDropsSilently() throws {
        try withSockets { sockets in
            let router = try sockets.make(.router)
            try router.bind("inproc://lenient")
            try router.send(Message(frames: [bytes("nobody"), bytes("hello")]))
        }
    }
}
