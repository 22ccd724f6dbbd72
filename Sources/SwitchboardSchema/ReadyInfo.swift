/// The JSON body of a worker's READY (`schemas/ready.schema.json`).
public struct ReadyInfo: Codable, Sendable, Equatable {
    /// Departments this worker serves; at least one.
    public var departments: [String]
    /// How many requests it takes at once (1 to 1000).
    public var credit: Int
    /// A display name for operators, such as `claims-bot-3`.
    public var name: String?

    public init(departments: [String], credit: Int, name: String? = nil) {
        self.departments = departments
        self.credit = credit
        self.name = name
    }

    public static let maxCredit = 1000

    /// Parses and validates a READY body, naming the field that is wrong.
    public static func parse(_ bytes: [UInt8]) throws(ProtocolError) -> ReadyInfo {
        let info: ReadyInfo
        do {
            info = try JSONCoding.decode(ReadyInfo.self, from: bytes)
        } catch {
            throw ProtocolError(
                .badRequest, "bad-ready",
                "READY body must be JSON like {\"departments\":[\"claims\"],\"credit\":4}: \(JSONErrorText.describe(error))")
        }
        if info.departments.isEmpty {
            throw ProtocolError(.badRequest, "bad-ready", "READY: departments must list at least one department")
        }
        if let bad = info.departments.first(where: { !DepartmentName.isValid($0) }) {
            throw ProtocolError(.badRequest, "bad-department", "READY: '\(bad)' is not a valid department name")
        }
        if !(1...maxCredit).contains(info.credit) {
            throw ProtocolError(.badRequest, "bad-credit", "READY: credit must be 1 to \(maxCredit); got \(info.credit)")
        }
        if let name = info.name, name.utf8.count > 128 {
            throw ProtocolError(.badRequest, "bad-ready", "READY: name is longer than 128 bytes")
        }
        return info
    }
}

/// Short, body-free descriptions of JSON decoding errors.
enum JSONErrorText {
    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _):
            return "missing field '\(key.stringValue.snakeCased)'"
        case DecodingError.typeMismatch(_, let context) where context.codingPath.isEmpty:
            return "not a JSON object"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at '\(path(context.codingPath))'"
        case DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty:
            return "not valid JSON"
        case DecodingError.dataCorrupted(let context):
            return "bad value at '\(path(context.codingPath))'"
        default:
            return "not valid JSON"
        }
    }

    /// `departments.0` rather than `departments.Index 0`: array positions by number, keys as on the wire.
    static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.map { key in key.intValue.map(String.init) ?? key.stringValue.snakeCased }.joined(separator: ".")
    }
}

extension String {
    var snakeCased: String {
        var out = ""
        for character in self {
            if character.isUppercase {
                out += "_" + character.lowercased()
            } else {
                out.append(character)
            }
        }
        return out
    }
}
