import SwitchboardSchema

/// When a department is open: weekly wall-clock hours in an IANA time zone, minus holidays.
///
/// Service-level targets count only open time. Open hours are local wall-clock hours: the department is open
/// at an instant exactly when the local time at that instant falls in one of the day's intervals and the local
/// date is not a holiday. Daylight-saving changes follow from that rule:
/// - spring forward (New York, 02:00 → 03:00): local times in the skipped hour never occur, so a 01:00-05:00
///   interval is open for 3 hours and a 02:00-02:30 interval not at all;
/// - fall back (02:00 → 01:00): the repeated hour occurs twice and counts twice when open, so 01:00-05:00 is
///   open for 5 hours and 01:00-01:30 is open twice for 30 minutes.
///
/// The initializer accepts anything; ``validate()`` lists the problems. Arithmetic uses a repaired copy: an
/// unknown time zone counts as UTC, intervals are clamped to 00:00-24:00, empty ones dropped, overlapping ones
/// merged, weekdays outside 1...7 and malformed holidays ignored. A calendar with no open hours in its week
/// is never open: ``advance(_:by:)`` then returns ``farFuture``.
///
/// Cost: ``advance(_:by:)`` and ``openTime(from:to:)`` visit the open intervals they pass, skip closed days in
/// O(1) each and whole weeks arithmetically; time-zone offsets come from a table built once per zone per
/// process (1900-2200; the offsets at its edges hold beyond it). Copies share that table.
public struct BusinessCalendar: Sendable, Equatable {
    /// Open time within one local day, in minutes since local midnight: `start..<end`, 0...1440.
    public struct Interval: Sendable, Hashable {
        public var start: Int
        public var end: Int

        public init(start: Int, end: Int) {
            self.start = start
            self.end = end
        }

        /// The whole day, 00:00-24:00.
        public static let wholeDay = Interval(start: 0, end: 1440)
    }

    /// Open around the clock, every day.
    public static let always = BusinessCalendar(
        timeZone: "UTC",
        weekly: Dictionary(uniqueKeysWithValues: (1...7).map { ($0, [Interval.wholeDay]) })
    )

    /// What ``advance(_:by:)`` returns when the amount is not reached within ``searchHorizon``, e.g. for a
    /// calendar that is never open. Instants are also clamped to ±`farFuture` before any arithmetic.
    public static let farFuture = Timestamp(milliseconds: Int64.max / 2)

    /// How far past its start ``advance(_:by:)`` searches for open time: 3653 days (ten years).
    public static let searchHorizon: Duration = .seconds(3653 * 86_400)

    /// IANA time-zone identifier, e.g. "America/Chicago".
    public var timeZone: String {
        didSet { schedule.zone = ZoneOffsets.named(timeZone) ?? .utc }
    }

    /// Open intervals per weekday, 1 = Monday ... 7 = Sunday, sorted and not overlapping; a missing weekday is
    /// closed.
    public var weekly: [Int: [Interval]] {
        didSet { schedule.setWeekly(weekly) }
    }

    /// Local dates closed all day, "YYYY-MM-DD".
    public var holidays: Set<String> {
        didSet { schedule.setHolidays(holidays) }
    }

    /// The compiled form the arithmetic runs on, kept in step with the three properties above.
    private(set) var schedule: Schedule

    public init(timeZone: String, weekly: [Int: [Interval]], holidays: Set<String> = []) {
        self.timeZone = timeZone
        self.weekly = weekly
        self.holidays = holidays
        schedule = Schedule(zone: ZoneOffsets.named(timeZone) ?? .utc)
        schedule.setWeekly(weekly)
        schedule.setHolidays(holidays)
    }

    /// Open every minute of every day with no holidays: open time equals elapsed time.
    public var isAlways: Bool { schedule.isAlways }

    public static func == (lhs: BusinessCalendar, rhs: BusinessCalendar) -> Bool {
        lhs.timeZone == rhs.timeZone && lhs.weekly == rhs.weekly && lhs.holidays == rhs.holidays
    }

    /// The instant at which `amount` of open time has passed after `start`, counting only open time.
    ///
    /// That is the earliest instant `t` with `openTime(from: start, to: t) == amount`: a target that runs out
    /// at closing time falls due at closing time, not at the next opening. An amount of zero or less returns
    /// `start`. For ``always``, `start + amount`. If the amount is not reached within ``searchHorizon`` of
    /// `start` (a never-open calendar, or an absurd amount), returns ``farFuture``. Exact to the millisecond.
    public func advance(_ start: Timestamp, by amount: Duration) -> Timestamp {
        guard amount > .zero else { return start }
        let from = Self.clamp(start.rawValue)
        if isAlways {
            guard amount < .milliseconds(Self.farFuture.rawValue - from) else { return Self.farFuture }
            return Timestamp(milliseconds: from + amount.milliseconds)
        }
        guard schedule.weekOpen > 0, amount <= Self.searchHorizon else { return Self.farFuture }
        let limit = min(from + Self.searchHorizon.milliseconds, Self.farFuture.rawValue)
        var remaining = amount.milliseconds
        guard remaining > 0 else { return start }  // less than a millisecond
        var piece = schedule.zone.piece(containing: from)
        var instant = from
        while instant < limit {
            let end = min(schedule.zone.end(of: piece), limit)
            let offset = schedule.zone.offsets[piece]
            switch schedule.advance(fromLocal: instant + offset, toLocal: end + offset, by: remaining) {
            case .reached(let local): return Timestamp(milliseconds: local - offset)
            case .consumed(let open): remaining -= open
            }
            instant = end
            piece += 1
        }
        return Self.farFuture
    }

    /// Open time between two instants; zero if `to <= from`. Exact to the millisecond.
    public func openTime(from: Timestamp, to: Timestamp) -> Duration {
        let start = Self.clamp(from.rawValue)
        let stop = Self.clamp(to.rawValue)
        guard stop > start else { return .zero }
        if isAlways { return .milliseconds(stop - start) }
        guard schedule.weekOpen > 0 else { return .zero }
        var total: Int64 = 0
        var piece = schedule.zone.piece(containing: start)
        var instant = start
        while instant < stop {
            let end = min(schedule.zone.end(of: piece), stop)
            let offset = schedule.zone.offsets[piece]
            total += schedule.openTime(fromLocal: instant + offset, toLocal: end + offset)
            instant = end
            piece += 1
        }
        return .milliseconds(total)
    }

    /// Whether the department is open at `instant` (an interval includes its start, not its end).
    public func isOpen(at instant: Timestamp) -> Bool {
        if isAlways { return true }
        let utc = Self.clamp(instant.rawValue)
        let local = utc + schedule.zone.offsets[schedule.zone.piece(containing: utc)]
        return schedule.isOpen(atLocal: local)
    }

    private static func clamp(_ milliseconds: Int64) -> Int64 {
        min(max(milliseconds, -farFuture.rawValue), farFuture.rawValue)
    }
}
