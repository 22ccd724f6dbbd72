import SwitchboardSchema
import Testing

@testable import SwitchboardBroker

@Suite("Stop phases")
struct StopPhaseTests {
    static let start = Timestamp(milliseconds: 1_767_225_600_000)
    static let limit: Duration = .seconds(20)
    static let ledger: Duration = .seconds(5)

    func step(_ phase: inout StopPhase, at offset: Duration, held: Int, awaiting: Int) -> StopPhase.Step {
        phase.step(now: Self.start + offset, heldByWorkers: held, awaitingLedger: awaiting, drainLimit: Self.limit,
                   ledgerTimeout: Self.ledger)
    }

    @Test("serving: nothing to do, messages read, timers fire, no limit on the poll")
    func serving() {
        var phase = StopPhase.serving
        #expect(step(&phase, at: .zero, held: 3, awaiting: 2) == .carryOn)
        #expect(phase.readsMessages && phase.firesTimers)
        #expect(phase.pollLimit(now: Self.start, drainLimit: Self.limit) == nil)
    }

    @Test("a stop drains while workers hold requests, then hands back once they hold none")
    func drainsUntilNothingIsHeld() {
        var phase = StopPhase.serving
        let first = phase.stop(at: Self.start)
        let second = phase.stop(at: Self.start + .seconds(1))
        #expect(first)
        #expect(!second, "a second stop changes nothing")
        #expect(phase == .draining(since: Self.start))
        #expect(phase.readsMessages, "workers' answers still come in")
        #expect(phase.pollLimit(now: Self.start + .seconds(5), drainLimit: Self.limit) == 15_000)
        #expect(step(&phase, at: .seconds(5), held: 1, awaiting: 0) == .carryOn)
        #expect(step(&phase, at: .seconds(6), held: 0, awaiting: 3) == .handBack)
        #expect(phase == .handedBack(at: Self.start + .seconds(6)))
        #expect(!phase.readsMessages && !phase.firesTimers)
        #expect(step(&phase, at: .seconds(7), held: 0, awaiting: 3) == .carryOn, "the ledger has yet to confirm")
        #expect(step(&phase, at: .seconds(8), held: 0, awaiting: 0) == .leave)
    }

    @Test("at the drain limit what is still held is handed back; the ledger gets its time, then the loop leaves")
    func limits() {
        var phase = StopPhase.serving
        _ = phase.stop(at: Self.start)
        #expect(step(&phase, at: .seconds(19), held: 2, awaiting: 0) == .carryOn)
        #expect(step(&phase, at: .seconds(20), held: 2, awaiting: 0) == .handBack)
        #expect(step(&phase, at: .seconds(25), held: 0, awaiting: 1) == .carryOn)
        #expect(step(&phase, at: .seconds(25) + .milliseconds(1), held: 0, awaiting: 1) == .leave)
        #expect(phase.pollLimit(now: Self.start + .seconds(30), drainLimit: Self.limit) == nil)
    }
}
