import SwitchboardSchema
import Testing

@Suite("Status codes")
struct StatusCodeTests {
    @Test("three ASCII digits from 100 to 599 parse", arguments: [
        ("100", 100), ("200", 200), ("201", 201), ("202", 202), ("404", 404), ("505", 505), ("599", 599),
    ])
    func parses(text: String, value: Int) {
        #expect(StatusCode.parse(Array(text.utf8)) == StatusCode(value))
    }

    @Test("anything else does not", arguments: [
        "", "20", "2000", "099", "600", "999", "2O1", " 20", "+20", "-20", "20 ",
    ])
    func refuses(text: String) {
        #expect(StatusCode.parse(Array(text.utf8)) == nil)
    }

    @Test("every named code travels as its three digits and parses back")
    func namedCodesRoundTrip() {
        let named: [StatusCode] = [
            .ok, .created, .acceptedNoWorker, .pending, .badRequest, .unauthorized, .forbidden, .notFound, .conflict,
            .gone, .payloadTooLarge, .rejected, .tooManyRequests, .internalError, .notImplemented, .unavailable,
            .deadLettered, .versionNotSupported,
        ]
        #expect(Set(named).count == named.count)
        for code in named {
            #expect(code.frame.count == 3)
            #expect(StatusCode.parse(code.frame) == code)
        }
    }

    @Test("classes")
    func classes() {
        #expect(StatusCode.created.isSuccess && StatusCode.ok.isSuccess && StatusCode.acceptedNoWorker.isSuccess)
        #expect(!StatusCode.pending.isSuccess && !StatusCode.pending.isClientError && !StatusCode.pending.isServerError)
        #expect(StatusCode.payloadTooLarge.isClientError && !StatusCode.payloadTooLarge.isServerError)
        #expect(StatusCode.deadLettered.isServerError && StatusCode.versionNotSupported.isServerError)
        #expect(StatusCode.badRequest.frame == Array("400".utf8))
    }
}

@Suite("Priorities")
struct PriorityTests {
    @Test("an empty frame means normal")
    func emptyIsNormal() throws {
        #expect(try Priority.parse([]) == .normal)
    }

    @Test("every priority parses from its name", arguments: Priority.allCases)
    func parsesName(priority: Priority) throws {
        #expect(priority.frame == Array(priority.rawValue.utf8))
        #expect(try Priority.parse(priority.frame) == priority)
    }

    @Test("other words are refused with 400 bad-priority", arguments: [
        "NORMAL", "Normal", "critical", " normal", "2", "norm",
    ])
    func refuses(text: String) {
        #expect(throws: ProtocolError(.badRequest, "bad-priority",
            "priority must be one of urgent, high, normal, low; got '\(text)'")) {
            try Priority.parse(Array(text.utf8))
        }
    }

    @Test("a non-UTF-8 frame is refused without echoing it")
    func refusesBinary() {
        do {
            _ = try Priority.parse([0xFF, 0x00, 0x41])
            Issue.record("parsed a binary priority")
        } catch {
            #expect(error.reason == "bad-priority")
            #expect(error.message.hasSuffix("got 3 bytes starting 0xff0041"))
        }
    }

    @Test("urgent is served first, and raising stops at urgent")
    func order() {
        #expect(Priority.allCases.sorted() == [.urgent, .high, .normal, .low])
        #expect(Priority.low.raised == .normal)
        #expect(Priority.high.raised == .urgent)
        #expect(Priority.urgent.raised == .urgent)
    }
}

@Suite("Department names")
struct DepartmentNameTests {
    @Test("valid names", arguments: [
        "claims", "provider-relations", "a", "7", "claims.east_2", "0-day", String(repeating: "d", count: 64),
    ])
    func valid(name: String) {
        #expect(DepartmentName.isValid(name))
    }

    @Test("invalid names", arguments: [
        "", "Claims", "-claims", ".claims", "_claims", "claims east", "claims/east", "claims\n", "clé", "claims:x",
        String(repeating: "d", count: 65),
    ])
    func invalid(name: String) {
        #expect(!DepartmentName.isValid(name))
    }
}

@Suite("Signatures")
struct SignatureTests {
    @Test("SWBA01 is an agent, SWBW01 a worker")
    func known() throws {
        #expect(try Signature.parse(Array("SWBA01".utf8)) == .agent)
        #expect(try Signature.parse(Array("SWBW01".utf8)) == .worker)
        #expect(Signature.agent.bytes == Array("SWBA01".utf8))
        #expect(Signature.worker.bytes == Array("SWBW01".utf8))
    }

    @Test("another version of the family is 505; other frames are 400", arguments: [
        ("SWBA02", 505, "unsupported-version"), ("SWBW10", 505, "unsupported-version"),
        ("SWBA99", 505, "unsupported-version"), ("SWBAv1", 400, "bad-signature"), ("SWBA1", 400, "bad-signature"),
        ("SWBA001", 400, "bad-signature"), ("MDPC02", 400, "bad-signature"), ("swba01", 400, "bad-signature"),
        ("", 400, "bad-signature"),
    ])
    func refused(text: String, status: Int, reason: String) {
        do {
            _ = try Signature.parse(Array(text.utf8))
            Issue.record("\(text) parsed")
        } catch {
            #expect(error.status.rawValue == status)
            #expect(error.reason == reason)
        }
    }
}
