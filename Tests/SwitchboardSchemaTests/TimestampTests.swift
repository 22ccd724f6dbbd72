import SwitchboardSchema
import Testing

@Suite("Timestamps")
struct TimestampTests {
    @Test("RFC 3339 in UTC with milliseconds", arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (7, "1970-01-01T00:00:00.007Z"),
        (1_795_000_000_123, "2026-11-18T11:06:40.123Z"),
        (951_782_400_999, "2000-02-29T00:00:00.999Z"),
        (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (-1000, "1969-12-31T23:59:59.000Z"),
        (-1001, "1969-12-31T23:59:58.999Z"),
        (-86_400_000, "1969-12-31T00:00:00.000Z"),
    ])
    func iso8601(milliseconds: Int64, text: String) {
        #expect(Timestamp(milliseconds: milliseconds).iso8601 == text)
        #expect(Timestamp(milliseconds: milliseconds).description == text)
    }

    @Test("arithmetic with durations, in whole milliseconds")
    func arithmetic() {
        let start = Timestamp(milliseconds: 1_000)
        #expect(start + .milliseconds(2500) == Timestamp(milliseconds: 3_500))
        #expect(start + .seconds(-1.5) == Timestamp(milliseconds: -500))
        #expect(Timestamp(milliseconds: 3_500) - start == .milliseconds(2500))
        #expect(start < Timestamp(milliseconds: 1_001))
        #expect(Duration.seconds(-1.5).milliseconds == -1500)
        #expect(Duration.microseconds(2_999).milliseconds == 2)
        #expect(Duration.microseconds(-2_999).milliseconds == -2)
    }

    @Test("now is the wall clock, not zero")
    func now() {
        // 2020-01-01: any machine running this is past it.
        #expect(Timestamp.now() > Timestamp(milliseconds: 1_577_836_800_000))
    }
}
