import SwitchboardSchema
import Testing

@testable import SwitchboardBroker

@Suite("Replies to malformed messages")
struct MalformedMessageTests {
    @Test("the reference is the request id or ticket frame when it is short printable text")
    func reference() {
        let submit: [[UInt8]] = [Signature.agentBytes, [0x01], Array("req-42".utf8), Array("claims".utf8)]
        #expect(MalformedMessage.reference(in: Frames(submit)[...]) == "req-42")
        #expect(MalformedMessage.reference(in: Frames([Signature.agentBytes, [0x01]] as [[UInt8]])[...]) == "")
        #expect(MalformedMessage.reference(in: Frames([Signature.agentBytes, [0x01], [0x00, 0xFF]] as [[UInt8]])[...]) == "")
        let long = [UInt8](repeating: 0x61, count: 129)
        #expect(MalformedMessage.reference(in: Frames([Signature.agentBytes, [0x01], long] as [[UInt8]])[...]) == "")
    }

    @Test("worker-family signatures get worker ERRORs, everything else agent ERRORs")
    func subProtocol() {
        #expect(MalformedMessage.isFromWorker(Frames([Array("SWBW02".utf8)] as [[UInt8]])[...]))
        #expect(MalformedMessage.isFromWorker(Frames([Signature.workerBytes] as [[UInt8]])[...]))
        #expect(!MalformedMessage.isFromWorker(Frames([Signature.agentBytes] as [[UInt8]])[...]))
        #expect(!MalformedMessage.isFromWorker(Frames([[0xDE, 0xAD]] as [[UInt8]])[...]))
        #expect(!MalformedMessage.isFromWorker(Frames([] as [[UInt8]])[...]))
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
