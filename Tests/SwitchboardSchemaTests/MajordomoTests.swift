import SwitchboardSchema
import Testing

/// The Majordomo dialects frame by frame, as real peers put them on the wire (schemas/PROTOCOL.md, 14).
@Suite("Majordomo codec")
struct MajordomoCodecTests {
    func frames(_ parts: Any...) -> ArraySlice<[UInt8]> {
        parts.map { part -> [UInt8] in
            switch part {
            case let text as String: Array(text.utf8)
            case let byte as Int: [UInt8(byte)]
            default: []
            }
        }[...]
    }

    @Test("client REQUESTs: 0.1, strict RFC 18 and majortomo's dialect")
    func clientRequests() throws {
        let v01 = try Majordomo.decode(frames("", "MDPC01", "echo", "hello"))
        #expect(v01.message == .request(service: "echo", body: Array("hello".utf8)))
        #expect(v01.dialect == .v01 && !v01.isWorker)
        let rfc = try Majordomo.decode(frames("MDPC02", 0x01, "echo", "hello"))
        #expect(rfc.message == .request(service: "echo", body: Array("hello".utf8)))
        #expect(rfc.dialect == .rfc18)
        let majortomo = try Majordomo.decode(frames("", "MDPC02", 0x02, "echo", "hello"))
        #expect(majortomo.message == .request(service: "echo", body: Array("hello".utf8)))
        #expect(majortomo.dialect == .majortomo)
        #expect(try Majordomo.decode(frames("MDPC02", 0x01, "echo")).message == .request(service: "echo", body: []))
    }

    @Test("worker commands in each dialect")
    func workerCommands() throws {
        #expect(try Majordomo.decode(frames("", "MDPW01", 0x01, "echo")).message == .ready(service: "echo"))
        #expect(try Majordomo.decode(frames("MDPW02", 0x01, "echo")).message == .ready(service: "echo"))
        #expect(try Majordomo.decode(frames("", "MDPW02", 0x01, "echo")).dialect == .majortomo)
        #expect(try Majordomo.decode(frames("", "MDPW01", 0x03, "T-1", "", "hi")).message
            == .final(address: Array("T-1".utf8), body: Array("hi".utf8)))
        #expect(try Majordomo.decode(frames("MDPW02", 0x03, "T-1", "", "part")).message
            == .partial(address: Array("T-1".utf8), body: Array("part".utf8)))
        #expect(try Majordomo.decode(frames("MDPW02", 0x04, "T-1", "", "done")).message
            == .final(address: Array("T-1".utf8), body: Array("done".utf8)))
        #expect(try Majordomo.decode(frames("", "MDPW01", 0x04)).message == .heartbeat)
        #expect(try Majordomo.decode(frames("", "MDPW01", 0x05)).message == .disconnect)
        #expect(try Majordomo.decode(frames("MDPW02", 0x05)).message == .heartbeat)
        #expect(try Majordomo.decode(frames("", "MDPW02", 0x06)).message == .disconnect)
    }

    @Test("replies and worker messages are framed in the peer's dialect")
    func encoding() {
        let body = Array("hi".utf8)
        #expect(Majordomo.reply(service: "echo", body: body, final: true, dialect: .v01)
            == [[], Array("MDPC01".utf8), Array("echo".utf8), body])
        #expect(Majordomo.reply(service: "echo", body: body, final: false, dialect: .v01) == nil)
        #expect(Majordomo.reply(service: "echo", body: body, final: true, dialect: .rfc18)
            == [Array("MDPC02".utf8), [0x03], Array("echo".utf8), body])
        #expect(Majordomo.reply(service: "echo", body: body, final: false, dialect: .rfc18)
            == [Array("MDPC02".utf8), [0x02], Array("echo".utf8), body])
        #expect(Majordomo.reply(service: "echo", body: body, final: true, dialect: .majortomo)
            == [[], Array("MDPC02".utf8), [0x04], body])
        #expect(Majordomo.reply(service: "echo", body: body, final: false, dialect: .majortomo)
            == [[], Array("MDPC02".utf8), [0x03], body])
        #expect(Majordomo.workerRequest(address: Array("T-1".utf8), body: body, dialect: .v01)
            == [[], Array("MDPW01".utf8), [0x02], Array("T-1".utf8), [], body])
        #expect(Majordomo.workerRequest(address: Array("T-1".utf8), body: body, dialect: .rfc18)
            == [Array("MDPW02".utf8), [0x02], Array("T-1".utf8), [], body])
        #expect(Majordomo.heartbeat(.v01) == [[], Array("MDPW01".utf8), [0x04]])
        #expect(Majordomo.heartbeat(.rfc18) == [Array("MDPW02".utf8), [0x05]])
        #expect(Majordomo.disconnect(.majortomo) == [[], Array("MDPW02".utf8), [0x06]])
        #expect(Majordomo.disconnect(.v01) == [[], Array("MDPW01".utf8), [0x05]])
    }

    @Test("malformed messages name what is wrong", arguments: [
        (["MDPC02"], "missing-command"), (["MDPC02", "\u{9}", "echo"], "unknown-command"),
        (["", "MDPC02", "\u{1}", "echo"], "unknown-command"), (["MDPC01", "echo", "x"], "missing-delimiter"),
        (["MDPW02", "\u{1}"], "bad-frame-count"), (["MDPW02", "\u{1}", "a", "b"], "bad-frame-count"),
        (["MDPW02", "\u{4}", "T-1", "x"], "missing-delimiter"), (["MDPW02", "\u{4}"], "missing-frame"),
        (["MDPW02", "\u{77}"], "unknown-command"), (["MDPC02", "\u{1}", "echo", "a", "b"], "multipart-body"),
        (["MDPC03", "\u{1}"], "unsupported-version"), (["MDPC02", "\u{1}", ""], "empty-service"),
        ([""], "empty-message"),
    ])
    func malformed(parts: [String], reason: String) {
        #expect(Majordomo.claims(parts.map { Array($0.utf8) }[...]) || parts == [""])
        do {
            _ = try Majordomo.decode(parts.map { Array($0.utf8) }[...])
            Issue.record("\(parts) was accepted")
        } catch {
            #expect(error.reason == reason, "\(parts): \(error)")
        }
    }

    @Test("a body over the limit is refused with 413")
    func bodyLimit() {
        var limits = ProtocolLimits()
        limits.maxBodyBytes = 4
        #expect(throws: ProtocolError.self) {
            try Majordomo.decode(frames("MDPC02", 0x01, "echo", "12345"), limits: limits)
        }
    }

    @Test("only frames that start with MDP (after an optional empty frame) claim to be Majordomo")
    func claims() {
        #expect(Majordomo.claims(frames("MDPC02", 0x01)))
        #expect(Majordomo.claims(frames("", "MDPW01", 0x01)))
        #expect(!Majordomo.claims(frames("SWBA01", 0x01)))
        #expect(!Majordomo.claims(frames("", "SWBW01")))
        #expect(!Majordomo.claims(frames()))
    }
}
