import Testing
import ZeroMQ

@Suite struct PairTests {
    @Test func pairOverInprocBothWays() throws {
        try withSockets { sockets in
            let left = try sockets.make(.pair)
            try left.bind("inproc://pair")
            let right = try sockets.make(.pair)
            try right.connect("inproc://pair")

            try right.send(Message(frames: awkwardFrames))
            #expect(try expectMessage(left).frames == awkwardFrames)
            try left.send(Message(strings: ["pong"]))
            #expect(try expectMessage(right) == Message(strings: ["pong"]))
        }
    }

    @Test func receiveDontWaitReturnsNilWhenNothingWaits() throws {
        try withSockets { sockets in
            let left = try sockets.make(.pair)
            try left.bind("inproc://idle")
            let right = try sockets.make(.pair)
            try right.connect("inproc://idle")
            #expect(try left.receive(dontWait: true) == nil)
            #expect(try right.receive(dontWait: true) == nil)

            try right.send(Message(strings: ["one"]))
            #expect(try left.receive(dontWait: true) == Message(strings: ["one"]))
            #expect(try left.receive(dontWait: true) == nil)
        }
    }

    @Test func hasMoreIsFalseAfterAWholeMessage() throws {
        try withSockets { sockets in
            let left = try sockets.make(.pair)
            try left.bind("inproc://more")
            let right = try sockets.make(.pair)
            try right.connect("inproc://more")
            try right.send(Message(strings: ["a", "b", "c"]))
            #expect(try expectMessage(left).count == 3)
            #expect(try left.hasMore == false)
        }
    }
}
