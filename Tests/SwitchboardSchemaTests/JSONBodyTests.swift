import Foundation
import SwitchboardSchema
import Testing

@Suite("READY JSON")
struct ReadyInfoTests {
    @Test("a valid READY parses; unknown fields are ignored")
    func parses() throws {
        let info = try ReadyInfo.parse(Array(#"{"credit":4,"departments":["claims","billing"],"name":"bot-1"}"#.utf8))
        #expect(info == ReadyInfo(departments: ["claims", "billing"], credit: 4, name: "bot-1"))
        let extra = try ReadyInfo.parse(Array(#"{"credit":1,"departments":["claims"],"version":"2.1"}"#.utf8))
        #expect(extra == ReadyInfo(departments: ["claims"], credit: 1))
        #expect(JSONCoding.encode(extra) == Array(#"{"credit":1,"departments":["claims"]}"#.utf8))
    }

    @Test("credit 1 and 1000 are the bounds")
    func creditBounds() throws {
        #expect(try ReadyInfo.parse(Array(#"{"credit":1,"departments":["a"]}"#.utf8)).credit == 1)
        #expect(try ReadyInfo.parse(Array(#"{"credit":1000,"departments":["a"]}"#.utf8)).credit == 1000)
        #expect(ReadyInfo.maxCredit == 1000)
    }

    /// Each error is 400 with a reason, and its message names the field (or value) that is wrong.
    @Test("errors name what is wrong", arguments: [
        (#"{"departments":["claims"]}"#, "bad-ready", "missing field 'credit'"),
        (#"{"credit":4}"#, "bad-ready", "missing field 'departments'"),
        (#"{"credit":"4","departments":["claims"]}"#, "bad-ready", "wrong type at 'credit'"),
        (#"{"credit":4,"departments":"claims"}"#, "bad-ready", "wrong type at 'departments'"),
        (#"{"credit":4,"departments":["claims",7]}"#, "bad-ready", "wrong type at 'departments.1'"),
        (#"{"credit":4,"departments":["claims"],"name":5}"#, "bad-ready", "wrong type at 'name'"),
        (#"{"credit":null,"departments":["claims"]}"#, "bad-ready", "'credit'"),
        (#"{departments: [claims]}"#, "bad-ready", "not valid JSON"),
        (#"["claims"]"#, "bad-ready", "not a JSON object"),
        ("", "bad-ready", "not valid JSON"),
        (#"{"credit":4,"departments":[]}"#, "bad-ready", "departments must list at least one"),
        (#"{"credit":4,"departments":["claims","Billing"]}"#, "bad-department", "'Billing'"),
        (#"{"credit":0,"departments":["claims"]}"#, "bad-credit", "credit must be 1 to 1000; got 0"),
        (#"{"credit":1001,"departments":["claims"]}"#, "bad-credit", "got 1001"),
        (#"{"credit":-3,"departments":["claims"]}"#, "bad-credit", "got -3"),
    ])
    func errors(json: String, reason: String, fragment: String) {
        do {
            let info = try ReadyInfo.parse(Array(json.utf8))
            Issue.record("parsed \(info)")
        } catch {
            #expect(error.status == .badRequest)
            #expect(error.reason == reason)
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }

    @Test("a name longer than 128 bytes is refused")
    func longName() {
        let json = #"{"credit":4,"departments":["claims"],"name":""# + String(repeating: "n", count: 129) + #""}"#
        #expect(throws: ProtocolError(.badRequest, "bad-ready", "READY: name is longer than 128 bytes")) {
            try ReadyInfo.parse(Array(json.utf8))
        }
        let ok = #"{"credit":4,"departments":["claims"],"name":""# + String(repeating: "n", count: 128) + #""}"#
        #expect(throws: Never.self) { try ReadyInfo.parse(Array(ok.utf8)) }
    }
}

@Suite("JSON coding")
struct JSONCodingTests {
    /// Every field set (its clocks stopped when it finished: no due time); `clock` has the one a clock adds while
    /// it runs.
    static let status = RequestStatus(
        ticket: "T-038FEASF7P000", requestID: "req/1", department: "claims", priority: .high, state: .deadLettered,
        attempts: 5, worker: "claims-bot-1", reason: "gave up", updates: 2, submittedAt: "2026-11-18T11:06:40.123Z",
        updatedAt: "2026-11-18T11:09:00.000Z", deadline: "2026-11-18T12:06:40.123Z",
        answeredAt: "2026-11-18T11:08:00.000Z", failure: "max_attempts", clocks: [
            SLAClockStatus(target: .firstResponse, targetMs: 120_000, usedMs: 139_877, remainingMs: -19_877,
                           state: .breached, dueAt: nil),
            SLAClockStatus(target: .answer, targetMs: 3_600_000, usedMs: 139_877, remainingMs: 3_460_123,
                           state: .met, dueAt: nil),
        ])

    /// A running clock: every field set.
    static let clock = SLAClockStatus(
        target: .update, targetMs: 3_600_000, usedMs: 1_800_000, remainingMs: 1_800_000, state: .running,
        dueAt: "2026-11-18T12:40:00.000Z")
    static let minimalClock = SLAClockStatus(
        target: .answer, targetMs: 2_000, usedMs: 2_000, remainingMs: 0, state: .paused, dueAt: nil)

    static let clockStates = SLAClockStatus.State.allCases
    static func isListed(_ state: SLAClockStatus.State) -> Bool { clockStates.contains(state) }

    static var event: EventRecord {
        var event = EventRecord(type: .requestTransferred, at: "2026-11-18T11:06:40.123Z", sequence: 7)
        event.ticket = "T-038FEASF7P000"
        event.requestId = "req-1"
        event.department = "eligibility"
        event.fromDepartment = "claims"
        event.priority = .urgent
        event.state = .queued
        event.attempt = 0
        event.worker = "claims-bot-1"
        event.reason = "coverage first"
        event.departments = ["claims"]
        event.credit = 3
        event.target = .firstResponse
        event.threshold = 75
        event.dueAt = "2026-11-18T11:21:40.123Z"
        return event
    }

    /// Every field set, in a transfer entry; then a minimal one: the order of entries is kept.
    static let historyEntry = RequestHistory.Entry(
        type: .requestTransferred, at: "2026-11-18T11:10:02.500Z", department: "eligibility",
        fromDepartment: "claims", state: .queued, attempt: 0, worker: "claims-bot-1", reason: "coverage/eligibility first")
    static let minimalHistoryEntry = RequestHistory.Entry(type: .requestSubmitted, at: "2026-11-18T11:06:40.123Z")
    static let history = RequestHistory(ticket: "T-038FEASF7P000", events: [minimalHistoryEntry, historyEntry])

    @Test("RequestHistory: snake_case keys, sorted (nested too), entries in order, nothing escaped, and back")
    func requestHistory() throws {
        let bytes = JSONCoding.encode(Self.history)
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"events":[{"at":"2026-11-18T11:06:40.123Z","#
            + #""type":"request.submitted"},{"at":"2026-11-18T11:10:02.500Z","attempt":0,"#
            + #""department":"eligibility","from_department":"claims","reason":"coverage/eligibility first","#
            + #""state":"queued","type":"request.transferred","worker":"claims-bot-1"}],"#
            + #""ticket":"T-038FEASF7P000"}"#)
        #expect(try JSONCoding.decode(RequestHistory.self, from: bytes) == Self.history)

        // Oldest first is the sender's order: decoding keeps it, it does not sort.
        let reversed = RequestHistory(ticket: Self.history.ticket, events: Self.history.events.reversed())
        #expect(try JSONCoding.decode(RequestHistory.self, from: JSONCoding.encode(reversed)).events
            == [Self.historyEntry, Self.minimalHistoryEntry])
    }

    @Test("RequestHistory: absent entry fields are omitted, not null; an unknown event type is refused")
    func requestHistoryOmitsNil() throws {
        let text = String(decoding: JSONCoding.encode(RequestHistory(ticket: "T-1", events: [Self.minimalHistoryEntry])),
                          as: UTF8.self)
        #expect(text == #"{"events":[{"at":"2026-11-18T11:06:40.123Z","type":"request.submitted"}],"ticket":"T-1"}"#)
        #expect(!text.contains("null"))
        #expect(throws: (any Error).self) {
            try JSONCoding.decode(RequestHistory.self, from: Array(#"{"events":[{"at":"x","type":"request.lost"}],"ticket":"T-1"}"#.utf8))
        }
        #expect(throws: (any Error).self) {
            try JSONCoding.decode(RequestHistory.self, from: Array(#"{"ticket":"T-1"}"#.utf8))
        }
    }

    @Test("RequestStatus: snake_case keys, sorted, nothing escaped, and back")
    func requestStatus() throws {
        let bytes = JSONCoding.encode(Self.status)
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"answered_at":"2026-11-18T11:08:00.000Z","attempts":5,"#
            + #""clocks":[{"remaining_ms":-19877,"state":"breached","target":"first_response","target_ms":120000,"#
            + #""used_ms":139877},{"remaining_ms":3460123,"state":"met","target":"answer","target_ms":3600000,"#
            + #""used_ms":139877}],"#
            + #""deadline":"2026-11-18T12:06:40.123Z","department":"claims","failure":"max_attempts","priority":"high","reason":"gave up","#
            + #""request_id":"req/1","state":"dead_lettered","submitted_at":"2026-11-18T11:06:40.123Z","#
            + #""ticket":"T-038FEASF7P000","updated_at":"2026-11-18T11:09:00.000Z","updates":2,"#
            + #""worker":"claims-bot-1"}"#)
        #expect(try JSONCoding.decode(RequestStatus.self, from: bytes) == Self.status)
    }

    @Test("SLAClockStatus: snake_case keys, sorted, a negative remaining_ms, and back")
    func clockStatus() throws {
        #expect(String(decoding: JSONCoding.encode(Self.clock), as: UTF8.self)
            == #"{"due_at":"2026-11-18T12:40:00.000Z","remaining_ms":1800000,"state":"running","target":"update","#
            + #""target_ms":3600000,"used_ms":1800000}"#)
        #expect(try JSONCoding.decode(SLAClockStatus.self, from: JSONCoding.encode(Self.clock)) == Self.clock)
        let overdue = Array(#"{"due_at":"2026-11-18T11:06:42.123Z","remaining_ms":-1000,"state":"breached","#
            .utf8) + Array(#""target":"first_response","target_ms":2000,"used_ms":3000}"#.utf8)
        #expect(try JSONCoding.decode(SLAClockStatus.self, from: overdue) == SLAClockStatus(
            target: .firstResponse, targetMs: 2000, usedMs: 3000, remainingMs: -1000, state: .breached,
            dueAt: "2026-11-18T11:06:42.123Z"))
        #expect(JSONCoding.encode(try JSONCoding.decode(SLAClockStatus.self, from: overdue)) == overdue)
        // Unknown targets and states are refused, not guessed at.
        #expect(throws: (any Error).self) {
            try JSONCoding.decode(SLAClockStatus.self, from: Array(
                #"{"remaining_ms":0,"state":"running","target":"resolution","target_ms":1,"used_ms":1}"#.utf8))
        }
        #expect(throws: (any Error).self) {
            try JSONCoding.decode(SLAClockStatus.self, from: Array(
                #"{"remaining_ms":0,"state":"late","target":"answer","target_ms":1,"used_ms":1}"#.utf8))
        }
    }

    @Test("absent optional fields are omitted, not null")
    func omitsNil() throws {
        var status = Self.status
        status.worker = nil
        status.reason = nil
        status.deadline = nil
        status.answeredAt = nil
        status.clocks = nil
        let text = String(decoding: JSONCoding.encode(status), as: UTF8.self)
        #expect(!text.contains("null"))
        #expect(!text.contains("worker") && !text.contains("answered_at") && !text.contains("deadline"))
        #expect(!text.contains("clocks"))
        #expect(!String(decoding: JSONCoding.encode(Self.minimalClock), as: UTF8.self).contains("due_at"))
        #expect(try JSONCoding.decode(RequestStatus.self, from: Array(text.utf8)) == status)

        let minimal = String(decoding: JSONCoding.encode(EventRecord(type: .workerJoined, at: "x", sequence: 1)),
                             as: UTF8.self)
        #expect(minimal == #"{"at":"x","sequence":1,"type":"worker.joined"}"#)
    }

    @Test("EventRecord: snake_case keys and back")
    func eventRecord() throws {
        let bytes = JSONCoding.encode(Self.event)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text == #"{"at":"2026-11-18T11:06:40.123Z","attempt":0,"credit":3,"department":"eligibility","#
            + #""departments":["claims"],"due_at":"2026-11-18T11:21:40.123Z","from_department":"claims","#
            + #""priority":"urgent","reason":"coverage first","#
            + #""request_id":"req-1","sequence":7,"state":"queued","target":"first_response","threshold":75,"#
            + #""ticket":"T-038FEASF7P000","type":"request.transferred","worker":"claims-bot-1"}"#)
        #expect(try JSONCoding.decode(EventRecord.self, from: bytes) == Self.event)
    }

    @Test("RequestState: waiting_on_agent is a state of its own, not final; the final states are the three")
    func requestStates() throws {
        #expect(RequestState.waitingOnAgent.rawValue == "waiting_on_agent")
        #expect(!RequestState.waitingOnAgent.isFinal)
        #expect(Set(RequestState.allCases.filter(\.isFinal)) == [.answered, .cancelled, .deadLettered])
        #expect(try JSONCoding.decode(RequestState.self, from: Array(#""waiting_on_agent""#.utf8)) == .waitingOnAgent)
        #expect(JSONCoding.encode(RequestState.waitingOnAgent) == Array(#""waiting_on_agent""#.utf8))
        #expect(throws: (any Error).self) {
            try JSONCoding.decode(RequestState.self, from: Array(#""waitingOnAgent""#.utf8))
        }
        #expect(EventType.requestWaitingOnAgent.topic == Array("request.waiting_on_agent".utf8))
        #expect(EventType.requestInfoReceived.topic == Array("request.info_received".utf8))
    }

    @Test("ErrorDetail from a ProtocolError")
    func errorDetail() throws {
        let error = ProtocolError(.payloadTooLarge, "body-too-large", "SUBMIT: body is 9 bytes; the limit is 8")
        let detail = ErrorDetail(error)
        #expect(String(decoding: JSONCoding.encode(detail), as: UTF8.self)
            == #"{"error":"body-too-large","message":"SUBMIT: body is 9 bytes; the limit is 8","status":413}"#)
        let full = ErrorDetail(status: .notFound, error: "unknown-ticket", message: "m", ticket: "T-1", requestID: "r")
        #expect(String(decoding: JSONCoding.encode(full), as: UTF8.self)
            == #"{"error":"unknown-ticket","message":"m","request_id":"r","status":404,"ticket":"T-1"}"#)
        #expect(try JSONCoding.decode(ErrorDetail.self, from: JSONCoding.encode(full)) == full)
    }
}

/// The JSON Schema files and the Swift types must describe the same fields: a field added to one and not the
/// other fails here.
@Suite("JSON Schema files match the types")
struct SchemaFileTests {
    @Test("ready.schema.json ↔ ReadyInfo")
    func ready() throws {
        try check("ready.schema.json", full: ReadyInfo(departments: ["a"], credit: 1, name: "n"),
                  minimal: ReadyInfo(departments: ["a"], credit: 1))
    }

    @Test("error.schema.json ↔ ErrorDetail")
    func error() throws {
        try check("error.schema.json",
                  full: ErrorDetail(status: .notFound, error: "e", message: "m", ticket: "t", requestID: "r"),
                  minimal: ErrorDetail(status: .notFound, error: "e", message: "m"))
    }

    @Test("status.schema.json ↔ RequestStatus")
    func status() throws {
        var minimal = JSONCodingTests.status
        minimal.worker = nil
        minimal.reason = nil
        minimal.deadline = nil
        minimal.answeredAt = nil
        minimal.failure = nil
        minimal.clocks = nil
        try check("status.schema.json", full: JSONCodingTests.status, minimal: minimal)
        let schema = try GoldenVectors.schema("status.schema.json")
        #expect(try enumValues(schema, "state") == Set(RequestState.allCases.map(\.rawValue)))
        #expect(try enumValues(schema, "$defs", "priority") == Set(Priority.allCases.map(\.rawValue)))
        #expect(try enumValues(schema, "failure") == ["rejected", "max_attempts", "no_department"])
    }

    @Test("status.schema.json clocks ↔ SLAClockStatus, its targets and states")
    func statusClocks() throws {
        try check("status.schema.json", full: JSONCodingTests.clock, minimal: JSONCodingTests.minimalClock,
                  at: "$defs", "clock")
        let schema = try GoldenVectors.schema("status.schema.json")
        let clocks = try #require((schema["properties"] as? [String: Any])?["clocks"] as? [String: Any])
        #expect(clocks["type"] as? String == "array")
        #expect((clocks["items"] as? [String: Any])?["$ref"] as? String == "#/$defs/clock")
        // One clock per target at most, and the answer clock always.
        #expect(clocks["minItems"] as? Int == 1)
        #expect(clocks["maxItems"] as? Int == SLATarget.allCases.count)

        let targets = try enumValues(schema, "$defs", "clock", "properties", "target")
        #expect(targets == Set(SLATarget.allCases.map(\.rawValue)))
        #expect(try enumValues(GoldenVectors.schema("event.schema.json"), "target") == targets)
        let states = try enumValues(schema, "$defs", "clock", "properties", "state")
        #expect(states == Set(JSONCodingTests.clockStates.map(\.rawValue)))
        for state in states {
            let decoded = try? JSONCoding.decode(SLAClockStatus.State.self, from: Array("\"\(state)\"".utf8))
            #expect(decoded.map(JSONCodingTests.isListed) == true, "state \(state) of the schema")
        }
    }

    @Test("history.schema.json ↔ RequestHistory and its entries; enums agree with event.schema.json")
    func history() throws {
        try check("history.schema.json", full: JSONCodingTests.history,
                  minimal: RequestHistory(ticket: "T-1", events: [JSONCodingTests.minimalHistoryEntry]))
        try check("history.schema.json", full: JSONCodingTests.historyEntry,
                  minimal: JSONCodingTests.minimalHistoryEntry, at: "$defs", "entry")
        let schema = try GoldenVectors.schema("history.schema.json")
        let events = try #require((schema["properties"] as? [String: Any])?["events"] as? [String: Any])
        #expect(events["type"] as? String == "array")
        #expect((events["items"] as? [String: Any])?["$ref"] as? String == "#/$defs/entry")

        // A ticket's history holds request events only; those are exactly the request types of event.schema.json.
        let requestTypes = Set(EventType.allCases.map(\.rawValue).filter { $0.hasPrefix("request.") })
        let eventSchema = try GoldenVectors.schema("event.schema.json")
        #expect(try enumValues(schema, "$defs", "entry", "properties", "type") == requestTypes)
        #expect(try enumValues(eventSchema, "type").filter { $0.hasPrefix("request.") } == requestTypes)
        #expect(try enumValues(schema, "$defs", "entry", "properties", "state")
            == Set(RequestState.allCases.map(\.rawValue)))
        #expect(try enumValues(schema, "$defs", "entry", "properties", "state") == enumValues(eventSchema, "state"))
    }

    @Test("event.schema.json ↔ EventRecord, and its type enum lists every EventType")
    func event() throws {
        try check("event.schema.json", full: JSONCodingTests.event,
                  minimal: EventRecord(type: .workerLost, at: "2026-11-18T11:06:40.123Z", sequence: 0))
        let schema = try GoldenVectors.schema("event.schema.json")
        #expect(try enumValues(schema, "type") == Set(EventType.allCases.map(\.rawValue)))
        #expect(try enumValues(schema, "state") == Set(RequestState.allCases.map(\.rawValue)))
        #expect(try enumValues(schema, "priority") == Set(Priority.allCases.map(\.rawValue)))
        #expect(try enumValues(schema, "target") == Set(SLATarget.allCases.map(\.rawValue)))
    }

    /// PROTOCOL.md §13 has a row per event type, §8.1 a row per clock and §8 a row per state (saying whether it
    /// is final): a type, clock or state added to the code and not to the document (or the other way round)
    /// fails here.
    @Test("PROTOCOL.md lists every event type, every clock and every state")
    func protocolDocument() throws {
        /// The first cell of each table row that starts with a code span: `| `request.submitted` | ...`.
        func rows(_ lines: [Substring]) -> Set<String> {
            Set(lines.compactMap { line -> String? in
                guard line.hasPrefix("| `") else { return nil }
                return line.dropFirst(3).prefix { $0 != "`" }.description
            })
        }
        let events = try ProtocolDocument.section("## 13. ")
        #expect(rows(events).filter { $0.contains(".") } == Set(EventType.allCases.map(\.rawValue)))
        // The SLA fields table of §13.
        #expect(rows(events).filter { !$0.contains(".") } == Set(["target", "threshold", "due_at"]))
        #expect(rows(try ProtocolDocument.section("### 8.1. Service levels")) == Set(SLATarget.allCases.map(\.rawValue)))

        // §8: | `waiting_on_agent` | meaning | no |
        let states = ProtocolDocument.rows(try ProtocolDocument.section("## 8. Request lifecycle"))
            .filter { $0.first?.hasPrefix("`") == true }
            .map { ($0[0].trimmingCharacters(in: ["`"]), $0.last == "yes") }
        #expect(states.map(\.0).sorted() == RequestState.allCases.map(\.rawValue).sorted())
        for (name, final) in states {
            #expect(RequestState(rawValue: name)?.isFinal == final, "\(name) in PROTOCOL.md §8")
        }
    }

    static let schemaFiles = [
        "ready.schema.json", "error.schema.json", "status.schema.json", "event.schema.json", "history.schema.json",
    ]

    @Test("every schema file in schemas/ is checked here")
    func everySchemaListed() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: GoldenVectors.schemas.path)
        #expect(Set(names.filter { $0.hasSuffix(".schema.json") }) == Set(Self.schemaFiles))
    }

    @Test("every schema is draft 2020-12, closed, and describes every field", arguments: schemaFiles)
    func wellFormed(file: String) throws {
        let schema = try GoldenVectors.schema(file)
        #expect(schema["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        #expect(schema["$id"] as? String == "urn:switchboard:schema:\(file.replacingOccurrences(of: ".schema.json", with: "")):v1")
        #expect(schema["description"] is String)
        try checkObject(schema, "\(file)")
        // Nested object schemas (a HISTORY entry) are closed and described too.
        for (name, definition) in schema["$defs"] as? [String: [String: Any]] ?? [:] where definition["properties"] != nil {
            #expect(definition["description"] is String, "\(file): $defs/\(name) has no description")
            try checkObject(definition, "\(file): $defs/\(name)")
        }
    }

    private func checkObject(_ schema: [String: Any], _ name: String) throws {
        #expect(schema["type"] as? String == "object", "\(name)")
        #expect(schema["additionalProperties"] as? Bool == false, "\(name)")
        let properties = try #require(schema["properties"] as? [String: [String: Any]])
        for (field, property) in properties {
            #expect((property["description"] as? String)?.isEmpty == false, "\(name): \(field) has no description")
        }
        let required = try #require(schema["required"] as? [String])
        #expect(Set(required).isSubset(of: properties.keys), "\(name): required names unknown fields")
    }

    /// The keys of the fully populated value are the schema's properties; those of the minimal one its required.
    /// `path` leads from the file's root to a nested object schema (`"$defs", "entry"`).
    private func check<T: Encodable>(_ file: String, full: T, minimal: T, at path: String...) throws {
        var schema = try GoldenVectors.schema(file)
        for key in path {
            schema = try #require(schema[key] as? [String: Any], "\(file): \(path)")
        }
        let properties = try #require(schema["properties"] as? [String: Any])
        let required = try #require(schema["required"] as? [String])
        #expect(try keys(full) == Set(properties.keys), "\(file): properties")
        #expect(try keys(minimal) == Set(required), "\(file): required")
    }

    private func keys<T: Encodable>(_ value: T) throws -> Set<String> {
        let object = try JSONSerialization.jsonObject(with: Data(JSONCoding.encode(value)))
        return Set(try #require(object as? [String: Any]).keys)
    }

    private func enumValues(_ schema: [String: Any], _ path: String...) throws -> Set<String> {
        var node: [String: Any] = schema
        if path.first != "$defs" { node = try #require(node["properties"] as? [String: Any]) }
        for key in path {
            node = try #require(node[key] as? [String: Any], "\(path)")
        }
        return Set(try #require(node["enum"] as? [String]))
    }
}
