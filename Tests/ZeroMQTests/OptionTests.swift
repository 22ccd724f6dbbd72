import CZeroMQ
import Testing
@testable import ZeroMQ

@Suite struct OptionTests {
    @Test func lingerDefaultsToZeroAndCanBeSet() throws {
        let context = try Context()
        let socket = try context.socket(.dealer)
        defer { socket.close() }
        // The context is non-blocky, so libzmq gives new sockets linger 0.
        #expect(try socket.intOption(ZMQ_LINGER, "ZMQ_LINGER") == 0)
        try socket.setLinger(milliseconds: 250)
        #expect(try socket.intOption(ZMQ_LINGER, "ZMQ_LINGER") == 250)
        try socket.setLinger(milliseconds: 0)
    }

    @Test func highWaterMarksAreSetAndEnforced() throws {
        try withSockets { sockets in
            let pull = try sockets.make(.pull)
            try pull.setReceiveHighWaterMark(1)
            #expect(try pull.intOption(ZMQ_RCVHWM, "ZMQ_RCVHWM") == 1)
            try pull.bind("inproc://hwm")
            let push = try sockets.make(.push)
            try push.setSendHighWaterMark(1)
            #expect(try push.intOption(ZMQ_SNDHWM, "ZMQ_SNDHWM") == 1)
            try push.connect("inproc://hwm")

            // Nobody reads, so the inproc pipe (send HWM + receive HWM) fills after a couple of messages;
            // with the default HWMs of 1000 all 100 sends would go through.
            var sent = 0
            while sent < 100 {
                do {
                    try push.send(Message(strings: ["m"]), dontWait: true)
                    sent += 1
                } catch let error as ZMQError where error.isWouldBlock {
                    break
                }
            }
            #expect(sent >= 1 && sent <= 4, "sent \(sent) before blocking")
        }
    }

    @Test func heartbeatOptionsAreSetAndTheConnectionStillWorks() throws {
        try withSockets { sockets in
            let router = try sockets.make(.router)
            try router.setZMTPHeartbeat(intervalMilliseconds: 100, timeoutMilliseconds: 300, ttlMilliseconds: 2000)
            #expect(try router.intOption(ZMQ_HEARTBEAT_IVL, "ZMQ_HEARTBEAT_IVL") == 100)
            #expect(try router.intOption(ZMQ_HEARTBEAT_TIMEOUT, "ZMQ_HEARTBEAT_TIMEOUT") == 300)
            #expect(try router.intOption(ZMQ_HEARTBEAT_TTL, "ZMQ_HEARTBEAT_TTL") == 2000)
            try router.bind("tcp://127.0.0.1:*")

            let dealer = try sockets.make(.dealer)
            try dealer.setZMTPHeartbeat(intervalMilliseconds: 100, timeoutMilliseconds: 300, ttlMilliseconds: 2000)
            try dealer.setRoutingID(bytes("hb"))
            try dealer.connect(try router.lastEndpoint)
            try dealer.send(Message(strings: ["ping"]))
            #expect(try expectMessage(router) == Message(strings: ["hb", "ping"]))
            try router.send(Message(strings: ["hb", "pong"]))
            #expect(try expectMessage(dealer) == Message(strings: ["pong"]))
        }
    }

    @Test func oversizeFramesAreNotDelivered() throws {
        try withSockets { sockets in
            let pull = try sockets.make(.pull)
            try pull.setMaxMessageSize(64)
            #expect(try pull.int64Option(ZMQ_MAXMSGSIZE, "ZMQ_MAXMSGSIZE") == 64)
            try pull.bind("tcp://127.0.0.1:*")
            let endpoint = try pull.lastEndpoint

            let big = try sockets.make(.push)
            try big.connect(endpoint)
            try big.send(frames: [Array(repeating: 0xAB, count: 1000)])
            #expect(try receive(pull, within: .milliseconds(300)) == nil)

            // A frame within the limit, on a new connection, still arrives.
            let small = try sockets.make(.push)
            try small.connect(endpoint)
            try small.send(frames: [Array(repeating: 0xCD, count: 64)])
            #expect(try expectMessage(pull).frames == [Array(repeating: 0xCD, count: 64)])
        }
    }

    @Test func receiveTimeoutMakesReceiveReturnNil() throws {
        try withSockets { sockets in
            let socket = try sockets.make(.pull)
            try socket.setReceiveTimeout(milliseconds: 100)
            #expect(try socket.intOption(ZMQ_RCVTIMEO, "ZMQ_RCVTIMEO") == 100)
            try socket.bind("inproc://timeout")
            let clock = ContinuousClock()
            let start = clock.now
            #expect(try socket.receive() == nil)
            let elapsed = clock.now - start
            #expect(elapsed >= .milliseconds(50), "returned before its timeout: \(elapsed)")
            #expect(elapsed < .seconds(2), "overran its timeout: \(elapsed)")
        }
    }

    @Test func otherOptionsReadBack() throws {
        try withSockets { sockets in
            let socket = try sockets.make(.dealer)
            try socket.setSendTimeout(milliseconds: 70)
            #expect(try socket.intOption(ZMQ_SNDTIMEO, "ZMQ_SNDTIMEO") == 70)
            try socket.setReconnectInterval(milliseconds: 50, maxMilliseconds: 800)
            #expect(try socket.intOption(ZMQ_RECONNECT_IVL, "ZMQ_RECONNECT_IVL") == 50)
            #expect(try socket.intOption(ZMQ_RECONNECT_IVL_MAX, "ZMQ_RECONNECT_IVL_MAX") == 800)
            try socket.setImmediate(true)
            #expect(try socket.intOption(ZMQ_IMMEDIATE, "ZMQ_IMMEDIATE") == 1)
            try socket.setRoutingID(bytes("me"))
            #expect(try socket.bytesOption(ZMQ_ROUTING_ID, capacity: 255) == bytes("me"))
            try socket.setZAPDomain("global")
            #expect(try socket.bytesOption(ZMQ_ZAP_DOMAIN, capacity: 255).prefix { $0 != 0 } == bytes("global")[...])
        }
    }

    @Test func sendTimeoutMakesABlockedSendThrowWouldBlock() throws {
        try withSockets { sockets in
            let dealer = try sockets.make(.dealer)
            try dealer.setSendTimeout(milliseconds: 50)
            let error = #expect(throws: ZMQError.self) { try dealer.send(Message(strings: ["x"])) }
            #expect(error?.isWouldBlock == true)
        }
    }
}
