import SwitchboardSchema
import Testing

@testable import SwitchboardBroker

@Suite("Durability gate")
struct DurabilityGateTests {
    @Test("with nothing recorded, a message goes at once")
    func nothingPending() {
        var gate = DurabilityGate<String>()
        #expect(gate.admit("pong") == "pong")
        #expect(gate.heldCount == 0)
        #expect(gate.post() == nil, "an empty group is not posted")
    }

    @Test("a message after a change waits for the group that records it, also once the group is posted")
    func waitsForItsGroup() {
        var gate = DurabilityGate<String>()
        gate.recorded()
        #expect(gate.admit("ACCEPTED r-1") == nil)
        #expect(gate.post() == 1)
        #expect(gate.durable(through: 0) == [])
        #expect(gate.heldCount == 1)
        #expect(gate.durable(through: 1) == ["ACCEPTED r-1"])
        #expect(gate.heldCount == 0)
        #expect(gate.admit("pong") == "pong", "everything recorded is durable again")
    }

    @Test("what follows a held message waits behind it, even if it depends on nothing newer")
    func orderIsKept() {
        var gate = DurabilityGate<String>()
        gate.recorded()
        #expect(gate.admit("ACCEPTED r-1") == nil)
        #expect(gate.post() == 1)
        // Nothing recorded since: on its own it could go, but the agent must not hear it first.
        #expect(gate.admit("ERROR r-2") == nil)
        gate.recorded()
        #expect(gate.admit("ANSWER r-1") == nil)
        #expect(gate.post() == 2)
        #expect(gate.durable(through: 1) == ["ACCEPTED r-1", "ERROR r-2"])
        #expect(gate.durable(through: 2) == ["ANSWER r-1"])
    }

    @Test("a group made durable out of turn releases everything up to it, in order")
    func releasesThrough() {
        var gate = DurabilityGate<Int>()
        for message in 1...3 {
            gate.recorded()
            #expect(gate.admit(message) == nil)
            #expect(gate.post() == UInt64(message))
        }
        // The writer commits queued groups in one transaction and reports the last.
        #expect(gate.durable(through: 3) == [1, 2, 3])
        #expect(gate.durable(through: 2) == [], "an older notice changes nothing")
        #expect(gate.durable == 3)
    }

    @Test("audit lines alone make a group of their own, which later messages wait for")
    func emptyGroups() {
        var gate = DurabilityGate<String>()
        #expect(gate.postEmpty() == 1)
        #expect(gate.admit("refusal") == nil, "the audit line of a refusal is durable before the refusal is sent")
        gate.recorded()
        #expect(gate.post() == 2)
        #expect(gate.admit("ACCEPTED") == nil)
        #expect(gate.durable(through: 1) == ["refusal"])
        #expect(gate.durable(through: 2) == ["ACCEPTED"])
        #expect(gate.admit("reply") == "reply", "with everything durable and nothing held, a message goes at once")
    }

    @Test("when the ledger will confirm nothing more, what is held is given up in order")
    func abandon() {
        var gate = DurabilityGate<String>()
        gate.recorded()
        _ = gate.admit("a")
        _ = gate.admit("b")
        _ = gate.post()
        #expect(gate.abandon() == ["a", "b"])
        #expect(gate.heldCount == 0)
        #expect(gate.abandon() == [])
    }

    @Test("many messages released in parts keep their order and storage does not grow without bound")
    func manyMessages() {
        var gate = DurabilityGate<Int>()
        var sent: [Int] = []
        var next = 0
        for group in 1...200 {
            gate.recorded()
            for _ in 0..<10 {
                if let now = gate.admit(next) { sent.append(now) }
                next += 1
            }
            #expect(gate.post() == UInt64(group))
            if group % 3 == 0 { sent += gate.durable(through: UInt64(group - 1)) }
        }
        sent += gate.durable(through: 200)
        #expect(sent == Array(0..<next))
        #expect(gate.heldCount == 0)
    }
}
