/// Writes the Prometheus text exposition format (version 0.0.4): `# HELP` and `# TYPE` once per family,
/// then its samples, label values escaped.
struct PrometheusText {
    enum Kind: String { case counter, gauge, histogram }

    private(set) var text = ""

    /// Starts a family (its full name, `switchboard_` prefix included).
    mutating func family(_ name: String, _ kind: Kind, _ help: String) {
        text += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(kind.rawValue)\n"
    }

    mutating func sample(_ name: String, _ value: Double) {
        sample(name, [(String, String)](), value)
    }

    mutating func sample(_ name: String, _ value: UInt64) {
        sample(name, [(String, String)](), Double(value))
    }

    mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String>, _ value: Double) {
        sample(name, Array(labels), value)
    }

    mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(Self.escapeLabel($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " " + Self.format(value) + "\n"
    }

    mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String>, _ value: UInt64) {
        sample(name, Array(labels), Double(value))
    }

    /// A histogram's `_bucket` (cumulative, with `le`), `_sum` and `_count` samples.
    mutating func histogram(_ name: String, _ labels: [(String, String)], bounds: [Double], cumulative: [UInt64], sum: Double, count: UInt64) {
        for (index, bound) in bounds.enumerated() {
            sample(name + "_bucket", labels + [("le", Self.format(bound))], Double(cumulative[index]))
        }
        sample(name + "_bucket", labels + [("le", "+Inf")], Double(count))
        sample(name + "_sum", labels, sum)
        sample(name + "_count", labels, Double(count))
    }

    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    static func escapeLabel(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    static func escapeHelp(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}
