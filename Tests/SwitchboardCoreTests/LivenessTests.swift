import SwitchboardSchema
import Testing

@testable import SwitchboardCore

/// Heartbeats both ways; a silent worker is lost after interval × liveness and its requests move on.
@Suite("Worker liveness")
struct LivenessTests {
    @Test("after 2.5 s × 3 of silence the worker is lost and its request goes to another worker")
    func silentWorkerIsLost() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 1)
        let ticket = try h.open("r-1")
        _ = h.accept(.w1, ticket)
        _ = h.ready(.w2, credit: 1)
        #expect(h.held(by: .w1) == [ticket])

        for step in [2500, 2500, 2499] {
            let actions = h.advance(by: .milliseconds(step))
            #expect(actions.records.isEmpty)
            #expect(h.heartbeat(.w2).isEmpty)
        }
        #expect(h.clock.elapsed == .milliseconds(7499))
        #expect(h.core.workerCount == 2)

        let actions = h.advance(by: .milliseconds(1))
        #expect(actions.recordTypes == [.workerLost, .requestRequeued, .requestOffered])
        let lost = try #require(actions.records(.workerLost).first)
        #expect(lost.worker == "w1")
        #expect(lost.departments == ["claims"])
        #expect(lost.reason?.hasPrefix("no heartbeat for") == true)
        let requeued = try #require(actions.records(.requestRequeued).first)
        #expect(requeued.ticket == ticket)
        #expect(requeued.attempt == 1)
        #expect(requeued.state == .queued)
        #expect(requeued.reason?.hasPrefix("w1: no heartbeat") == true)
        #expect(actions.offers == [Offer(.w2, ticket, attempt: 2)])
        #expect(actions.records(.requestOffered).first?.worker == "w2")
        // The lost worker is sent nothing more (not even the heartbeat due now); the live one is.
        #expect(actions.toWorker(.w1).isEmpty)
        #expect(actions.heartbeatRecipients == [.w2])

        #expect(h.core.workerCount == 1)
        #expect(h.core.workerCount(department: "claims") == 1)
        let status = try h.status(ticket).info
        #expect(status.state == .offered)
        #expect(status.attempts == 2)
        #expect(status.worker == "w2")
    }

    @Test("a worker that keeps sending heartbeats is never lost; once silent, it is")
    func heartbeatsKeepAWorkerAlive() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 1)
        for _ in 0..<40 {
            let actions = h.advance(by: .milliseconds(2500))
            #expect(actions.records(.workerLost).isEmpty)
            #expect(actions.heartbeatRecipients == [.w1])
            #expect(h.heartbeat(.w1).isEmpty)
        }
        #expect(h.core.workerCount == 1)
        #expect(h.clock.elapsed == .seconds(100))

        // Silence from now on: lost exactly 7.5 s after the last heartbeat.
        #expect(h.advance(by: .milliseconds(7499)).records(.workerLost).isEmpty)
        #expect(h.advance(by: .milliseconds(1)).records(.workerLost).map(\.worker) == ["w1"])
        #expect(h.core.workerCount == 0)
    }

    @Test("any message from a worker proves it alive, not just HEARTBEAT")
    func anyMessageIsALifeSign() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 2)
        let first = try h.open("r-1")
        let second = try h.open("r-2")
        h.clock.advance(by: .seconds(5))
        _ = h.accept(.w1, first)
        h.clock.advance(by: .seconds(5))
        _ = h.update(.w1, first)
        h.clock.advance(by: .seconds(5))
        _ = h.answer(.w1, first)
        h.clock.advance(by: .seconds(5))
        _ = h.reject(.w1, second)
        // Last sign of life at 20 s: lost at 27.5 s, not before.
        #expect(h.advance(by: .milliseconds(7499)).records(.workerLost).isEmpty)
        #expect(h.core.workerCount == 1)
        #expect(h.advance(by: .milliseconds(1)).records(.workerLost).map(\.worker) == ["w1"])
    }

    @Test(
        "the loss timeout is interval × liveness",
        arguments: [(1000, 2), (2500, 3), (500, 5), (4000, 1)])
    func lossTimeoutIsIntervalTimesLiveness(interval: Int, liveness: Int) throws {
        let configuration = CoreConfiguration.with(
            heartbeatInterval: .milliseconds(interval), heartbeatLiveness: liveness)
        #expect(configuration.workerTimeout == .milliseconds(interval * liveness))
        var h = Harness(configuration)
        _ = h.ready(.w1, credit: 1)
        let timeout = interval * liveness
        #expect(h.advance(by: .milliseconds(timeout - 1)).records(.workerLost).isEmpty)
        #expect(h.core.workerCount == 1)
        let actions = h.advance(by: .milliseconds(1))
        #expect(actions.records(.workerLost).map(\.worker) == ["w1"])
        #expect(h.core.workerCount == 0)
    }

    @Test("the broker sends HEARTBEAT to every worker every interval")
    func brokerHeartbeats() throws {
        var h = Harness()
        #expect(h.core.nextDeadline == TestClock.start + .milliseconds(2500))
        _ = h.ready(.w1, credit: 1)
        _ = h.ready(.w2, ["claims", "billing"], credit: 1)

        #expect(h.advance(by: .milliseconds(2499)).isEmpty)
        for round in 1...4 {
            let actions = h.advance(by: round == 1 ? .milliseconds(1) : .milliseconds(2500))
            #expect(actions.count == 2)
            #expect(Set(actions.heartbeatRecipients) == [.w1, .w2])
            #expect(actions.heartbeatRecipients.count == 2)
            _ = h.heartbeat(.w1)
            _ = h.heartbeat(.w2)
            // Nothing more until the next interval.
            #expect((h.core.nextDeadline ?? h.now) > h.now)
        }
        #expect(h.clock.elapsed == .seconds(10))
        #expect(h.advance(by: .milliseconds(2499)).heartbeatRecipients.isEmpty)
    }

    @Test("with no workers, heartbeat ticks send nothing but keep the timer armed")
    func heartbeatWithoutWorkers() {
        var h = Harness()
        #expect(h.advance(by: .milliseconds(2500)).isEmpty)
        #expect(h.core.nextDeadline == TestClock.start + .milliseconds(5000))
        _ = h.ready(.w1)
        #expect(h.advance(by: .milliseconds(2500)).heartbeatRecipients == [.w1])
    }

    @Test("a worker that disconnects: worker.left, its request requeued with the attempt counted")
    func disconnectRequeues() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 1)
        let ticket = try h.open("r-1")
        _ = h.accept(.w1, ticket)
        _ = h.ready(.w2, credit: 1)

        let actions = h.disconnect(.w1)
        #expect(actions.recordTypes == [.workerLeft, .requestRequeued, .requestOffered])
        #expect(actions.records(.workerLeft).first?.reason == "worker disconnected")
        #expect(actions.records(.requestRequeued).first?.attempt == 1)
        #expect(actions.offers == [Offer(.w2, ticket, attempt: 2)])
        #expect(h.core.workerCount == 1)
        // Disconnecting twice (or an unknown worker) does nothing.
        #expect(h.disconnect(.w1).isEmpty)
    }

    @Test("every request of a lost worker is requeued, oldest first, ahead of newer requests")
    func lostWorkersRequestsKeepOrder() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 2)
        let t1 = try h.open("r-1")
        let t2 = try h.open("r-2")
        let t3 = try h.open("r-3")
        _ = h.accept(.w1, t2)  // one accepted, one only offered: both go back
        #expect(h.held(by: .w1) == [t1, t2])

        let actions = h.advance(by: .milliseconds(7500))
        #expect(actions.records(.workerLost).map(\.worker) == ["w1"])
        #expect(actions.records(.requestRequeued).map(\.ticket) == [t1, t2])
        #expect(actions.records(.requestRequeued).map(\.attempt) == [1, 1])
        #expect(actions.offers.isEmpty)
        #expect(h.core.queuedCount(department: "claims") == 3)
        #expect(h.core.state(of: t1) == .queued)
        #expect(h.core.state(of: t2) == .queued)

        var served = h.ready(.w2, credit: 1).offers
        for _ in 0..<2 {
            guard let last = served.last else { break }
            served += h.answer(.w2, last.ticket).offers
        }
        #expect(served == [Offer(.w2, t1, attempt: 2), Offer(.w2, t2, attempt: 2), Offer(.w2, t3, attempt: 1)])
    }

    @Test("a lost worker that speaks again is told to register; READY brings it back")
    func lostWorkerComesBack() throws {
        var h = Harness()
        _ = h.ready(.w1, credit: 1)
        _ = h.advance(by: .milliseconds(7500))
        #expect(h.core.workerCount == 0)
        #expect(h.heartbeat(.w1) == [.sendToWorker(.w1, .disconnect)])
        let again = h.ready(.w1, credit: 1)
        #expect(again.recordTypes == [.workerJoined])
        #expect(h.core.workerCount == 1)
        #expect(h.heartbeat(.w1).isEmpty)
    }
}

@Suite("Worker re-registration")
struct ReRegistrationTests {
    @Test("a worker that reconnects with the same identity leaves no stale expiry timers behind")
    func reconnectsDoNotPileUpTimers() {
        var h = Harness()
        for _ in 0..<20 {
            _ = h.ready(.w1, credit: 1)
            _ = h.disconnect(.w1)
        }
        _ = h.ready(.w1, credit: 1)
        // Let every stale timer fire once, while the worker keeps heartbeating.
        for _ in 0..<4 {
            _ = h.advance(by: .milliseconds(2500))
            #expect(h.heartbeat(.w1).isEmpty)
        }
        // One heartbeat timer and one expiry timer for the live registration.
        #expect(h.core.timers.count == 2)
        #expect(h.core.workerCount == 1)
    }
}
