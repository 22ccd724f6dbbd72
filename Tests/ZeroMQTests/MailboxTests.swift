import Dispatch
import Testing
import ZeroMQ

@Suite struct MailboxTests {
    func isReadable(_ mailbox: Mailbox<some Sendable>, timeoutMilliseconds: Int = 0) throws -> Bool {
        var poller = Poller()
        poller.add(fileDescriptor: mailbox.fileDescriptor)
        return try poller.poll(timeoutMilliseconds: timeoutMilliseconds)[0]
    }

    @Test func postThenDrainKeepsOrderAndClearsTheFD() throws {
        let mailbox = Mailbox<String>()
        #expect(try !isReadable(mailbox))
        #expect(mailbox.post("a"))
        #expect(mailbox.post("b"))
        #expect(mailbox.post("c"))
        #expect(try isReadable(mailbox))
        #expect(mailbox.drain() == ["a", "b", "c"])
        #expect(try !isReadable(mailbox))

        // A post after a drain wakes the owner again.
        mailbox.post("d")
        #expect(try isReadable(mailbox))
        #expect(mailbox.drain() == ["d"])
        #expect(try !isReadable(mailbox))
    }

    @Test func closeRefusesPostsAndWakesTheOwner() throws {
        let mailbox = Mailbox<Int>()
        mailbox.post(1)
        _ = mailbox.drain()
        mailbox.post(2)
        mailbox.close()
        #expect(mailbox.isClosed)
        #expect(mailbox.post(3) == false)
        #expect(try isReadable(mailbox))
        #expect(mailbox.drain() == [2])
        #expect(try !isReadable(mailbox))
    }

    @Test func concurrentPostersLoseNothing() throws {
        let mailbox = Mailbox<Int>()
        let group = DispatchGroup()
        for poster in 0..<4 {
            DispatchQueue.global().async(group: group) {
                for index in 0..<250 { mailbox.post(poster * 1000 + index) }
            }
        }
        // Drain while they post, draining only when the fd wakes us: a lost wake-up leaves items behind
        // and the loop runs into its deadline.
        var received: [Int] = []
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(5)
        var poller = Poller()
        poller.add(fileDescriptor: mailbox.fileDescriptor)
        while received.count < 1000 {
            let remaining = deadline - clock.now
            guard remaining > .zero else { break }
            if try poller.poll(timeoutMilliseconds: max(1, remaining.wholeMilliseconds))[0] {
                received += mailbox.drain()
            }
        }
        #expect(group.wait(timeout: .now() + 5) == .success)
        #expect(received.count == 1000)
        // Each poster's items arrive in the order it posted them.
        for poster in 0..<4 {
            let mine = received.filter { $0 / 1000 == poster }
            #expect(mine == Array(poster * 1000..<poster * 1000 + 250))
        }
    }
}
