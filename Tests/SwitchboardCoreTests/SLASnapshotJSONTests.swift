import SwitchboardSchema
import Testing

@testable import SwitchboardCore

@Suite("SLA snapshot JSON")
struct SLASnapshotJSONTests {
    static let snapshots: [SLASnapshot] = [
        SLASnapshot(
            targets: ["answer": 14_400_000, "first_response": 900_000], warnings: [0.5, 0.75], calendar: nil,
            escalation: "notify", escalationDepartment: nil,
            clocks: [
                .init(target: .firstResponse, budgetMs: 900_000, usedMs: 0, runningSince: 1_780_000_000_000, passed: 0, outcome: nil, stopped: false),
                .init(target: .answer, budgetMs: 14_400_000, usedMs: 12, runningSince: nil, passed: 2, outcome: "breached", stopped: true),
            ]),
        SLASnapshot(
            targets: ["answer": 1000], warnings: [1, 0.9], calendar: .init(
                timeZone: "America/New_York", weekly: ["1": [[540, 1020]], "5": [[540, 720], [780, 1020]]],
                holidays: ["2026-12-25", "2026-01-01"]),
            escalation: "transfer", escalationDepartment: "claims-\"escalations\"\\/x", clocks: []),
    ]

    @Test("the hand-written JSON is byte for byte what JSONCoding writes, and reads back", arguments: snapshots)
    func sameAsEncoder(snapshot: SLASnapshot) throws {
        #expect(snapshot.jsonText == String(decoding: JSONCoding.encode(snapshot), as: UTF8.self))
        #expect(try SLASnapshot.decode(json: Array(snapshot.jsonText.utf8)) == snapshot)
        // The fast reader and JSONDecoder agree (the second snapshot has escapes: the fast reader gives up).
        if let fast = SLASnapshot.fastDecode(Array(snapshot.jsonText.utf8)) { #expect(fast == snapshot) }
    }
}

@Suite("SLA snapshot fast reader")
struct SLASnapshotFastReaderTests {
    @Test("the fast reader reads a plain snapshot, and gives up on what it does not expect")
    func fastReader() {
        let plain = SLASnapshotJSONTests.snapshots[0]
        #expect(SLASnapshot.fastDecode(Array(plain.jsonText.utf8)) == plain)
        for broken in ["", "{", "{\"targets\":{}}", "[1,2]", "{\"targets\":{\"answer\":1.5},\"warnings\":[],\"escalation\":\"notify\",\"clocks\":[]}"] {
            #expect(SLASnapshot.fastDecode(Array(broken.utf8)) == nil, "\(broken)")
        }
    }
}
