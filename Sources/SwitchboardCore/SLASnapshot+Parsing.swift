import SwitchboardSchema

/// A small JSON reader for the ledger's SLA snapshots: recovery reads one per open request (100,000 at a
/// time), and Foundation's `JSONDecoder` made reading the ledger take seconds. Anything it does not expect
/// makes it give up (nil), and the caller falls back to `JSONDecoder`.
struct SnapshotReader {
    enum Value {
        case object([(String, Value)])
        case array([Value])
        case string(String)
        case number(Double, Int64?)
        case bool(Bool)
        case null

        subscript(key: String) -> Value? {
            guard case .object(let members) = self else { return nil }
            return members.first { $0.0 == key }?.1
        }

        var string: String? { if case .string(let text) = self { text } else { nil } }
        var int: Int64? { if case .number(_, let whole) = self { whole } else { nil } }
        var double: Double? { if case .number(let value, _) = self { value } else { nil } }
        var array: [Value]? { if case .array(let values) = self { values } else { nil } }
    }

    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    static func parse(_ bytes: [UInt8]) -> Value? {
        var reader = SnapshotReader(bytes)
        guard let value = reader.value() else { return nil }
        reader.skipSpaces()
        return reader.index == bytes.count ? value : nil
    }

    private mutating func skipSpaces() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    /// A byte of a JSON number: digits, sign, point, exponent.
    private static func isNumberByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x2B || byte == 0x2E || byte == 0x65 || byte == 0x45
    }

    private mutating func value() -> Value? {
        skipSpaces()
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var members: [(String, Value)] = []
            skipSpaces()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            while true {
                skipSpaces()
                guard case .string(let key)? = stringValue() else { return nil }
                skipSpaces()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                index += 1
                guard let member = value() else { return nil }
                members.append((key, member))
                skipSpaces()
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                return nil
            }
        case UInt8(ascii: "["):
            index += 1
            var values: [Value] = []
            skipSpaces()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(values) }
            while true {
                guard let element = value() else { return nil }
                values.append(element)
                skipSpaces()
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(values) }
                return nil
            }
        case UInt8(ascii: "\""):
            return stringValue()
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            for (word, result) in [("true", Value.bool(true)), ("false", .bool(false)), ("null", .null)]
            where bytes[index...].starts(with: word.utf8) {
                index += word.utf8.count
                return result
            }
            return nil
        default:
            let start = index
            while index < bytes.count, Self.isNumberByte(bytes[index]) { index += 1 }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            // Most numbers here are milliseconds: integers, read without strtod.
            if let integer = Int64(text) { return .number(Double(integer), integer) }
            guard let value = Double(text) else { return nil }
            return .number(value, nil)
        }
    }

    /// A string without escapes (the snapshot's names and zones); one with an escape gives up.
    private mutating func stringValue() -> Value? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        index += 1
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            if bytes[index] == UInt8(ascii: "\\") { return nil }
            index += 1
        }
        guard index < bytes.count else { return nil }
        defer { index += 1 }
        return .string(String(decoding: bytes[start..<index], as: UTF8.self))
    }
}

extension SLASnapshot {
    /// The snapshot from the ledger's JSON by the fast reader; nil when it holds anything unexpected.
    static func fastDecode(_ json: [UInt8]) -> SLASnapshot? {
        guard let root = SnapshotReader.parse(json), case .object(let targetMembers)? = root["targets"],
            let warnings = root["warnings"]?.array?.compactMap(\.double), let escalation = root["escalation"]?.string,
            let clockValues = root["clocks"]?.array
        else { return nil }
        var targets: [String: Int64] = [:]
        for (name, value) in targetMembers {
            guard let milliseconds = value.int else { return nil }
            targets[name] = milliseconds
        }
        var calendar: Calendar?
        if let value = root["calendar"] {
            guard let zone = value["time_zone"]?.string, case .object(let days)? = value["weekly"],
                let holidays = value["holidays"]?.array?.compactMap(\.string)
            else { return nil }
            var weekly: [String: [[Int]]] = [:]
            for (day, intervals) in days {
                guard let list = intervals.array else { return nil }
                weekly[day] = list.map { ($0.array ?? []).compactMap { $0.int.map(Int.init) } }
            }
            calendar = Calendar(timeZone: zone, weekly: weekly, holidays: holidays)
        }
        var clocks: [Clock] = []
        for value in clockValues {
            guard let target = value["target"]?.string.flatMap(SLATarget.init(rawValue:)),
                let budget = value["budget_ms"]?.int, let used = value["used_ms"]?.int,
                let passed = value["passed"]?.int, case .bool(let stopped)? = value["stopped"]
            else { return nil }
            clocks.append(Clock(
                target: target, budgetMs: budget, usedMs: used, runningSince: value["running_since"]?.int,
                passed: Int(passed), outcome: value["outcome"]?.string, stopped: stopped))
        }
        return SLASnapshot(
            targets: targets, warnings: warnings, calendar: calendar, escalation: escalation,
            escalationDepartment: root["escalation_department"]?.string, clocks: clocks)
    }
}
