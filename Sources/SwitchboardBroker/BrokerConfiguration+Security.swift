import Foundation
import Yams
import ZeroMQ

/// `security:` and `http.tokens:` in the configuration file.
///
/// ```yaml
/// security:
///   key: /etc/switchboard/broker.key_secret     # the broker's secret certificate (switchboard keygen)
///   insecure: false                             # plain endpoints beyond loopback, on purpose
///   principals:
///     alice:     {kind: agent, key_file: /etc/switchboard/keys/alice.key, submit: [claims, eligibility]}
///     claims-bot: {kind: bot, key: "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", serve: [claims]}
///     ops-desk:  {kind: ops, key_file: /etc/switchboard/keys/ops.key, operate: true}
/// ```
extension ConfigurationReader {
    /// `departments`: the configured departments, which principals' permissions may name.
    func security(_ section: Entry, departments: Set<String>) throws(ConfigurationError) -> SecurityConfiguration {
        var security = SecurityConfiguration()
        let fields = try fields(of: section.value, path: section.path, section: "security")
        var keyRefused = false
        collecting { () throws(ConfigurationError) in
            guard let entry = fields["key"] else { return }
            keyRefused = true
            let certificate = try certificate(entry)
            guard let pair = certificate.keyPair else {
                throw failure(
                    .invalidValue, at: entry,
                    "'\(try string(entry))' is a public certificate; the broker needs its secret certificate "
                        + "(the _secret file switchboard keygen writes)")
            }
            security.serverKey = pair
            keyRefused = false
        }
        collecting { () throws(ConfigurationError) in
            if let entry = fields["insecure"] { security.insecure = try bool(entry) }
        }
        if let entry = fields["principals"] {
            collecting { () throws(ConfigurationError) in
                for principal in try entries(of: entry.value, path: entry.path) {
                    collecting { () throws(ConfigurationError) in
                        let settings = try self.fields(
                            of: principal.value, path: principal.path, section: "security.principals.<name>")
                        security.principals.append(try self.principal(principal, settings, departments: departments))
                    }
                }
            }
        }
        if let entry = fields["certificates"] {
            for principal in try certificateStore(entry, departments: departments) {
                guard security.principal(named: principal.name) == nil else {
                    throw failure(
                        .invalidValue, at: entry,
                        "the certificate of '\(principal.name)' names a principal that security.principals also has")
                }
                security.principals.append(principal)
            }
        }
        var keys: [[UInt8]: String] = [:]
        for principal in security.principals {
            if let other = keys[principal.publicKey] {
                throw failure(
                    .invalidValue, at: section.keyNode, section.path,
                    "principals '\(other)' and '\(principal.name)' have the same public key; each key names one principal")
            }
            keys[principal.publicKey] = principal.name
        }
        if security.serverKey == nil && !security.principals.isEmpty && !keyRefused {
            throw failure(
                .invalidValue, at: section.keyNode, section.path,
                "principals are configured but security.key is not: without the broker's key pair there is no CURVE, "
                    + "so no peer could prove who it is; add key: (switchboard keygen broker)")
        }
        return security
    }

    private func principal(_ entry: Entry, _ fields: [String: Entry], departments known: Set<String>)
        throws(ConfigurationError) -> Principal
    {
        guard let kindEntry = fields["kind"] else {
            throw failure(.invalidValue, at: entry.keyNode, entry.path, "give its kind: agent, bot or ops")
        }
        let kindText = try string(kindEntry)
        guard let kind = Principal.Kind(rawValue: kindText) else {
            throw failure(.invalidValue, at: kindEntry, "unknown kind '\(kindText)'; use agent, bot or ops")
        }
        let publicKey: [UInt8]
        switch (fields["key"], fields["key_file"]) {
        case (let key?, nil):
            let text = try string(key)
            guard let decoded = Z85.decode(text), decoded.count == 32 else {
                throw failure(.invalidValue, at: key, "'\(text)' is not a CURVE public key (40 characters of Z85)")
            }
            publicKey = decoded
        case (nil, let file?):
            publicKey = try certificate(file).publicKey
        case (_?, _?):
            throw failure(.invalidValue, at: entry.keyNode, entry.path, "give key or key_file, not both")
        case (nil, nil):
            throw failure(
                .invalidValue, at: entry.keyNode, entry.path,
                "give its public key: key: \"<40 characters of Z85>\" or key_file: <its public certificate>")
        }
        var principal = Principal(name: entry.key, kind: kind, publicKey: publicKey)
        if let submit = fields["submit"] { principal.submit = try departments(submit, known: known) }
        if let serve = fields["serve"] { principal.serve = try departments(serve, known: known) }
        if let operate = fields["operate"] { principal.operate = try bool(operate) }
        switch kind {
        case .agent where fields["serve"] != nil || fields["operate"] != nil:
            throw failure(.invalidValue, at: entry.keyNode, entry.path, "an agent may only submit: remove serve/operate")
        case .bot where fields["submit"] != nil || fields["operate"] != nil:
            throw failure(.invalidValue, at: entry.keyNode, entry.path, "a bot may only serve: remove submit/operate")
        case .ops where fields["serve"] != nil:
            throw failure(.invalidValue, at: entry.keyNode, entry.path, "ops do not serve departments: remove serve")
        default:
            return principal
        }
    }

    /// `[claims, eligibility]`, or `"*"` for every department.
    func departments(_ entry: Entry, known: Set<String>) throws(ConfigurationError) -> Principal.Departments {
        if case .scalar = entry.value, try string(entry) == "*" { return .all }
        guard case .sequence(let sequence) = entry.value else {
            throw failure(.wrongType, at: entry, "expected a list of departments such as [claims, billing], or \"*\"")
        }
        var names: Set<String> = []
        for node in sequence {
            guard case .scalar(let scalar) = node else {
                throw failure(.wrongType, at: node, entry.path, "expected a department name, got \(describe(node))")
            }
            names.insert(scalar.string)
        }
        let unknown = names.subtracting(known).sorted()
        guard unknown.isEmpty else {
            throw failure(
                .invalidValue, at: entry,
                "names department(s) that are not configured: \(unknown.joined(separator: ", ")); known: "
                    + known.sorted().joined(separator: ", "))
        }
        return .only(names)
    }

    /// A directory of public certificates, as czmq's certificate store keeps them: each `*.key` file's
    /// metadata names the principal (`name`), its `kind`, and `submit`, `serve` (comma-separated departments,
    /// or `*`) and `operate` (`true`). Secret certificates (`*_secret`) are ignored.
    private func certificateStore(_ entry: Entry, departments known: Set<String>) throws(ConfigurationError) -> [Principal] {
        let directory = try string(entry)
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { !$0.hasSuffix("_secret") && !$0.hasPrefix(".") }.sorted()
        } catch {
            throw failure(.invalidValue, at: entry, "the certificate directory \(directory) cannot be read")
        }
        var principals: [Principal] = []
        for file in files {
            let path = (directory as NSString).appendingPathComponent(file)
            let certificate: CurveCertificate
            do {
                certificate = try CurveCertificate.load(contentsOf: path)
            } catch {
                throw failure(.invalidValue, at: entry, error.description)
            }
            func invalid(_ reason: String) -> ConfigurationError { failure(.invalidValue, at: entry, "\(path): \(reason)") }
            guard let name = certificate.metadata("name"), !name.isEmpty else { throw invalid("its metadata has no name") }
            guard let kind = certificate.metadata("kind").flatMap(Principal.Kind.init(rawValue:)) else {
                throw invalid("its metadata needs kind = \"agent\", \"bot\" or \"ops\"")
            }
            func departments(_ key: String) -> Principal.Departments {
                guard let value = certificate.metadata(key) else { return .none }
                if value == "*" { return .all }
                return .only(Set(value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }))
            }
            for key in ["submit", "serve"] {
                guard case .only(let names) = departments(key), !names.isSubset(of: known) else { continue }
                throw invalid(
                    "its \(key) names department(s) that are not configured: "
                        + names.subtracting(known).sorted().joined(separator: ", "))
            }
            principals.append(Principal(
                name: name, kind: kind, publicKey: certificate.publicKey, submit: kind == .bot ? .none : departments("submit"),
                serve: kind == .bot ? departments("serve") : .none, operate: kind == .ops && certificate.metadata("operate") == "true"))
        }
        return principals
    }

    private func certificate(_ entry: Entry) throws(ConfigurationError) -> CurveCertificate {
        let path = try string(entry)
        do {
            return try CurveCertificate.load(contentsOf: path)
        } catch {
            throw failure(.invalidValue, at: entry, error.description)
        }
    }

    func tokens(_ entry: Entry) throws(ConfigurationError) -> HTTPTokens {
        var tokens = HTTPTokens()
        let fields = try fields(of: entry.value, path: entry.path, section: "http.tokens")
        for (key, keyPath) in [("observe", \HTTPTokens.observe), ("operate", \HTTPTokens.operate)] {
            guard let list = fields[key] else { continue }
            guard case .sequence(let sequence) = list.value else {
                throw failure(.wrongType, at: list, "expected a list of tokens, e.g. [\"<32 random characters>\"]")
            }
            for node in sequence {
                guard case .scalar(let scalar) = node, scalar.string.count >= 16 else {
                    throw failure(.invalidValue, at: node, list.path, "a token must be text of at least 16 characters")
                }
                tokens[keyPath: keyPath].append(scalar.string)
            }
        }
        return tokens
    }
}

/// Bearer tokens for the HTTP surface: `observe` reads, `operate` also acts.
public struct HTTPTokens: Sendable, Equatable {
    public var observe: [String] = []
    public var operate: [String] = []

    public init() {}

    public var isEmpty: Bool { observe.isEmpty && operate.isEmpty }
}
