import Foundation
import SwitchboardSchema

/// A request's pinned service-level policy and clock states, in a form the ledger stores (as JSON) and
/// recovery reads back, so that a restart neither changes the policy of an open request nor its clocks.
public struct SLASnapshot: Codable, Sendable, Equatable {
    public struct Calendar: Codable, Sendable, Equatable {
        public var timeZone: String
        /// Weekday (1 = Monday) → open intervals as [start, end] minutes since local midnight.
        public var weekly: [String: [[Int]]]
        public var holidays: [String]

        enum CodingKeys: String, CodingKey {
            case timeZone = "time_zone", weekly, holidays
        }

        public init(timeZone: String, weekly: [String: [[Int]]], holidays: [String]) {
            self.timeZone = timeZone
            self.weekly = weekly
            self.holidays = holidays
        }
    }

    public struct Clock: Codable, Sendable, Equatable {
        public var target: SLATarget
        public var budgetMs: Int64
        public var usedMs: Int64
        public var runningSince: Int64?
        public var passed: Int
        public var outcome: String?
        public var stopped: Bool

        enum CodingKeys: String, CodingKey {
            case target, passed, outcome, stopped
            case budgetMs = "budget_ms", usedMs = "used_ms", runningSince = "running_since"
        }

        public init(
            target: SLATarget, budgetMs: Int64, usedMs: Int64, runningSince: Int64?, passed: Int, outcome: String?,
            stopped: Bool
        ) {
            self.target = target
            self.budgetMs = budgetMs
            self.usedMs = usedMs
            self.runningSince = runningSince
            self.passed = passed
            self.outcome = outcome
            self.stopped = stopped
        }
    }

    /// Target → milliseconds of open time.
    public var targets: [String: Int64]
    public var warnings: [Double]
    /// nil for 24x7.
    public var calendar: Calendar?
    /// `notify`, `raise_priority` or `transfer`.
    public var escalation: String
    public var escalationDepartment: String?
    public var clocks: [Clock]

    // The keys are snake_case themselves, so the ledger decodes snapshots without a key strategy (fast, see
    // `decode(json:)`); JSONCoding's snake_case encoding leaves them as they are.
    enum CodingKeys: String, CodingKey {
        case targets, warnings, calendar, escalation, clocks
        case escalationDepartment = "escalation_department"
    }

    public init(
        targets: [String: Int64], warnings: [Double], calendar: Calendar?, escalation: String,
        escalationDepartment: String?, clocks: [Clock]
    ) {
        self.targets = targets
        self.warnings = warnings
        self.calendar = calendar
        self.escalation = escalation
        self.escalationDepartment = escalationDepartment
        self.clocks = clocks
    }
}

/// A request's SLA policy and clocks as a change carries them to the ledger writer: the broker thread only
/// copies the value (its storage is shared); the writer turns it into an ``SLASnapshot`` for the ledger.
public struct SLAState: Sendable, Equatable {
    let value: RequestSLA

    init(_ value: RequestSLA) {
        self.value = value
    }

    /// The state of a request submitted at `start` under `policy`: its clocks running from then.
    public init(policy: SLAPolicy, startingAt start: Timestamp) {
        self.value = RequestSLA(policy: policy, startingAt: start)
    }

    /// The state a snapshot describes; nil if it names something this version does not know.
    public init?(_ snapshot: SLASnapshot) {
        guard let value = snapshot.requestSLA else { return nil }
        self.value = value
    }

    /// The form the ledger stores.
    public var snapshot: SLASnapshot { SLASnapshot(value) }

    /// Appends the JSON the ledger stores (``SLASnapshot/jsonText`` of ``snapshot``, byte for byte) without
    /// building the snapshot: the policy's part was written once with the policy, only the clocks are new.
    public func writeJSON(into out: inout [UInt8]) {
        let (prefix, suffix) = value.policy.jsonAroundClocks
        out.append(contentsOf: prefix)
        for (index, clock) in value.clocks.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: JSONBytes.budget)
            JSONBytes.append(clock.budget.milliseconds, to: &out)
            if let outcome = clock.outcome {
                out.append(contentsOf: outcome == .met ? JSONBytes.met : JSONBytes.breached)
            }
            out.append(contentsOf: JSONBytes.passed)
            JSONBytes.append(Int64(clock.passed), to: &out)
            if let since = clock.runningSince {
                out.append(contentsOf: JSONBytes.runningSince)
                JSONBytes.append(since.rawValue, to: &out)
            }
            out.append(contentsOf: clock.stopped ? JSONBytes.stoppedTarget : JSONBytes.runningTarget)
            out.append(contentsOf: JSONBytes.target(clock.target))
            out.append(contentsOf: JSONBytes.used)
            JSONBytes.append(clock.used.milliseconds, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: suffix)
    }
}

/// Integers as JSON text, appended to bytes, and the fixed parts of a clock's JSON.
enum JSONBytes {
    static let budget = Array(#"{"budget_ms":"#.utf8)
    static let met = Array(#","outcome":"met""#.utf8)
    static let breached = Array(#","outcome":"breached""#.utf8)
    static let passed = Array(#","passed":"#.utf8)
    static let runningSince = Array(#","running_since":"#.utf8)
    static let stoppedTarget = Array(#","stopped":true,"target":""#.utf8)
    static let runningTarget = Array(#","stopped":false,"target":""#.utf8)
    static let used = Array(#"","used_ms":"#.utf8)
    private static let targets = Dictionary(uniqueKeysWithValues: SLATarget.allCases.map { ($0, Array($0.rawValue.utf8)) })

    static func target(_ target: SLATarget) -> [UInt8] { targets[target]! }

    static func append(_ value: Int64, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var rest = value.magnitude
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(truncatingIfNeeded: 48 &+ rest % 10)
                rest /= 10
            } while rest > 0
            if value < 0 { out.append(UInt8(ascii: "-")) }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }
}

extension SLASnapshot {
    init(_ sla: RequestSLA) {
        let policy = sla.policy
        self.init(
            targets: policy.targets, warnings: policy.warnings, calendar: policy.calendar, escalation: policy.escalation,
            clocks: sla.clocks.map { clock in
                Clock(
                    target: clock.target, budgetMs: clock.budget.milliseconds, usedMs: clock.used.milliseconds,
                    runningSince: clock.runningSince?.rawValue, passed: clock.passed,
                    outcome: clock.outcome?.rawValue, stopped: clock.stopped)
            })
    }

    /// A snapshot of a policy's parts and some clocks.
    init(
        targets: [SLATarget: Duration], warnings: [Double], calendar: BusinessCalendar, escalation: Escalation,
        clocks: [Clock]
    ) {
        self.targets = Dictionary(uniqueKeysWithValues: targets.map { ($0.key.rawValue, $0.value.milliseconds) })
        self.warnings = warnings
        self.calendar = calendar.isAlways ? nil : Calendar(
            timeZone: calendar.timeZone,
            weekly: Dictionary(uniqueKeysWithValues: calendar.weekly.map { day, intervals in
                (String(day), intervals.map { [$0.start, $0.end] })
            }),
            holidays: calendar.holidays.sorted())
        switch escalation {
        case .notify:
            self.escalation = "notify"
            escalationDepartment = nil
        case .raisePriority:
            self.escalation = "raise_priority"
            escalationDepartment = nil
        case .transfer(let department):
            self.escalation = "transfer"
            escalationDepartment = department
        }
        self.clocks = clocks
    }

    /// The policy and clocks again; nil if the snapshot names something this version does not know.
    var requestSLA: RequestSLA? {
        var known: [SLAPolicy] = []
        return requestSLA(reusing: &known)
    }

    /// The policy and clocks again, the policy taken from `known` if one there is equal (recovery reads 100,000
    /// requests pinning a handful of policies: each made once, its JSON rendered once), else added to it.
    func requestSLA(reusing known: inout [SLAPolicy]) -> RequestSLA? {
        var policyTargets: [SLATarget: Duration] = [:]
        for (name, milliseconds) in targets {
            guard let target = SLATarget(rawValue: name) else { return nil }
            policyTargets[target] = .milliseconds(milliseconds)
        }
        let businessCalendar: BusinessCalendar
        if let calendar {
            var weekly: [Int: [BusinessCalendar.Interval]] = [:]
            for (day, intervals) in calendar.weekly {
                guard let weekday = Int(day), intervals.allSatisfy({ $0.count == 2 }) else { return nil }
                weekly[weekday] = intervals.map { BusinessCalendar.Interval(start: $0[0], end: $0[1]) }
            }
            businessCalendar = BusinessCalendar(timeZone: calendar.timeZone, weekly: weekly, holidays: Set(calendar.holidays))
        } else {
            businessCalendar = .always
        }
        let policyEscalation: Escalation
        switch escalation {
        case "raise_priority": policyEscalation = .raisePriority
        case "transfer":
            guard let escalationDepartment else { return nil }
            policyEscalation = .transfer(department: escalationDepartment)
        default: policyEscalation = .notify
        }
        let policy: SLAPolicy
        if let equal = known.first(where: {
            $0.targets == policyTargets && $0.warnings == warnings && $0.calendar == businessCalendar
                && $0.escalation == policyEscalation
        }) {
            policy = equal
        } else {
            policy = SLAPolicy(
                targets: policyTargets, warnings: warnings, calendar: businessCalendar, escalation: policyEscalation)
            // A bound, should a ledger hold many distinct policies: beyond it each is made anew.
            if known.count < 64 { known.append(policy) }
        }
        var restored = RequestSLA(policy: policy, startingAt: Timestamp(milliseconds: 0))
        restored.clocks = clocks.map { stored in
            var clock = SLAClock(target: stored.target, budget: .milliseconds(stored.budgetMs), startingAt: .init(milliseconds: 0))
            clock.used = .milliseconds(stored.usedMs)
            clock.runningSince = stored.runningSince.map { Timestamp(milliseconds: $0) }
            clock.passed = stored.passed
            clock.outcome = stored.outcome.flatMap(SLAClock.Outcome.init(rawValue:))
            clock.stopped = stored.stopped
            return clock
        }
        return restored
    }
}

extension SLASnapshot {
    /// The policy's part of the JSON the ledger stores, before and after the clocks' array (whose brackets they
    /// include): the same text as ``jsonText`` gives around the clocks.
    static func policyJSON(
        targets: [SLATarget: Duration], warnings: [Double], calendar: BusinessCalendar, escalation: Escalation
    ) -> (prefix: [UInt8], suffix: [UInt8]) {
        let empty = SLASnapshot(targets: targets, warnings: warnings, calendar: calendar, escalation: escalation, clocks: [])
        let text = Array(empty.jsonText.utf8)
        let marker = Array(#""clocks":["#.utf8)
        let start = (0...(text.count - marker.count)).first { text[$0..<($0 + marker.count)].elementsEqual(marker) }!
        let end = start + marker.count
        return (Array(text[..<end]), Array(text[end...]))
    }
}

extension SLASnapshot {
    /// The clocks as STATUS reports them at `now` (nil if the snapshot names something this version does not
    /// know), and where the request stands.
    public func clockStatus(at now: Timestamp) -> (clocks: [SLAClockStatus], level: SLALevel)? {
        requestSLA.map { ($0.status(at: now), $0.level) }
    }
}

extension SLASnapshot {
    /// The snapshot as the JSON text the ledger stores, written by hand: byte for byte what
    /// `JSONCoding.encode` gives (sorted snake_case keys, absent optionals omitted), at a small fraction of
    /// the cost. The ledger writer stores one per change, on the hot path.
    public var jsonText: String {
        var out = "{"
        if let calendar {
            out += "\"calendar\":{\"holidays\":["
            out += calendar.holidays.map(Self.quoted).joined(separator: ",")
            out += "],\"time_zone\":" + Self.quoted(calendar.timeZone) + ",\"weekly\":{"
            out += calendar.weekly.keys.sorted().map { day in
                Self.quoted(day) + ":[" + calendar.weekly[day]!.map { "[" + $0.map(String.init).joined(separator: ",") + "]" }
                    .joined(separator: ",") + "]"
            }.joined(separator: ",")
            out += "}},"
        }
        out += "\"clocks\":["
        out += clocks.map { clock in
            var text = "{\"budget_ms\":\(clock.budgetMs)"
            if let outcome = clock.outcome { text += ",\"outcome\":" + Self.quoted(outcome) }
            text += ",\"passed\":\(clock.passed)"
            if let since = clock.runningSince { text += ",\"running_since\":\(since)" }
            text += ",\"stopped\":\(clock.stopped),\"target\":" + Self.quoted(clock.target.rawValue)
            text += ",\"used_ms\":\(clock.usedMs)}"
            return text
        }.joined(separator: ",")
        out += "],\"escalation\":" + Self.quoted(escalation)
        if let escalationDepartment { out += ",\"escalation_department\":" + Self.quoted(escalationDepartment) }
        out += ",\"targets\":{"
        out += targets.keys.sorted().map { Self.quoted($0) + ":\(targets[$0]!)" }.joined(separator: ",")
        out += "},\"warnings\":[" + warnings.map { $0 == $0.rounded() && abs($0) < 1e15 ? String(Int64($0)) : "\($0)" }.joined(separator: ",") + "]}"
        return out
    }

    /// A JSON string literal (the names and zones it holds are plain text; control characters are escaped).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension SLASnapshot {
    /// Reads the JSON the ledger stores (``jsonText``, or `JSONCoding.encode`). Keys are matched as they are:
    /// no snake-case conversion of every key of 100,000 snapshots when a ledger is read at start.
    public static func decode(json: [UInt8]) throws -> SLASnapshot {
        if let snapshot = fastDecode(json) { return snapshot }
        return try JSONDecoder().decode(SLASnapshot.self, from: Data(json))
    }
}
