extension BusinessCalendar {
    /// Parses opening hours: "09:00-17:00", several intervals separated by commas ("9:00-12:30,13:30-17:00"),
    /// "00:00-24:00" for the whole day. Hours take one or two digits, minutes two; spaces around the separators
    /// are allowed. Nil if the text is empty, a time is malformed or past 24:00, an interval is empty or
    /// reversed, or intervals are out of order or overlap (touching is fine).
    public static func parseIntervals(_ text: String) -> [Interval]? {
        var intervals: [Interval] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count == 2, let start = minutes(of: bounds[0]), let end = minutes(of: bounds[1]),
                start < end, start >= (intervals.last?.end ?? 0)
            else { return nil }
            intervals.append(Interval(start: start, end: end))
        }
        return intervals
    }

    /// "H:MM" or "HH:MM", 00:00...24:00, as minutes since midnight.
    private static func minutes(of text: Substring) -> Int? {
        let parts = text.trimmingSpaces.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
            let hour = Int(parts[0]), let minute = Int(parts[1]), minute < 60, hour * 60 + minute <= 1440
        else { return nil }
        return hour * 60 + minute
    }

    /// Everything wrong with this calendar, one line each; empty if it is well formed.
    public func validate() -> [String] {
        var problems: [String] = []
        if ZoneOffsets.named(timeZone) == nil {
            problems.append("unknown time zone \"\(timeZone)\" (expected an IANA identifier such as America/Chicago)")
        }
        for weekday in weekly.keys.sorted() {
            guard (1...7).contains(weekday) else {
                problems.append("weekday \(weekday) is not 1 (Monday) ... 7 (Sunday)")
                continue
            }
            let name = Self.weekdayNames[weekday - 1]
            let intervals = weekly[weekday] ?? []
            for interval in intervals {
                if !(0...1440).contains(interval.start) || !(0...1440).contains(interval.end) {
                    problems.append("\(name): interval \(interval) is outside 00:00-24:00")
                } else if interval.start >= interval.end {
                    problems.append("\(name): interval \(interval) is empty or reversed (start must be before end)")
                }
            }
            for (previous, next) in zip(intervals, intervals.dropFirst()) {
                if next.start < previous.start {
                    problems.append("\(name): intervals are not sorted (\(next) comes after \(previous))")
                } else if next.start < previous.end {
                    problems.append("\(name): intervals \(previous) and \(next) overlap")
                }
            }
        }
        for date in holidays.sorted() where Self.dayNumber(ofDate: date) == nil {
            problems.append("holiday \"\(date)\" is not a valid date (expected YYYY-MM-DD)")
        }
        if schedule.weekOpen == 0 {
            problems.append("the calendar is never open: no weekday has an open interval")
        }
        return problems
    }

    static let weekdayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// Days since 1970-01-01 of a "YYYY-MM-DD" date (proleptic Gregorian), or nil if it is not one.
    static func dayNumber(ofDate text: String) -> Int64? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
            let year = Int64(parts[0]), let month = Int64(parts[1]), let day = Int64(parts[2]),
            (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        // Days from civil (H. Hinnant): years start in March so the leap day falls last.
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = shiftedYear / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

extension BusinessCalendar.Interval: CustomStringConvertible {
    /// "09:00-17:00"; a bound outside the day shows as raw minutes.
    public var description: String { "\(Self.clock(start))-\(Self.clock(end))" }

    private static func clock(_ minutes: Int) -> String {
        guard (0...1440).contains(minutes) else { return "\(minutes)min" }
        let hour = minutes / 60
        let minute = minutes % 60
        return (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return text
    }
}
