import Yams

/// A configuration the broker refuses, with where and why, printed as `source:line:column: key.path: message`.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What sort of mistake it is, so callers and tests can tell them apart without reading the message.
    public enum Kind: String, Sendable, Equatable {
        /// The file could not be read, or is not UTF-8 text.
        case unreadable
        /// The text is not valid YAML.
        case syntax
        /// A key the broker does not know at that place (a typo, or a key from another section).
        case unknownKey
        /// A value of the wrong type: text where a number belongs, a list where a mapping belongs.
        case wrongType
        /// A value of the right type the broker cannot use: a bad duration, endpoint, name or level.
        case invalidValue
        /// A number or duration outside its allowed range.
        case outOfRange
        /// A key or department given twice.
        case duplicate
    }

    public var kind: Kind
    /// The file's path, or `<config>` for text that came from elsewhere.
    public var source: String
    /// 1-based line of the offending key or value, when known.
    public var line: Int?
    /// 1-based column (in Unicode scalars) of the offending key or value, when known.
    public var column: Int?
    /// Dotted path of the offending key, e.g. `departments.claims.answer_targets.urgent`; empty for the whole file.
    public var keyPath: String
    /// What is wrong and what to write instead.
    public var message: String

    public init(
        _ kind: Kind, source: String, line: Int? = nil, column: Int? = nil, keyPath: String = "", message: String
    ) {
        self.kind = kind
        self.source = source
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        var location = source
        if let line {
            location += ":\(line)"
            if let column { location += ":\(column)" }
        }
        let parts = [location, keyPath, message].filter { !$0.isEmpty }
        return parts.joined(separator: ": ")
    }
}

// MARK: - YAML syntax errors

extension ConfigurationError {
    /// Turns what `Yams.compose` threw into an error with a line, a column and (where it can be told) a key path.
    static func syntax(_ error: any Error, yaml: String, source: String) -> ConfigurationError {
        func located(
            _ problem: String, _ context: YamlError.Context?, _ line: Int, _ column: Int
        )
            -> ConfigurationError
        {
            var message = "invalid YAML: \(problem)"
            let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
            if line >= 1, line <= lines.count, lines[line - 1].unicodeScalars.dropFirst(column - 1).first == "\t" {
                message += "; YAML does not allow tabs for indentation, use spaces"
            }
            if let context {
                message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            // The construct that was open (a flow mapping, a quoted text) tells the key path better than the place
            // where the parser gave up, which is often the next line.
            let keyPath = enclosingKeyPath(
                line: context?.mark.line ?? line, column: context?.mark.column ?? column, in: yaml)
            return ConfigurationError(
                .syntax, source: source, line: line, column: column, keyPath: keyPath, message: message)
        }
        guard let yamlError = error as? YamlError else {
            return ConfigurationError(.syntax, source: source, message: "invalid YAML: \(error)")
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            return located(problem, context, mark.line, mark.column)
        case .reader(let problem, let offset, _, _):
            guard let offset else {
                return ConfigurationError(.syntax, source: source, message: "invalid YAML: \(problem)")
            }
            var line = 1
            var column = 1
            for character in yaml.prefix(offset) {
                if character.isNewline {
                    line += 1
                    column = 1
                } else {
                    column += character.unicodeScalars.count
                }
            }
            return located(problem, nil, line, column)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return duplicateKey(duplicates.first ?? "?", firstAt: context.mark, yaml: yaml, source: source)
        default:
            return ConfigurationError(.syntax, source: source, message: "invalid YAML: \(yamlError)")
        }
    }

    /// Yams refuses a mapping with a repeated key and says only where the first one is. To name the key path and
    /// point at the repetition, rename the first occurrence in a copy of the text, compose that, and look.
    static func duplicateKey(_ key: String, firstAt first: Mark, yaml: String, source: String) -> ConfigurationError {
        var fallback = ConfigurationError(
            .duplicate, source: source, line: first.line, column: first.column,
            message: "'\(key)' is given more than once in the same mapping")
        var text = yaml
        var renamed: [(line: Int, column: Int, key: String)] = []
        var next = (mark: first, key: key)
        for attempt in 0..<16 {
            // The new name has as many scalars as the old one, so that later columns on the line stay where they
            // were; private-use characters, so that it is like no other key.
            let placeholder = String(
                repeating: Character(Unicode.Scalar(0xE000 + UInt32(attempt))!), count: next.key.unicodeScalars.count)
            guard let edited = renamingKey(next.key, at: next.mark, to: placeholder, in: text) else { return fallback }
            text = edited
            renamed.append((next.mark.line, next.mark.column, next.key))
            do {
                guard let root = try Yams.compose(yaml: text),
                    let (path, mapping, index) = mapping(holdingKeyAt: first, in: root, path: "")
                else { return fallback }
                let keyPath = path.isEmpty ? key : "\(path).\(key)"
                fallback.keyPath = keyPath
                let repeated = mapping.dropFirst(index + 1).first { candidate, _ in
                    guard let mark = candidate.mark else { return false }
                    return candidate.scalar?.string == key
                        || renamed.contains { $0.line == mark.line && $0.column == mark.column && $0.key == key }
                }
                guard let mark = repeated?.key.mark else { return fallback }
                let what = path == "departments" ? "department '\(key)' is" : "'\(key)' is"
                return ConfigurationError(
                    .duplicate, source: source, line: mark.line, column: mark.column, keyPath: keyPath,
                    message: "\(what) given twice (first at line \(first.line), column \(first.column))")
            } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
                next = (context.mark, duplicates.first ?? "?")
            } catch {
                return fallback
            }
        }
        return fallback
    }

    /// The text with the key that starts at `mark` (plain or quoted) replaced by `replacement`.
    private static func renamingKey(_ key: String, at mark: Mark, to replacement: String, in text: String) -> String? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        let scalars = Array(lines[mark.line - 1].unicodeScalars)
        guard mark.column >= 1, mark.column <= scalars.count else { return nil }
        var start = mark.column - 1
        if scalars[start] == "\"" || scalars[start] == "'" { start += 1 }
        let keyScalars = Array(key.unicodeScalars)
        guard start + keyScalars.count <= scalars.count, Array(scalars[start..<start + keyScalars.count]) == keyScalars
        else { return nil }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[..<start])
        view.append(contentsOf: replacement.unicodeScalars)
        view.append(contentsOf: scalars[(start + keyScalars.count)...])
        lines[mark.line - 1] = String(view)
        return lines.joined(separator: "\n")
    }

    /// The mapping whose key starts at `mark`, its key path and the key's index in it.
    private static func mapping(holdingKeyAt mark: Mark, in node: Node, path: String) -> (String, Node.Mapping, Int)? {
        switch node {
        case .mapping(let mapping):
            for (index, (key, value)) in mapping.enumerated() {
                if let keyMark = key.mark, keyMark.line == mark.line, keyMark.column == mark.column {
                    return (path, mapping, index)
                }
                let name = key.scalar?.string ?? "?"
                if let found = self.mapping(
                    holdingKeyAt: mark, in: value, path: path.isEmpty ? name : "\(path).\(name)")
                {
                    return found
                }
            }
        case .sequence(let sequence):
            for (index, element) in sequence.enumerated() {
                if let found = self.mapping(holdingKeyAt: mark, in: element, path: "\(path)[\(index)]") { return found }
            }
        case .scalar, .alias:
            break
        }
        return nil
    }

    /// Best effort, for text that is not valid YAML: the keys of the block mappings enclosing `line:column`,
    /// read from indentation. Empty when the structure there is not plain `key:` lines (flow style, lists).
    static func enclosingKeyPath(line: Int, column: Int, in yaml: String) -> String {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
        guard line >= 1, line <= lines.count else { return "" }
        func indentation(_ scalars: [Unicode.Scalar]) -> Int { scalars.prefix { $0 == " " || $0 == "\t" }.count }
        func isBlank(_ scalars: [Unicode.Scalar]) -> Bool {
            let rest = scalars.drop { $0 == " " || $0 == "\t" || $0 == "\r" }
            return rest.isEmpty || rest.first == "#"
        }
        /// `key:` at the start of the line (after indentation): the key and the column after the colon.
        func keyPrefix(_ scalars: [Unicode.Scalar]) -> (key: String, end: Int)? {
            let start = indentation(scalars)
            var end = start
            while end < scalars.count, scalars[end] != ":", scalars[end] != " ", scalars[end] != "#",
                !"{}[],&*!|>'\"%@`-".unicodeScalars.contains(scalars[end]) || end > start
            {
                end += 1
            }
            guard end > start, end < scalars.count, scalars[end] == ":",
                end + 1 == scalars.count || scalars[end + 1] == " " || scalars[end + 1] == "\r"
            else { return nil }
            var key = String.UnicodeScalarView()
            key.append(contentsOf: scalars[start..<end])
            return (String(key), end + 1)
        }
        var path: [String] = []
        let target = lines[line - 1]
        var limit: Int
        if !isBlank(target), let own = keyPrefix(target), column - 1 >= own.end {
            path = [own.key]
            limit = indentation(target)
        } else {
            limit = isBlank(target) ? column - 1 : indentation(target)
        }
        var index = line - 2
        while limit > 0, index >= 0 {
            defer { index -= 1 }
            let scalars = lines[index]
            if isBlank(scalars) || indentation(scalars) >= limit { continue }
            // `key:` opens the mapping the line is in; `key: value` is a value the line continues (only possible
            // for the innermost key).
            guard let enclosing = keyPrefix(scalars),
                path.isEmpty || enclosing.end == scalars.count || isBlank(Array(scalars[enclosing.end...]))
            else { return "" }
            path.insert(enclosing.key, at: 0)
            limit = indentation(scalars)
        }
        return path.joined(separator: ".")
    }
}

// MARK: - Every problem of a file

/// A configuration refused for all its problems at once (`switchboardd --check-config`, start-up, SIGHUP).
public struct ConfigurationProblems: Error, Sendable, Equatable, CustomStringConvertible {
    /// In the order of the file: by line, problems without a line last.
    public let problems: [ConfigurationError]

    public init(problems: [ConfigurationError]) {
        self.problems = problems.enumerated().sorted { first, second in
            let (a, b) = (first.element, second.element)
            let lineA = a.line ?? Int.max, lineB = b.line ?? Int.max
            if lineA != lineB { return lineA < lineB }
            if (a.column ?? 0) != (b.column ?? 0) { return (a.column ?? 0) < (b.column ?? 0) }
            return first.offset < second.offset
        }.map(\.element)
    }

    /// One problem per line.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// What checking a configuration found: the configuration as far as it could be read, and every problem.
public struct ConfigurationReport: Sendable {
    public var configuration: BrokerConfiguration
    public var problems: [ConfigurationError]
}
