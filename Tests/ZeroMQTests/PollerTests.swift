import Dispatch
import Testing
import ZeroMQ

@Suite struct PollerTests {
    @Test func timeoutWithNothingReadableReturnsAllFalse() throws {
        try withSockets { sockets in
            let left = try sockets.make(.pair)
            try left.bind("inproc://quiet")
            let right = try sockets.make(.pair)
            try right.connect("inproc://quiet")
            let mailbox = Mailbox<Int>()

            var poller = Poller()
            #expect(poller.add(left) == 0)
            #expect(poller.add(right) == 1)
            #expect(poller.add(fileDescriptor: mailbox.fileDescriptor) == 2)

            let clock = ContinuousClock()
            let start = clock.now
            let ready = try poller.poll(timeoutMilliseconds: 50)
            let elapsed = clock.now - start
            #expect(ready == [false, false, false])
            #expect(elapsed >= .milliseconds(25), "returned before its timeout: \(elapsed)")
            #expect(elapsed < .seconds(2), "overran its timeout: \(elapsed)")
        }
    }

    @Test func zeroTimeoutReturnsAtOnce() throws {
        try withSockets { sockets in
            let socket = try sockets.make(.dealer)
            var poller = Poller()
            poller.add(socket)
            #expect(try poller.poll(timeoutMilliseconds: 0) == [false])
        }
    }

    @Test func readableSocketIsReported() throws {
        try withSockets { sockets in
            let left = try sockets.make(.pair)
            try left.bind("inproc://readable")
            let right = try sockets.make(.pair)
            try right.connect("inproc://readable")
            var poller = Poller()
            poller.add(left)
            poller.add(right)

            try right.send(Message(strings: ["wake"]))
            #expect(try poller.poll(timeoutMilliseconds: 5000) == [true, false])
            // Still readable until received.
            #expect(try poller.poll(timeoutMilliseconds: 0) == [true, false])
            #expect(try left.receive(dontWait: true) == Message(strings: ["wake"]))
            #expect(try poller.poll(timeoutMilliseconds: 0) == [false, false])

            try left.send(Message(strings: ["back"]))
            #expect(try poller.poll(timeoutMilliseconds: 5000) == [false, true])
        }
    }

    @Test func mailboxWakesThePollerFromAnotherThread() throws {
        let mailbox = Mailbox<Int>()
        var poller = Poller()
        poller.add(fileDescriptor: mailbox.fileDescriptor)
        #expect(try poller.poll(timeoutMilliseconds: 0) == [false])

        let posted = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            for item in 1...100 { mailbox.post(item) }
            posted.signal()
        }
        #expect(try poller.poll(timeoutMilliseconds: 5000) == [true])
        // Let the poster finish so that no post races the drain below.
        try #require(posted.wait(timeout: .now() + 5) == .success)

        #expect(mailbox.drain() == Array(1...100))
        #expect(try poller.poll(timeoutMilliseconds: 0) == [false], "fd still readable after drain")
        #expect(mailbox.drain() == [])
    }
}
