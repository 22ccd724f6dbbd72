import Foundation
import SwitchboardSchema
import Testing

@testable import SwitchboardCore

@Suite("BusinessCalendar")
struct BusinessCalendarTests {
    typealias Interval = BusinessCalendar.Interval

    static let nineToFive = [Interval(start: 9 * 60, end: 17 * 60)]

    /// Monday to Friday, 09:00-17:00.
    static func weekdays(_ zone: String, holidays: Set<String> = []) -> BusinessCalendar {
        BusinessCalendar(
            timeZone: zone, weekly: [1: nineToFive, 2: nineToFive, 3: nineToFive, 4: nineToFive, 5: nineToFive],
            holidays: holidays)
    }

    /// Open only on Sundays, in New York, during these hours.
    static func sundays(_ text: String) -> BusinessCalendar {
        BusinessCalendar(timeZone: "America/New_York", weekly: [7: BusinessCalendar.parseIntervals(text)!])
    }

    // MARK: - Weekends, holidays, closed time, boundaries

    @Test("a 4-hour target from Friday 15:00 in Chicago falls due Monday 11:00")
    func fridayAfternoonOverTheWeekend() {
        let calendar = Self.weekdays("America/Chicago")
        let friday = at("2026-01-09T21:00:00Z")  // Friday 15:00 CST
        let due = calendar.advance(friday, by: .seconds(4 * 3600))
        #expect(due == at("2026-01-12T17:00:00Z"))  // Monday 11:00 CST
        #expect(calendar.openTime(from: friday, to: due) == .seconds(4 * 3600))
        // Two hours run out at Friday's closing, not at Monday's opening.
        #expect(calendar.advance(friday, by: .seconds(2 * 3600)) == at("2026-01-09T23:00:00Z"))
        // Milliseconds carry through.
        #expect(calendar.advance(friday + .milliseconds(123), by: .seconds(4 * 3600)) == at("2026-01-12T17:00:00.123Z"))
        #expect(calendar.openTime(from: friday, to: at("2026-01-12T15:00:00Z")) == .seconds(2 * 3600))
    }

    @Test("a holiday is skipped: Monday closed, the target moves to Tuesday")
    func holidaySkipped() {
        let plain = Self.weekdays("America/Chicago")
        let withHoliday = Self.weekdays("America/Chicago", holidays: ["2026-01-19"])
        let friday = at("2026-01-16T21:00:00Z")  // Friday 15:00 CST
        #expect(plain.advance(friday, by: .seconds(4 * 3600)) == at("2026-01-19T17:00:00Z"))  // Monday 11:00
        #expect(withHoliday.advance(friday, by: .seconds(4 * 3600)) == at("2026-01-20T17:00:00Z"))  // Tuesday 11:00
        #expect(!withHoliday.isOpen(at: at("2026-01-19T17:00:00Z")))
        #expect(withHoliday.isOpen(at: at("2026-01-20T17:00:00Z")))
        #expect(withHoliday.openTime(from: friday, to: at("2026-01-21T00:00:00Z")) == .seconds(10 * 3600))
        // Starting on the holiday itself waits for Tuesday's opening.
        #expect(withHoliday.advance(at("2026-01-19T16:00:00Z"), by: .seconds(60)) == at("2026-01-20T15:01:00Z"))
    }

    @Test("a start in closed time waits for the next opening")
    func startInsideClosedTime() {
        let calendar = Self.weekdays("America/Chicago")
        let saturday = at("2026-01-10T18:00:00Z")  // Saturday 12:00 CST
        #expect(calendar.advance(saturday, by: .seconds(3600)) == at("2026-01-12T16:00:00Z"))  // Monday 10:00
        #expect(calendar.openTime(from: saturday, to: at("2026-01-12T15:00:00Z")) == .zero)
        #expect(!calendar.isOpen(at: saturday))
        let beforeOpening = at("2026-01-13T12:00:00Z")  // Tuesday 06:00
        #expect(calendar.advance(beforeOpening, by: .seconds(3600)) == at("2026-01-13T16:00:00Z"))
        let afterClosing = at("2026-01-14T02:00:00Z")  // Tuesday 20:00
        #expect(calendar.advance(afterClosing, by: .seconds(3600)) == at("2026-01-14T16:00:00Z"))  // Wednesday 10:00
    }

    @Test("starts exactly at opening and at closing; intervals include their start, not their end")
    func boundaries() {
        let calendar = Self.weekdays("America/Chicago")
        let opening = at("2026-01-12T15:00:00Z")  // Monday 09:00 CST
        let closing = at("2026-01-12T23:00:00Z")  // Monday 17:00 CST
        #expect(calendar.advance(opening, by: .seconds(8 * 3600)) == closing)
        #expect(calendar.advance(closing, by: .milliseconds(1)) == at("2026-01-13T15:00:00.001Z"))
        #expect(calendar.advance(closing, by: .zero) == closing)
        #expect(calendar.advance(closing, by: .seconds(-5)) == closing)
        #expect(calendar.advance(opening + .milliseconds(-1), by: .milliseconds(1)) == at("2026-01-12T15:00:00.001Z"))
        #expect(calendar.openTime(from: opening, to: closing) == .seconds(8 * 3600))
        #expect(calendar.openTime(from: closing, to: opening) == .zero)
        #expect(calendar.isOpen(at: opening))
        #expect(!calendar.isOpen(at: opening + .milliseconds(-1)))
        #expect(calendar.isOpen(at: closing + .milliseconds(-1)))
        #expect(!calendar.isOpen(at: closing))
    }

    @Test("intervals reaching 24:00 continue into the next day's 00:00")
    func intervalsAcrossMidnight() {
        let calendar = BusinessCalendar(
            timeZone: "America/Chicago",
            weekly: [5: [Interval(start: 22 * 60, end: 1440)], 6: [Interval(start: 0, end: 2 * 60)]]
        )
        let friday = at("2026-01-10T05:00:00Z")  // Friday 23:00 CST
        #expect(calendar.advance(friday, by: .seconds(2 * 3600)) == at("2026-01-10T07:00:00Z"))  // Saturday 01:00
        #expect(calendar.advance(friday, by: .seconds(3 * 3600)) == at("2026-01-10T08:00:00Z"))  // Saturday 02:00
        #expect(calendar.advance(friday, by: .seconds(3 * 3600) + .milliseconds(1)) == at("2026-01-17T04:00:00.001Z"))
        #expect(calendar.isOpen(at: at("2026-01-10T06:00:00Z")))  // Saturday 00:00
        #expect(!calendar.isOpen(at: at("2026-01-10T08:00:00Z")))  // Saturday 02:00
        #expect(
            calendar.openTime(from: at("2026-01-09T06:00:00Z"), to: at("2026-01-16T06:00:00Z")) == .seconds(4 * 3600))
    }

    @Test("a lunch break splits the day")
    func splitDay() {
        let hours = BusinessCalendar.parseIntervals("9:00-12:30,13:30-17:00")!
        let calendar = BusinessCalendar(timeZone: "America/Chicago", weekly: [1: hours])
        let monday = at("2026-01-12T17:00:00Z")  // Monday 11:00 CST
        #expect(calendar.advance(monday, by: .seconds(2 * 3600)) == at("2026-01-12T20:00:00Z"))  // 14:00
        #expect(calendar.advance(monday, by: .seconds(90 * 60)) == at("2026-01-12T18:30:00Z"))  // 12:30, the break
        #expect(!calendar.isOpen(at: at("2026-01-12T18:30:00Z")))
        #expect(calendar.openTime(from: monday, to: at("2026-01-13T00:00:00Z")) == .seconds(5 * 3600))
    }

    @Test("many weeks: 40, 400 and 2000 business hours, with holidays and a DST change on the way")
    func manyWeeks() {
        let monday = at("2026-01-05T15:00:00Z")  // Monday 09:00 CST
        let plain = Self.weekdays("America/Chicago")
        #expect(plain.advance(monday, by: .seconds(40 * 3600)) == at("2026-01-09T23:00:00Z"))  // Friday 17:00 CST
        #expect(plain.advance(monday, by: .seconds(400 * 3600)) == at("2026-03-13T22:00:00Z"))  // Friday 17:00 CDT
        #expect(plain.advance(monday, by: .seconds(2000 * 3600)) == at("2026-12-18T23:00:00Z"))  // Friday 17:00 CST
        // Five weekday holidays before December 18 push it five business days on, over Christmas (a Friday).
        let holidays: Set<String> = [
            "2026-05-25", "2026-07-03", "2026-09-07", "2026-11-26", "2026-11-27", "2026-12-25",
        ]
        let calendar = Self.weekdays("America/Chicago", holidays: holidays)
        let due = calendar.advance(monday, by: .seconds(2000 * 3600))
        #expect(due == at("2026-12-28T23:00:00Z"))  // Monday 17:00 CST
        #expect(calendar.openTime(from: monday, to: due) == .seconds(2000 * 3600))
        #expect(calendar.openTime(from: monday, to: at("2027-01-04T15:00:00Z")) == .seconds((52 * 40 - 6 * 8) * 3600))
    }

    // MARK: - Daylight saving (America/New_York)

    @Test("spring forward, 2026-03-08: 01:00-05:00 is open 3 hours, 06:00Z-09:00Z")
    func springForward() {
        let calendar = Self.sundays("01:00-05:00")
        let opening = at("2026-03-08T06:00:00Z")  // 01:00 EST
        #expect(calendar.advance(opening, by: .seconds(3600)) == at("2026-03-08T07:00:00Z"))  // 03:00 EDT
        #expect(calendar.advance(opening, by: .seconds(2 * 3600)) == at("2026-03-08T08:00:00Z"))
        #expect(calendar.advance(opening, by: .seconds(3 * 3600)) == at("2026-03-08T09:00:00Z"))  // 05:00 EDT
        #expect(calendar.advance(opening, by: .seconds(3 * 3600) + .milliseconds(1)) == at("2026-03-15T05:00:00.001Z"))
        #expect(
            calendar.openTime(from: at("2026-03-08T05:00:00Z"), to: at("2026-03-09T04:00:00Z")) == .seconds(3 * 3600))
        #expect(calendar.isOpen(at: at("2026-03-08T06:59:59.999Z")))
        #expect(calendar.isOpen(at: at("2026-03-08T07:00:00Z")))
        #expect(!calendar.isOpen(at: at("2026-03-08T09:00:00Z")))
        // At the transition instant itself the new offset holds: 07:00Z is 03:00 EDT, not 02:00 EST.
        #expect(Self.sundays("03:00-04:00").isOpen(at: at("2026-03-08T07:00:00Z")))
        #expect(!Self.sundays("03:00-04:00").isOpen(at: at("2026-03-08T06:59:59.999Z")))
        // The Sunday before (EST) is open 4 hours, 06:00Z-10:00Z; five hours run into March 8.
        #expect(calendar.advance(at("2026-03-01T06:00:00Z"), by: .seconds(5 * 3600)) == at("2026-03-08T07:00:00Z"))
        // Hours inside the skipped hour never happen; hours reaching past it open at 03:00 EDT.
        let skipped = Self.sundays("02:00-02:30")
        #expect(skipped.openTime(from: at("2026-03-08T05:00:00Z"), to: at("2026-03-09T04:00:00Z")) == .zero)
        #expect(skipped.advance(at("2026-03-08T05:00:00Z"), by: .seconds(60)) == at("2026-03-15T06:01:00Z"))
        let straddling = Self.sundays("02:30-04:00")
        #expect(straddling.openTime(from: at("2026-03-08T05:00:00Z"), to: at("2026-03-09T04:00:00Z")) == .seconds(3600))
        #expect(straddling.advance(at("2026-03-08T05:00:00Z"), by: .seconds(1800)) == at("2026-03-08T07:30:00Z"))
    }

    @Test("fall back, 2026-11-01: 01:00-05:00 is open 5 hours, 05:00Z-10:00Z; the repeated hour counts twice")
    func fallBack() {
        let calendar = Self.sundays("01:00-05:00")
        let opening = at("2026-11-01T05:00:00Z")  // 01:00 EDT
        #expect(calendar.advance(opening, by: .seconds(3600)) == at("2026-11-01T06:00:00Z"))  // 01:00 EST
        #expect(calendar.isOpen(at: at("2026-11-01T06:30:00Z")))  // 01:30 EST, the second time
        #expect(calendar.advance(opening, by: .seconds(5 * 3600)) == at("2026-11-01T10:00:00Z"))  // 05:00 EST
        #expect(calendar.advance(opening, by: .seconds(5 * 3600) + .milliseconds(1)) == at("2026-11-08T06:00:00.001Z"))
        #expect(
            calendar.openTime(from: at("2026-11-01T04:00:00Z"), to: at("2026-11-02T05:00:00Z")) == .seconds(5 * 3600))
        #expect(!calendar.isOpen(at: at("2026-11-01T10:00:00Z")))
        // The Sunday before (EDT) is open 4 hours, 05:00Z-09:00Z; six hours run to 02:00 EST on November 1.
        #expect(calendar.advance(at("2026-10-25T05:00:00Z"), by: .seconds(6 * 3600)) == at("2026-11-01T07:00:00Z"))
        // 01:00-01:30 happens twice: 05:00Z-05:30Z (EDT) and 06:00Z-06:30Z (EST).
        let repeated = Self.sundays("01:00-01:30")
        #expect(repeated.openTime(from: at("2026-11-01T04:00:00Z"), to: at("2026-11-02T05:00:00Z")) == .seconds(3600))
        #expect(repeated.advance(opening, by: .seconds(45 * 60)) == at("2026-11-01T06:15:00Z"))
        #expect(!repeated.isOpen(at: at("2026-11-01T05:45:00Z")))
        #expect(repeated.isOpen(at: at("2026-11-01T06:15:00Z")))
        #expect(repeated.isOpen(at: at("2026-11-01T06:00:00Z")))  // the transition instant: 01:00 EST
    }

    @Test("weekday hours over both DST weekends keep 09:00 and 17:00 local")
    func weekdaysAcrossDST() {
        let calendar = Self.weekdays("America/New_York")
        // Friday 15:00 EST + 4 h = Monday 11:00 EDT.
        #expect(calendar.advance(at("2026-03-06T20:00:00Z"), by: .seconds(4 * 3600)) == at("2026-03-09T15:00:00Z"))
        // Friday 15:00 EDT + 4 h = Monday 11:00 EST.
        #expect(calendar.advance(at("2026-10-30T19:00:00Z"), by: .seconds(4 * 3600)) == at("2026-11-02T16:00:00Z"))
    }

    @Test("open around the clock, but not `always` (a holiday): the DST days last 23 and 25 hours")
    func twentyFourSevenInNewYork() {
        let wholeWeek = Dictionary(uniqueKeysWithValues: (1...7).map { ($0, [Interval.wholeDay]) })
        let calendar = BusinessCalendar(timeZone: "America/New_York", weekly: wholeWeek, holidays: ["2030-01-01"])
        #expect(!calendar.isAlways)
        #expect(
            calendar.openTime(from: at("2026-03-08T05:00:00Z"), to: at("2026-03-09T04:00:00Z")) == .seconds(23 * 3600))
        #expect(
            calendar.openTime(from: at("2026-11-01T04:00:00Z"), to: at("2026-11-02T05:00:00Z")) == .seconds(25 * 3600))
        #expect(calendar.advance(at("2026-03-08T05:00:00Z"), by: .seconds(30 * 3600)) == at("2026-03-09T11:00:00Z"))
        #expect(
            calendar.openTime(from: at("2029-12-31T05:00:00Z"), to: at("2030-01-02T05:00:00Z")) == .seconds(24 * 3600))
        // Two hours before the holiday (New Year's Day, local), the third after it.
        #expect(calendar.advance(at("2030-01-01T03:00:00Z"), by: .seconds(3 * 3600)) == at("2030-01-02T06:00:00Z"))
    }

    // MARK: - 24x7 and never open

    @Test("24x7: open time is elapsed time")
    func always() {
        let calendar = BusinessCalendar.always
        #expect(calendar.isAlways)
        let start = at("2026-03-08T06:59:59.999Z")
        #expect(calendar.advance(start, by: .milliseconds(123_456_789)) == start + .milliseconds(123_456_789))
        #expect(calendar.openTime(from: start, to: start + .seconds(86_400 * 400)) == .seconds(86_400 * 400))
        #expect(calendar.isOpen(at: start))
        #expect(calendar.validate() == [])
        // Touching halves merge into the whole day, whatever the zone.
        let halves = BusinessCalendar.parseIntervals("00:00-12:00,12:00-24:00")!
        let merged = BusinessCalendar(
            timeZone: "America/New_York", weekly: Dictionary(uniqueKeysWithValues: (1...7).map { ($0, halves) }))
        #expect(merged.isAlways)
        #expect(!Self.weekdays("UTC").isAlways)
    }

    @Test("never open: validate() says so; advance returns farFuture; no open time")
    func neverOpen() {
        let calendar = BusinessCalendar(timeZone: "America/Chicago", weekly: [1: [], 3: []])
        #expect(calendar.validate() == ["the calendar is never open: no weekday has an open interval"])
        let start = at("2026-01-12T15:00:00Z")
        #expect(calendar.advance(start, by: .seconds(1)) == BusinessCalendar.farFuture)
        #expect(calendar.advance(start, by: .zero) == start)
        #expect(calendar.openTime(from: start, to: start + .seconds(86_400 * 365)) == .zero)
        #expect(!calendar.isOpen(at: start))
    }

    @Test("the search stops after ten years: more open time than that returns farFuture")
    func searchHorizon() {
        let calendar = Self.weekdays("America/Chicago")
        let monday = at("2026-01-05T15:00:00Z")
        // Three years of 52 working weeks: finite, and exact.
        let threeYears = calendar.advance(monday, by: .seconds(3 * 52 * 40 * 3600))
        #expect(threeYears == at("2028-12-29T23:00:00Z"))  // Friday 17:00 CST
        #expect(calendar.openTime(from: monday, to: threeYears) == .seconds(3 * 52 * 40 * 3600))
        // Ten years hold about 20,870 business hours.
        #expect(calendar.advance(monday, by: .seconds(25_000 * 3600)) == BusinessCalendar.farFuture)
        #expect(calendar.advance(monday, by: .seconds(100_000 * 3600)) == BusinessCalendar.farFuture)
        // Amounts too large for milliseconds in an Int64 do not trap.
        #expect(calendar.advance(monday, by: .seconds(Int64.max / 2)) == BusinessCalendar.farFuture)
        #expect(BusinessCalendar.always.advance(monday, by: .seconds(Int64.max / 2)) == BusinessCalendar.farFuture)
        // Open time up to farFuture is finite and does not overflow.
        #expect(calendar.openTime(from: monday, to: BusinessCalendar.farFuture) > .seconds(Int64(1) << 40))
    }

    // MARK: - Configuration

    @Test("an unknown time zone is reported and counts as UTC")
    func unknownTimeZone() {
        let calendar = Self.weekdays("Mars/Olympus")
        #expect(
            calendar.validate() == [
                "unknown time zone \"Mars/Olympus\" (expected an IANA identifier such as America/Chicago)"
            ])
        #expect(calendar.advance(at("2026-01-12T09:00:00Z"), by: .seconds(3600)) == at("2026-01-12T10:00:00Z"))
    }

    @Test("mutating a property changes the arithmetic; equality compares the three properties")
    func mutation() {
        let base = Self.weekdays("America/Chicago")
        let friday = at("2026-01-09T21:00:00Z")
        var changed = base
        #expect(changed == base)
        changed.holidays.insert("2026-01-12")
        #expect(changed != base)
        #expect(changed.advance(friday, by: .seconds(4 * 3600)) == at("2026-01-13T17:00:00Z"))
        #expect(base.advance(friday, by: .seconds(4 * 3600)) == at("2026-01-12T17:00:00Z"))
        // Friday 16:00 EST: one hour on Friday, half an hour on Tuesday (Monday is the holiday).
        changed.timeZone = "America/New_York"
        #expect(changed.advance(friday, by: .seconds(90 * 60)) == at("2026-01-13T14:30:00Z"))
        changed.weekly[2] = nil
        #expect(changed.advance(friday, by: .seconds(90 * 60)) == at("2026-01-14T14:30:00Z"))
        #expect(base.advance(friday, by: .seconds(90 * 60)) == at("2026-01-09T22:30:00Z"))
        #expect(
            Self.weekdays("America/Chicago", holidays: ["2026-01-12"])
                == Self.weekdays("America/Chicago").with {
                    $0.holidays = ["2026-01-12"]
                })
    }

    @Test("parseIntervals: valid text")
    func parseValid() {
        #expect(BusinessCalendar.parseIntervals("09:00-17:00") == [Interval(start: 540, end: 1020)])
        #expect(
            BusinessCalendar.parseIntervals("9:00-12:30,13:30-17:00") == [
                Interval(start: 540, end: 750), Interval(start: 810, end: 1020),
            ])
        #expect(BusinessCalendar.parseIntervals("00:00-24:00") == [Interval.wholeDay])
        #expect(
            BusinessCalendar.parseIntervals(" 08:30 - 12:00 , 12:00-23:59 ") == [
                Interval(start: 510, end: 720), Interval(start: 720, end: 1439),
            ])
        #expect(BusinessCalendar.Interval(start: 540, end: 1440).description == "09:00-24:00")
    }

    @Test(
        "parseIntervals: invalid text is nil",
        arguments: [
            "", " ", "9-17", "09:00", "09:00-", "-17:00", "17:00-09:00", "09:00-09:00", "23:00-24:30", "25:00-26:00",
            "09:60-10:00", "9:5-10:00", "009:00-10:00", "13:00-17:00,09:00-12:00", "09:00-12:00,11:00-13:00",
            "09:00-12:00,", "a9:00-10:00", "+9:00-10:00", "09:00-17:00-18:00", "09:00–17:00", "09.00-17.00",
            "closed", "٠٩:٠٠-١٧:٠٠",
        ]
    )
    func parseInvalid(text: String) {
        #expect(BusinessCalendar.parseIntervals(text) == nil)
    }

    @Test("validate(): one line per problem, in order")
    func validateMessages() {
        #expect(
            Self.weekdays("America/Chicago", holidays: ["2026-12-25", "2028-02-29", "2000-02-29"]).validate() == [])
        let touching = BusinessCalendar.parseIntervals("09:00-12:00,12:00-17:00")!
        #expect(BusinessCalendar(timeZone: "Europe/Berlin", weekly: [1: touching, 6: [.wholeDay]]).validate() == [])
        let calendar = BusinessCalendar(
            timeZone: "Mars/Olympus",
            weekly: [
                8: Self.nineToFive,
                1: [Interval(start: 1020, end: 540)],
                2: [Interval(start: -30, end: 600)],
                3: [Interval(start: 540, end: 720), Interval(start: 660, end: 780)],
                4: [Interval(start: 780, end: 1020), Interval(start: 540, end: 720)],
            ],
            holidays: ["2026-02-30", "2026-12-25", "12/25/2026", "2100-02-29", "2026-2-1"]
        )
        #expect(
            calendar.validate() == [
                "unknown time zone \"Mars/Olympus\" (expected an IANA identifier such as America/Chicago)",
                "Monday: interval 17:00-09:00 is empty or reversed (start must be before end)",
                "Tuesday: interval -30min-10:00 is outside 00:00-24:00",
                "Wednesday: intervals 09:00-12:00 and 11:00-13:00 overlap",
                "Thursday: intervals are not sorted (09:00-12:00 comes after 13:00-17:00)",
                "weekday 8 is not 1 (Monday) ... 7 (Sunday)",
                "holiday \"12/25/2026\" is not a valid date (expected YYYY-MM-DD)",
                "holiday \"2026-02-30\" is not a valid date (expected YYYY-MM-DD)",
                "holiday \"2026-2-1\" is not a valid date (expected YYYY-MM-DD)",
                "holiday \"2100-02-29\" is not a valid date (expected YYYY-MM-DD)",
            ])
        // Arithmetic runs on the repaired calendar: Wednesday's overlap merges into 09:00-13:00.
        #expect(
            calendar.openTime(from: at("2026-01-14T00:00:00Z"), to: at("2026-01-15T00:00:00Z")) == .seconds(4 * 3600))
        let onlyReversed = BusinessCalendar(timeZone: "UTC", weekly: [1: [Interval(start: 600, end: 600)]])
        #expect(
            onlyReversed.validate() == [
                "Monday: interval 10:00-10:00 is empty or reversed (start must be before end)",
                "the calendar is never open: no weekday has an open interval",
            ])
    }
}

// MARK: - Properties

@Suite("BusinessCalendar properties")
struct BusinessCalendarPropertyTests {
    typealias Interval = BusinessCalendar.Interval

    /// Split weekday hours, a Saturday morning, Sunday hours straddling the DST hours, a Friday-night shift
    /// into Saturday, and holidays.
    static func busy(_ zone: String) -> BusinessCalendar {
        let weekday = BusinessCalendar.parseIntervals("08:30-12:00,13:00-17:30")!
        return BusinessCalendar(
            timeZone: zone,
            weekly: [
                1: weekday, 2: weekday, 3: weekday, 4: weekday,
                5: BusinessCalendar.parseIntervals("08:30-12:00,20:00-24:00")!,
                6: BusinessCalendar.parseIntervals("00:00-01:00,10:00-14:00")!,
                7: BusinessCalendar.parseIntervals("01:00-03:30")!,
            ],
            holidays: [
                "2026-01-01", "2026-04-03", "2026-05-25", "2026-07-03", "2026-10-05", "2026-12-25", "2026-12-26",
            ]
        )
    }

    static let zones = ["America/New_York", "Australia/Lord_Howe"]

    @Test("advance and openTime are inverse over random starts and amounts in 2026", arguments: zones)
    func inverse(zone: String) {
        let calendar = Self.busy(zone)
        var random = SplitMix64(seed: zone == "America/New_York" ? 20_260_308 : 20_261_004)
        let year = at("2026-01-01T00:00:00Z").rawValue..<at("2027-01-01T00:00:00Z").rawValue
        for _ in 0..<2000 {
            let start = Timestamp(milliseconds: random.next(in: year))
            let amount: Duration
            switch random.next(in: 0..<10) {
            case 0: amount = .milliseconds(random.next(in: 0..<5000))
            case 1...3: amount = .milliseconds(random.next(in: 0..<8 * 3_600_000))
            case 4...7: amount = .milliseconds(random.next(in: 0..<5 * 86_400_000))
            default: amount = .milliseconds(random.next(in: 0..<20 * 7 * 86_400_000))
            }
            let due = calendar.advance(start, by: amount)
            #expect(due >= start)
            #expect(calendar.openTime(from: start, to: due) == amount, "start \(start), amount \(amount)")
            guard amount > .zero else {
                #expect(due == start)
                continue
            }
            // The earliest such instant: the millisecond before it is open and counts.
            #expect(calendar.isOpen(at: due + .milliseconds(-1)), "start \(start), amount \(amount)")
            #expect(calendar.openTime(from: start, to: due + .milliseconds(-1)) == amount - .milliseconds(1))
            // Open time adds up over any split point.
            let middle = Timestamp(milliseconds: random.next(in: start.rawValue..<due.rawValue + 1))
            #expect(calendar.openTime(from: start, to: middle) + calendar.openTime(from: middle, to: due) == amount)
        }
    }

    /// Around each DST change, minute by minute, against Foundation's own local time.
    @Test(
        "isOpen and openTime agree with a minute-by-minute model built on Foundation",
        arguments: [
            ("America/New_York", "2026-03-05T00:00:00Z"), ("America/New_York", "2026-10-29T00:00:00Z"),
            ("Australia/Lord_Howe", "2026-04-01T00:00:00Z"), ("Australia/Lord_Howe", "2026-10-01T00:00:00Z"),
            // Santiago changes at local midnight: Saturday's last hour repeats; Sunday's first never happens.
            ("America/Santiago", "2026-04-02T00:00:00Z"), ("America/Santiago", "2026-09-03T00:00:00Z"),
        ]
    )
    func agreesWithFoundation(zone: String, from: String) {
        let calendar = Self.busy(zone)
        var local = Calendar(identifier: .gregorian)
        local.timeZone = TimeZone(identifier: zone)!
        let start = at(from)
        var openMinutes: Int64 = 0
        var mismatches: [String] = []
        for minute in 0..<(7 * 24 * 60) {
            let instant = start + .seconds(Int64(minute) * 60)
            let expected = Self.referenceIsOpen(calendar, local, instant)
            if expected { openMinutes += 1 }
            if calendar.isOpen(at: instant) != expected { mismatches.append("\(instant)") }
        }
        #expect(mismatches.isEmpty)
        #expect(calendar.openTime(from: start, to: start + .seconds(7 * 86_400)) == .seconds(openMinutes * 60))
        #expect(openMinutes > 0)
    }

    static func referenceIsOpen(_ calendar: BusinessCalendar, _ local: Calendar, _ instant: Timestamp) -> Bool {
        let date = Date(timeIntervalSince1970: Double(instant.rawValue) / 1000)
        let parts = local.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
        let day = String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
        guard !calendar.holidays.contains(day) else { return false }
        let weekday = (parts.weekday! + 5) % 7 + 1  // Foundation: 1 = Sunday
        let minute = parts.hour! * 60 + parts.minute!
        return (calendar.weekly[weekday] ?? []).contains { $0.start <= minute && minute < $0.end }
    }
}

// MARK: - Helpers

/// An ISO 8601 instant in UTC, with or without milliseconds.
private func at(_ text: String) -> Timestamp {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions =
        text.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
    let date = formatter.date(from: text)!
    return Timestamp(milliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded()))
}

/// A seeded generator, so a failure repeats.
private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    mutating func next(in range: Range<Int64>) -> Int64 {
        range.lowerBound + Int64(next() % UInt64(range.upperBound - range.lowerBound))
    }
}

extension BusinessCalendar {
    fileprivate func with(_ change: (inout BusinessCalendar) -> Void) -> BusinessCalendar {
        var copy = self
        change(&copy)
        return copy
    }
}
