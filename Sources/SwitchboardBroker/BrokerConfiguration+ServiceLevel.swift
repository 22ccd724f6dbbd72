import SwitchboardCore
import SwitchboardSchema
import Yams

/// Reads the service-level keys of `defaults` and of each department:
///
/// ```yaml
/// first_response_targets: {urgent: 5m, high: 15m}   # or one duration for all; none by default
/// update_targets: 2h                                # periodic updates while open; none by default
/// warnings: [50%, 75%]                              # of each target (or 0.5, 0.75)
/// calendar: 24x7                                    # or:
/// calendar:
///   time_zone: America/Chicago
///   hours: {mon: "08:00-18:00", tue: "08:00-18:00", wed: "08:00-18:00", thu: "08:00-18:00", fri: "08:00-17:00"}
///   holidays: [2026-12-25, 2027-01-01]
/// escalation: notify                                # or raise_priority, or {transfer: escalations}
/// transfer_clock: carry_over                        # or restart
/// ```
extension ConfigurationReader {
    func readServiceLevel(_ fields: [String: Entry], into policy: inout DepartmentPolicy, base: DepartmentPolicy) {
        collecting { () throws(ConfigurationError) in
            if let entry = fields["first_response_targets"] {
                policy.firstResponseTargets = try answerTargets(entry, base: base.firstResponseTargets)
            }
        }
        collecting { () throws(ConfigurationError) in
            if let entry = fields["update_targets"] {
                policy.updateTargets = try answerTargets(entry, base: base.updateTargets)
            }
        }
        collecting { () throws(ConfigurationError) in
            if let entry = fields["warnings"] { policy.warnings = try warnings(entry) }
        }
        collecting { () throws(ConfigurationError) in
            if let entry = fields["calendar"] { policy.calendar = try calendar(entry) }
        }
        collecting { () throws(ConfigurationError) in
            if let entry = fields["escalation"] { policy.escalation = try escalation(entry) }
        }
        collecting { () throws(ConfigurationError) in
            guard let entry = fields["transfer_clock"] else { return }
            let text = try string(entry)
            guard let rule = TransferClockRule(rawValue: text) else {
                throw failure(.invalidValue, at: entry, "transfer_clock must be carry_over or restart; got '\(text)'")
            }
            policy.transferClock = rule
        }
    }

    /// `[50%, 75%]` or `[0.5, 0.75]`: ascending fractions of a target, each above 0 and below 100%.
    func warnings(_ entry: Entry) throws(ConfigurationError) -> [Double] {
        guard let items = entry.value.sequence else {
            throw failure(.wrongType, at: entry, "expected a list of thresholds such as [50%, 75%], got \(describe(entry.value))")
        }
        var fractions: [Double] = []
        for (index, item) in items.enumerated() {
            let text = item.scalar?.string ?? ""
            let value = text.hasSuffix("%") ? Double(text.dropLast()).map { $0 / 100 } : Double(text)
            guard let value, value > 0, value < 1 else {
                throw failure(
                    .invalidValue, at: item, "\(entry.path)[\(index)]",
                    "a warning threshold is a share of the target between 0 and 100%, such as 50% or 0.5; got '\(text)'")
            }
            guard fractions.last.map({ $0 < value }) ?? true else {
                throw failure(.invalidValue, at: item, "\(entry.path)[\(index)]", "warning thresholds must increase")
            }
            fractions.append(value)
        }
        return fractions
    }

    /// `24x7`, or a mapping with `time_zone`, `hours` (per weekday) and `holidays`.
    func calendar(_ entry: Entry) throws(ConfigurationError) -> BusinessCalendar {
        if case .scalar = entry.value, !isNull(entry.value) {
            let text = try string(entry)
            guard text == "24x7" else {
                throw failure(.invalidValue, at: entry, "calendar is 24x7 or a mapping with time_zone, hours and holidays; got '\(text)'")
            }
            return .always
        }
        let keys = try fields(of: entry.value, path: entry.path, section: "calendar")
        guard let zoneEntry = keys["time_zone"] else {
            throw failure(.invalidValue, at: entry, "a calendar needs time_zone (an IANA name such as America/Chicago)")
        }
        let zone = try string(zoneEntry)
        var weekly: [Int: [BusinessCalendar.Interval]] = [:]
        let problemsBefore = problems.found.count
        if let hours = keys["hours"] {
            let days = try fields(of: hours.value, path: hours.path, section: "calendar.hours")
            for (day, dayEntry) in days {
                collecting { () throws(ConfigurationError) in
                    let weekday = BusinessHoursReader.weekdays.firstIndex(of: day)! + 1
                    let text = try string(dayEntry)
                    if text == "closed" { return }
                    guard let intervals = BusinessCalendar.parseIntervals(text) else {
                        throw failure(
                            .invalidValue, at: dayEntry,
                            "opening hours are written like 09:00-17:00 or 08:00-12:00,13:00-17:00 (or closed); "
                                + "got '\(text)'")
                    }
                    weekly[weekday] = intervals
                }
            }
        } else {
            throw failure(.invalidValue, at: entry, "a calendar needs hours, e.g. {mon: \"09:00-17:00\", ...}")
        }
        var holidays = Set<String>()
        if let entry = keys["holidays"] {
            guard let items = entry.value.sequence else {
                throw failure(.wrongType, at: entry, "holidays is a list of dates such as [2026-12-25]")
            }
            for item in items { holidays.insert(item.scalar?.string ?? "") }
        }
        let calendar = BusinessCalendar(timeZone: zone, weekly: weekly, holidays: holidays)
        // Each problem at the key it is about where that can be told: the zone, a holiday, or the hours. A day
        // already refused would make the week look wrong too: then only the zone and holidays are judged.
        let daysRefused = problems.found.count > problemsBefore
        var problems = calendar.validate().filter { problem in
            !daysRefused || problem.hasPrefix("unknown time zone") || problem.hasPrefix("holiday")
        }
        func place(of problem: String) -> Entry {
            if problem.hasPrefix("unknown time zone") { return zoneEntry }
            if problem.hasPrefix("holiday"), let holidays = keys["holidays"] { return holidays }
            return keys["hours"] ?? entry
        }
        guard let last = problems.popLast() else { return calendar }
        for problem in problems { self.problems.note(failure(.invalidValue, at: place(of: problem), problem)) }
        throw failure(.invalidValue, at: place(of: last), last)
    }

    /// `notify`, `raise_priority`, or `{transfer: department}`.
    func escalation(_ entry: Entry) throws(ConfigurationError) -> Escalation {
        if case .scalar = entry.value, !isNull(entry.value) {
            switch try string(entry) {
            case "notify": return .notify
            case "raise_priority": return .raisePriority
            case let other:
                throw failure(
                    .invalidValue, at: entry,
                    "escalation is notify, raise_priority or {transfer: department}; got '\(other)'")
            }
        }
        let keys = try fields(of: entry.value, path: entry.path, section: "escalation")
        guard let target = keys["transfer"] else {
            throw failure(.invalidValue, at: entry, "escalation mapping needs transfer: <department>")
        }
        let department = try string(target)
        guard DepartmentName.isValid(department) else {
            throw failure(.invalidValue, at: target, "'\(department)' is not a valid department name")
        }
        return .transfer(department: department)
    }
}

/// Weekday keys of a calendar's `hours`, Monday first (weekday 1).
enum BusinessHoursReader {
    static let weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
}
