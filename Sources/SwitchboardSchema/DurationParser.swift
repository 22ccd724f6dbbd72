/// Reads and writes the durations the configuration file uses: `2500ms`, `2.5s`, `90s`, `1m`, `4h`, `1d`, and
/// sequences from the largest unit to the smallest such as `1h30m` or `1d12h`.
///
/// A number always needs a unit, so `30` is refused rather than guessed at (seconds? minutes?).
public enum DurationParser {
    /// The units, largest first, with their length in nanoseconds.
    static let units: [(name: String, nanoseconds: Int128)] = [
        ("d", 86_400_000_000_000), ("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000),
        ("ms", 1_000_000),
    ]

    /// The units as the error messages list them.
    public static let unitList = "ms, s, m, h or d"

    /// Why a text is not a duration; `message` says how to write it instead.
    public struct InvalidDuration: Error, Sendable, Equatable, CustomStringConvertible {
        /// The text as it was given.
        public var text: String
        /// What is wrong and how to write it.
        public var message: String

        public var description: String { message }
    }

    /// Parses `text` (surrounding spaces ignored) into a `Duration`.
    public static func parse(_ text: String) throws(InvalidDuration) -> Duration {
        let trimmed = text.trimmingSpaces
        func refuse(_ why: String) -> InvalidDuration {
            InvalidDuration(text: text, message: "'\(text)' is not a duration: \(why)")
        }
        guard !trimmed.isEmpty else { throw refuse("it is empty; write a number and a unit (\(unitList)), e.g. 30s") }
        if trimmed.hasPrefix("-") { throw refuse("durations cannot be negative") }
        if trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "+") }) {
            let number = trimmed.hasPrefix("+") ? String(trimmed.dropFirst()) : trimmed
            throw refuse("a number needs a unit (\(unitList)), e.g. \(number)s or \(number)ms")
        }

        let characters = Array(trimmed)
        var index = 0
        var total: Int128 = 0
        var previousUnit = -1
        while index < characters.count {
            // The number: digits, optionally a fraction.
            var whole = ""
            while index < characters.count, characters[index].isASCII, characters[index].isNumber {
                whole.append(characters[index])
                index += 1
            }
            var fraction = ""
            if index < characters.count, characters[index] == "." {
                index += 1
                while index < characters.count, characters[index].isASCII, characters[index].isNumber {
                    fraction.append(characters[index])
                    index += 1
                }
                guard !whole.isEmpty, !fraction.isEmpty else {
                    throw refuse("write fractions with digits on both sides of the point, e.g. 0.5s or 2.5s")
                }
            }
            guard !whole.isEmpty else {
                if characters[index] == " " || characters[index] == "\t" {
                    throw refuse("unexpected ' '; write e.g. 1h30m, without spaces")
                }
                throw refuse("expected a number at '\(String(characters[index...]))'; e.g. 30s, 1h30m")
            }
            // The unit: letters.
            var unitName = ""
            while index < characters.count, characters[index].isASCII, characters[index].isLetter {
                unitName.append(characters[index])
                index += 1
            }
            if unitName.isEmpty {
                if index < characters.count {
                    throw refuse("unexpected '\(characters[index])'; write e.g. 1h30m, without spaces")
                }
                throw refuse("'\(whole)\(fraction.isEmpty ? "" : "." + fraction)' at the end has no unit (\(unitList))")
            }
            guard let unitIndex = units.firstIndex(where: { $0.name == unitName }) else {
                throw refuse("unknown unit '\(unitName)'; use \(unitList)")
            }
            guard unitIndex > previousUnit else {
                throw refuse("give each unit once, from the largest to the smallest, e.g. 1h30m")
            }
            previousUnit = unitIndex
            guard whole.count <= 20, fraction.count <= 18, let wholeValue = Int128(whole),
                let fractionValue = Int128(fraction.isEmpty ? "0" : fraction)
            else { throw refuse("it is too long or too precise") }
            let unit = units[unitIndex].nanoseconds
            var scale: Int128 = 1
            for _ in 0..<fraction.count { scale *= 10 }
            total += wholeValue * unit + fractionValue * unit / scale
            guard total <= Int128(Int64.max) else { throw refuse("it is too long") }
        }
        return .nanoseconds(Int64(total))
    }

    /// Writes `duration` the way `parse` reads it, in the largest units that fit: `2.5s`, `1h30m`, `15m`, `1d`.
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        var nanoseconds = Int128(seconds) * 1_000_000_000 + Int128(attoseconds / 1_000_000_000)
        if nanoseconds == 0 { return "0s" }
        var text = ""
        if nanoseconds < 0 {
            text = "-"
            nanoseconds = -nanoseconds
        }
        for (name, length) in units.prefix(3) where nanoseconds >= length {
            text += "\(nanoseconds / length)\(name)"
            nanoseconds %= length
        }
        if nanoseconds == 0 { return text }
        // What is left is under a minute: seconds with a fraction, or milliseconds below one second.
        let (unit, length): (String, Int128) = nanoseconds >= 1_000_000_000 ? ("s", 1_000_000_000) : ("ms", 1_000_000)
        var digits = String(nanoseconds % length)
        digits = String(repeating: "0", count: String(length).count - 1 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return text + "\(nanoseconds / length)" + (digits.isEmpty ? "" : ".\(digits)") + unit
    }
}

extension String {
    /// The text without leading and trailing spaces, tabs and line breaks.
    fileprivate var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0.isNewline }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
