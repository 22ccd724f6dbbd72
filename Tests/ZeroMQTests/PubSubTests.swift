import Testing
import ZeroMQ

@Suite struct PubSubTests {
    /// Publishes `probe` until the subscriber gets one (subscriptions travel asynchronously), then returns it.
    /// Bounded by a deadline; each round waits in `zmq_poll` on the subscriber, never in a sleep.
    func awaitSubscription(pub: Socket, sub: Socket, probe: Message) throws -> Message? {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(5)
        while clock.now < deadline {
            try pub.send(probe, dontWait: true)
            if let message = try receive(sub, within: .milliseconds(20)) { return message }
        }
        return nil
    }

    @Test func prefixSubscriptionFiltersAtTheFirstFrame() throws {
        try withSockets { sockets in
            let pub = try sockets.make(.pub)
            try pub.bind("tcp://127.0.0.1:*")
            let sub = try sockets.make(.sub)
            try sub.subscribe(bytes("weather."))
            try sub.connect(try pub.lastEndpoint)

            let probe = Message(strings: ["weather.probe", "p"])
            let first = try awaitSubscription(pub: pub, sub: sub, probe: probe)
            #expect(first == probe)

            try pub.send(Message(strings: ["sports.score", "1-0"]))
            try pub.send(Message(strings: ["weathe", "too short for the prefix"]))
            try pub.send(Message(frames: [bytes("weather.today"), [], [0, 1, 2]]))
            try pub.send(Message(strings: ["news", "weather.not-first-frame"]))
            try pub.send(Message(strings: ["weather.end"]))

            // Messages on one connection keep their order: read up to the marker, skipping leftover probes.
            var received: [Message] = []
            while true {
                let message = try expectMessage(sub)
                if message == probe { continue }
                received.append(message)
                if message.frames.first == bytes("weather.end") { break }
            }
            #expect(received == [Message(frames: [bytes("weather.today"), [], [0, 1, 2]]), Message(strings: ["weather.end"])])
        }
    }

    @Test func emptySubscriptionReceivesEverything() throws {
        try withSockets { sockets in
            let pub = try sockets.make(.pub)
            try pub.bind("inproc://everything")
            let sub = try sockets.make(.sub)
            try sub.subscribe([])
            try sub.connect("inproc://everything")
            let probe = Message(strings: ["probe"])
            #expect(try awaitSubscription(pub: pub, sub: sub, probe: probe) == probe)
            try pub.send(Message(frames: [[0xFF], []]))
            var next = try expectMessage(sub)
            while next == probe { next = try expectMessage(sub) }
            #expect(next == Message(frames: [[0xFF], []]))
        }
    }

    @Test func unsubscribedSocketReceivesNothing() throws {
        try withSockets { sockets in
            let pub = try sockets.make(.pub)
            try pub.bind("inproc://nothing")
            let sub = try sockets.make(.sub)
            try sub.subscribe(bytes("a"))
            try sub.unsubscribe(bytes("a"))
            try sub.connect("inproc://nothing")
            // A second, fully subscribed SUB tells us when the publisher has processed subscriptions.
            let witness = try sockets.make(.sub)
            try witness.subscribe([])
            try witness.connect("inproc://nothing")
            let probe = Message(strings: ["a-probe"])
            #expect(try awaitSubscription(pub: pub, sub: witness, probe: probe) == probe)
            #expect(try receive(sub, within: .milliseconds(100)) == nil)
        }
    }

    @Test func xpubReceivesSubscriptionMessages() throws {
        try withSockets { sockets in
            let xpub = try sockets.make(.xpub)
            try xpub.bind("tcp://127.0.0.1:*")
            let sub = try sockets.make(.sub)
            try sub.connect(try xpub.lastEndpoint)

            try sub.subscribe(bytes("topic"))
            #expect(try expectMessage(xpub).frames == [[0x01] + bytes("topic")])

            // XPUB is a publisher too: the subscriber gets matching messages.
            try xpub.send(Message(strings: ["topic.x", "body"]))
            #expect(try expectMessage(sub) == Message(strings: ["topic.x", "body"]))

            try sub.unsubscribe(bytes("topic"))
            #expect(try expectMessage(xpub).frames == [[0x00] + bytes("topic")])
        }
    }

    @Test func xpubVerbosePassesDuplicateSubscriptions() throws {
        try withSockets { sockets in
            let xpub = try sockets.make(.xpub)
            try xpub.setXPubVerbose(true)
            try xpub.bind("inproc://verbose")
            let first = try sockets.make(.sub)
            let second = try sockets.make(.sub)
            try first.connect("inproc://verbose")
            try second.connect("inproc://verbose")
            try first.subscribe(bytes("dup"))
            #expect(try expectMessage(xpub).frames == [[0x01] + bytes("dup")])
            try second.subscribe(bytes("dup"))
            // Without XPUB_VERBOSE the duplicate would be swallowed.
            #expect(try expectMessage(xpub).frames == [[0x01] + bytes("dup")])
        }
    }
}
