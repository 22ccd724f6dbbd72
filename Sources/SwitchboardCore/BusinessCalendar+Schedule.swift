extension BusinessCalendar {
    /// A calendar compiled for arithmetic on local time (UTC plus a constant offset).
    ///
    /// Within one piece of a zone's history the offset is constant, so open time there is the open time of the
    /// corresponding local-time range; ``BusinessCalendar`` walks the pieces and asks this type about each.
    /// Local time is milliseconds since 1970-01-01T00:00 local; a local day number is that divided by a day.
    struct Schedule: Sendable {
        static let day: Int64 = 86_400_000

        var zone: ZoneOffsets
        /// Open ranges per weekday (index 0 = Monday), in milliseconds since local midnight: sorted, merged.
        private(set) var intervals: [[Range<Int64>]] = Array(repeating: [], count: 7)
        /// Open time per weekday (index 0 = Monday), and in a week without holidays.
        private(set) var dayOpen: [Int64] = Array(repeating: 0, count: 7)
        private(set) var weekOpen: Int64 = 0
        /// Holidays as local day numbers, as a set and sorted.
        private(set) var holidays: Set<Int64> = []
        private(set) var sortedHolidays: [Int64] = []

        init(zone: ZoneOffsets) { self.zone = zone }

        var isAlways: Bool { weekOpen == 7 * Self.day && holidays.isEmpty }

        /// Repairs as the type documents: clamps to the day, drops empty intervals and unknown weekdays, merges.
        mutating func setWeekly(_ weekly: [Int: [Interval]]) {
            for index in 0..<7 {
                let clamped = (weekly[index + 1] ?? [])
                    .map { (start: min(max($0.start, 0), 1440), end: min(max($0.end, 0), 1440)) }
                    .filter { $0.start < $0.end }
                    .sorted { $0.start < $1.start }
                var merged: [Range<Int64>] = []
                for interval in clamped {
                    let range = Int64(interval.start) * 60_000..<Int64(interval.end) * 60_000
                    if let last = merged.last, range.lowerBound <= last.upperBound {
                        merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
                    } else {
                        merged.append(range)
                    }
                }
                intervals[index] = merged
                dayOpen[index] = merged.reduce(0) { $0 + Int64($1.count) }
            }
            weekOpen = dayOpen.reduce(0, +)
        }

        /// Keeps the well-formed dates; ``BusinessCalendar/validate()`` reports the others.
        mutating func setHolidays(_ dates: Set<String>) {
            holidays = Set(dates.compactMap(BusinessCalendar.dayNumber(ofDate:)))
            sortedHolidays = holidays.sorted()
        }

        static func dayNumber(ofLocal local: Int64) -> Int64 {
            let quotient = local / day
            return local % day < 0 ? quotient - 1 : quotient
        }

        /// 0 = Monday ... 6 = Sunday; day 0 (1970-01-01) was a Thursday.
        static func weekdayIndex(ofDay dayNumber: Int64) -> Int {
            Int(((dayNumber + 3) % 7 + 7) % 7)
        }

        func isOpen(atLocal local: Int64) -> Bool {
            let dayNumber = Self.dayNumber(ofLocal: local)
            guard !holidays.contains(dayNumber) else { return false }
            let time = local - dayNumber * Self.day
            return intervals[Self.weekdayIndex(ofDay: dayNumber)].contains { $0.contains(time) }
        }

        /// Open time in `from..<to`, both in local time.
        func openTime(fromLocal from: Int64, toLocal to: Int64) -> Int64 {
            guard to > from else { return 0 }
            let first = Self.dayNumber(ofLocal: from)
            let last = Self.dayNumber(ofLocal: to)
            if first == last {
                return openTime(onDay: first, from: from - first * Self.day, to: to - first * Self.day)
            }
            return openTime(onDay: first, from: from - first * Self.day, to: Self.day)
                + openTime(wholeDays: first + 1, last)
                + openTime(onDay: last, from: 0, to: to - last * Self.day)
        }

        /// Open time on one day between two times of that day.
        func openTime(onDay dayNumber: Int64, from: Int64, to: Int64) -> Int64 {
            guard to > from, !holidays.contains(dayNumber) else { return 0 }
            return intervals[Self.weekdayIndex(ofDay: dayNumber)].reduce(0) {
                $0 + max(0, min($1.upperBound, to) - max($1.lowerBound, from))
            }
        }

        /// Open time of the whole days `first..<end`: whole weeks by multiplication, less their holidays.
        func openTime(wholeDays first: Int64, _ end: Int64) -> Int64 {
            guard end > first else { return 0 }
            let weeks = (end - first) / 7
            var total = weeks * weekOpen
            for dayNumber in (first + weeks * 7)..<end {
                total += dayOpen[Self.weekdayIndex(ofDay: dayNumber)]
            }
            var index = lowerBound(ofHoliday: first)
            while index < sortedHolidays.count, sortedHolidays[index] < end {
                total -= dayOpen[Self.weekdayIndex(ofDay: sortedHolidays[index])]
                index += 1
            }
            return total
        }

        private func lowerBound(ofHoliday dayNumber: Int64) -> Int {
            var low = 0
            var high = sortedHolidays.count
            while low < high {
                let middle = (low + high) / 2
                if sortedHolidays[middle] < dayNumber { low = middle + 1 } else { high = middle }
            }
            return low
        }

        enum Step: Equatable {
            /// The amount ran out at this local time.
            case reached(Int64)
            /// The range ended first, after this much open time.
            case consumed(Int64)
        }

        /// Walks open time forward from `from` until `amount` (> 0) has passed, or `to` (exclusive) is reached.
        ///
        /// Visits the open intervals it passes; closed days cost a set lookup each, and while more than a week
        /// of open time remains, whole weeks are skipped by arithmetic.
        func advance(fromLocal from: Int64, toLocal to: Int64, by amount: Int64) -> Step {
            var consumed: Int64 = 0
            var dayNumber = Self.dayNumber(ofLocal: from)
            var time = from - dayNumber * Self.day
            while dayNumber * Self.day < to {
                let midnight = dayNumber * Self.day
                let wholeDaysLeft = Self.dayNumber(ofLocal: to) - dayNumber
                if time == 0, wholeDaysLeft >= 7, amount - consumed > weekOpen {
                    let weeks = min(wholeDaysLeft / 7, (amount - consumed - 1) / weekOpen)
                    consumed += openTime(wholeDays: dayNumber, dayNumber + weeks * 7)
                    dayNumber += weeks * 7
                    continue
                }
                if !holidays.contains(dayNumber) {
                    for range in intervals[Self.weekdayIndex(ofDay: dayNumber)] where range.upperBound > time {
                        let start = midnight + max(range.lowerBound, time)
                        guard start < to else { return .consumed(consumed) }
                        let length = min(midnight + range.upperBound, to) - start
                        if amount - consumed <= length { return .reached(start + amount - consumed) }
                        consumed += length
                    }
                }
                dayNumber += 1
                time = 0
            }
            return .consumed(consumed)
        }
    }
}
