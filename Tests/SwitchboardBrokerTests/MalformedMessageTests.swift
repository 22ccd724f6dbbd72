import SwitchboardSchema
import Testing

@testable import SwitchboardBroker

@Suite("Replies to malformed messages")
struct MalformedMessageTests {
    @Test("the reference is the request id or ticket frame when it is short printable text")
    func reference() {
        let submit: [[UInt8]] = [Signature.agentBytes, [0x01], Array("req-42".utf8), Array("claims".utf8)]
        #expect(MalformedMessage.reference(in: submit[...]) == "req-42")
        #expect(MalformedMessage.reference(in: [Signature.agentBytes, [0x01]][...]) == "")
        #expect(MalformedMessage.reference(in: [Signature.agentBytes, [0x01], [0x00, 0xFF]][...]) == "")
        let long = [UInt8](repeating: 0x61, count: 129)
        #expect(MalformedMessage.reference(in: [Signature.agentBytes, [0x01], long][...]) == "")
    }

    @Test("worker-family signatures get worker ERRORs, everything else agent ERRORs")
    func subProtocol() {
        #expect(MalformedMessage.isFromWorker([Array("SWBW02".utf8)][...]))
        #expect(MalformedMessage.isFromWorker([Signature.workerBytes][...]))
        #expect(!MalformedMessage.isFromWorker([Signature.agentBytes][...]))
        #expect(!MalformedMessage.isFromWorker([[0xDE, 0xAD]][...]))
        #expect(!MalformedMessage.isFromWorker([][...]))
    }

    @Test("the log rate limiter lets a burst through up to its limit per second, then counts the rest")
    func rateLimiter() {
        var limiter = RateLimiter(perSecond: 3)
        let second = Timestamp(milliseconds: 10_000)
        var allowed: [Bool] = []
        for _ in 0..<5 { allowed.append(limiter.allow(now: second)) }
        #expect(allowed == [true, true, true, false, false])
        #expect(limiter.suppressed == 2)
        let nextSecond = limiter.allow(now: Timestamp(milliseconds: 11_000))
        #expect(nextSecond)
    }
}
