import Foundation
import SwitchboardSchema
import Yams

/// Reads `http.agents`, `http.integrations`, `http.cors` and `webhooks` (after the departments, which they name).
extension ConfigurationReader {
    static let webhookEventNames = AgentEvent.streamTypes.map(\.rawValue).sorted()

    func readAgentAccess(_ http: [String: Entry], departments known: Set<String>, into config: inout BrokerConfiguration) {
        var access = HTTPAgentAccess()
        var tokens: [String: String] = [:]
        for token in config.httpTokens.observe + config.httpTokens.operate { tokens[token] = "http.tokens" }
        for (key, kind) in [("agents", HTTPAgentAccess.Holder.Kind.agent), ("integrations", .integration)] {
            guard let section = http[key] else { continue }
            collecting { () throws(ConfigurationError) in
                for entry in try entries(of: section.value, path: section.path) {
                    collecting { () throws(ConfigurationError) in
                        let fields = try namedFields(entry, section: "http.\(key).<name>")
                        guard let tokenEntry = fields["token"] else {
                            throw failure(
                                .invalidValue, at: entry.keyNode, entry.path,
                                "give its token: token: \"<at least 16 random characters>\" (openssl rand -hex 24)")
                        }
                        let token = try string(tokenEntry)
                        guard token.count >= 16 else {
                            throw failure(.invalidValue, at: tokenEntry, "a token must be text of at least 16 characters")
                        }
                        if let other = tokens[token] {
                            throw failure(.invalidValue, at: tokenEntry, "this token is already \(other)'s; each token names one holder")
                        }
                        if access.holders.contains(where: { $0.name == entry.key }) {
                            throw failure(
                                .duplicate, at: entry.keyNode, entry.path,
                                "'\(entry.key)' is both an agent and an integration; give each its own name")
                        }
                        tokens[token] = entry.path
                        let submit = try fields["submit"].map { entry throws(ConfigurationError) in try departments(entry, known: known) } ?? .all
                        access.holders.append(.init(name: entry.key, kind: kind, token: token, submit: submit))
                    }
                }
            }
        }
        if let section = http["cors"] {
            collecting { () throws(ConfigurationError) in
                let fields = try fields(of: section.value, path: section.path, section: "http.cors")
                guard let list = fields["origins"] else { return }
                guard case .sequence(let sequence) = list.value else {
                    throw failure(.wrongType, at: list, "expected a list of origins such as [\"https://crm.example.com\"]")
                }
                for node in sequence {
                    guard case .scalar(let scalar) = node, Self.isOrigin(scalar.string) else {
                        throw failure(
                            .invalidValue, at: node, list.path,
                            "an origin is scheme://host[:port] with no path, such as https://crm.example.com")
                    }
                    access.corsOrigins.append(scalar.string.lowercased())
                }
            }
        }
        config.httpAgents = access
    }

    /// The fields of a named entry (an agent, an integration, a webhook), once its name is checked.
    private func namedFields(_ entry: Entry, section: String) throws(ConfigurationError) -> [String: Entry] {
        let fields = try fields(of: entry.value, path: entry.path, section: section)
        guard Self.isValidName(entry.key) else {
            throw failure(.invalidValue, at: entry.keyNode, entry.path, "a name is 1 to 64 letters, digits, '.', '-', '_' or '@'")
        }
        return fields
    }

    func readWebhooks(_ section: Entry, departments known: Set<String>, into config: inout BrokerConfiguration) {
        collecting { () throws(ConfigurationError) in
            for entry in try entries(of: section.value, path: section.path) {
                collecting { () throws(ConfigurationError) in
                    let fields = try namedFields(entry, section: "webhooks.<name>")
                    guard let urlEntry = fields["url"], let secretEntry = fields["secret"] else {
                        throw failure(
                            .invalidValue, at: entry.keyNode, entry.path,
                            "a webhook needs url: (http:// or https://) and secret: (at least 16 characters, to sign with)")
                    }
                    let url = try string(urlEntry)
                    guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
                        parsed.host?.isEmpty == false
                    else {
                        throw failure(.invalidValue, at: urlEntry, "'\(url)' is not an http:// or https:// URL")
                    }
                    let secret = try string(secretEntry)
                    guard secret.count >= 16 else {
                        throw failure(.invalidValue, at: secretEntry, "a secret must be text of at least 16 characters")
                    }
                    var webhook = WebhookConfiguration(name: entry.key, url: url, secret: secret)
                    if let events = fields["events"] {
                        guard case .sequence(let sequence) = events.value, !sequence.isEmpty else {
                            throw failure(.wrongType, at: events, "expected a list of event types such as [request.answered]")
                        }
                        var types: Set<EventType> = []
                        for node in sequence {
                            guard case .scalar(let scalar) = node, let type = EventType(rawValue: scalar.string),
                                AgentEvent.streamTypes.contains(type)
                            else {
                                throw failure(
                                    .invalidValue, at: node, events.path,
                                    "unknown event type; use any of " + Self.webhookEventNames.joined(separator: ", "))
                            }
                            types.insert(type)
                        }
                        webhook.events = types
                    }
                    if let departments = fields["departments"] {
                        if case .only(let names) = try self.departments(departments, known: known) { webhook.departments = names }
                    }
                    if let timeout = fields["timeout"] {
                        webhook.timeout = try duration(timeout, in: .milliseconds(100)...(.seconds(300)))
                    }
                    if let attempts = fields["max_attempts"] { webhook.maxAttempts = try integer(attempts, in: 1...100) }
                    config.webhooks.append(webhook)
                }
            }
        }
    }

    static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || ".-_@".unicodeScalars.contains($0)) }
    }

    static func isOrigin(_ text: String) -> Bool {
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
            url.host?.isEmpty == false, url.path.isEmpty, url.query == nil
        else { return false }
        return true
    }
}
