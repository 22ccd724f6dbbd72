import Foundation
import SwitchboardCore
import SwitchboardSchema
import SwitchboardStore
import SwitchboardPostgres
import Yams

/// Reads the configuration file. Every key is optional; what is left out keeps its default, so an empty file (or one
/// with only comments) is the default configuration. `deploy/switchboard.yaml` documents each key for operators.
///
/// ```yaml
/// endpoint: tcp://127.0.0.1:5570      # ROUTER for agents and workers (tcp, ipc, inproc, ws, wss, vmci)
/// events: tcp://127.0.0.1:5571        # PUB for events; must differ from endpoint
/// data_dir: ./var                    # the ledger: <data_dir>/switchboard.sqlite
/// durability: fsync                   # fsync (survives power loss) or os (survives a daemon crash)
/// retention: 30d                      # how long finished requests are kept; >= 1m
/// log:
///   level: info                       # trace, debug, info, notice, warning, error, critical
///   bodies: false                     # bodies may hold members' health information
/// limits:
///   max_body_bytes: 1048576           # 1 ... 67108864
///   high_water_mark: 10000            # >= 1 (ROUTER send/receive high-water mark)
///   max_open_requests: 1000000        # >= 1
///   retained_finished_requests: 10000 # >= 0 (finished requests cached in memory; the rest is read from the ledger)
/// heartbeat:
///   interval: 2.5s                    # 10ms ... 5m
///   liveness: 3                       # 1 ... 100
/// defaults:                           # for every department that does not say otherwise
///   max_attempts: 5                   # 1 ... 100
///   offer_timeout: 30s                # > 0
///   answer_targets: {urgent: 15m, high: 1h, normal: 4h, low: 24h}   # or one duration for all
/// departments:                        # absent: claims, eligibility, pharmacy, billing, provider-relations
///   claims:                           # `{}` or nothing takes the defaults
///     description: Claim status and appeals
///     max_attempts: 5
///     offer_timeout: 30s
///     answer_targets: 4h              # or {urgent: ..., high: ..., normal: ..., low: ...}, partly or fully
/// ```
///
/// Durations are written `2500ms`, `2.5s`, `90s`, `1m`, `4h`, `1d` or `1h30m` (see `DurationParser`).
extension BrokerConfiguration {
    /// Reads and checks the configuration file at `path`.
    public static func load(contentsOf path: String) throws(ConfigurationError) -> BrokerConfiguration {
        try parse(yaml: ConfigurationFile.text(at: path), source: path)
    }

    /// Reads and checks a configuration from YAML text; `source` names it in errors. Throws the first problem
    /// found; ``check(yaml:source:)`` gives them all.
    public static func parse(yaml: String, source: String = "<config>") throws(ConfigurationError)
        -> BrokerConfiguration
    {
        let report = check(yaml: yaml, source: source)
        if let first = report.problems.first { throw first }
        return report.configuration
    }

    /// Reads and checks the configuration file at `path`, refusing it with every problem it has.
    public static func read(contentsOf path: String) throws(ConfigurationProblems) -> BrokerConfiguration {
        let report = check(contentsOf: path)
        guard report.problems.isEmpty else { throw ConfigurationProblems(problems: report.problems) }
        return report.configuration
    }

    /// Every problem of the file at `path` (in file order), and the configuration read around them.
    public static func check(contentsOf path: String) -> ConfigurationReport {
        do {
            return check(yaml: try ConfigurationFile.text(at: path), source: path)
        } catch {
            return ConfigurationReport(configuration: BrokerConfiguration(), problems: [error])
        }
    }

    /// Every problem of a configuration in YAML text, and what could be read around them: a mistake in one key
    /// does not hide the next. YAML syntax errors are the exception: the parser stops at the first.
    public static func check(yaml: String, source: String = "<config>") -> ConfigurationReport {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            return ConfigurationReport(
                configuration: BrokerConfiguration(), problems: [ConfigurationError.syntax(error, yaml: yaml, source: source)])
        }
        let reader = ConfigurationReader(source: source)
        let configuration = reader.read(root)
        return ConfigurationReport(configuration: configuration, problems: reader.problems.found)
    }

    /// Every key the file may hold, by section. `<name>` stands for a department's name.
    static let configurationKeys: [(section: String, keys: [String])] = [
        ("", ["endpoint", "events", "http", "security", "data_dir", "durability", "retention", "log", "limits",
              "heartbeat", "shutdown", "defaults", "departments", "webhooks", "ledger"]),
        ("ledger", ["backend", "url", "lease", "renew_interval", "name"]),
        ("http", ["listen", "tokens", "agents", "integrations", "cors"]),
        ("http.agents.<name>", ["token", "submit"]),
        ("http.integrations.<name>", ["token", "submit"]),
        ("http.cors", ["origins"]),
        ("webhooks.<name>", ["url", "secret", "events", "departments", "timeout", "max_attempts"]),
        ("http.tokens", ["observe", "operate"]),
        ("security", ["key", "insecure", "principals", "certificates"]),
        ("security.principals.<name>", ["kind", "key", "key_file", "submit", "serve", "operate"]),
        ("log", ["level", "bodies"]),
        ("shutdown", ["drain_timeout"]),
        ("limits", ["max_body_bytes", "high_water_mark", "max_open_requests", "retained_finished_requests"]),
        ("heartbeat", ["interval", "liveness"]),
        ("defaults", policyKeys),
        ("departments.<name>", departmentKeys),
        ("calendar", ["time_zone", "hours", "holidays"]),
        ("calendar.hours", BusinessHoursReader.weekdays),
        ("escalation", ["transfer"]),
    ]

    /// The keys `defaults` and each department may set.
    static let policyKeys = [
        "max_attempts", "offer_timeout", "answer_targets", "first_response_targets", "update_targets", "warnings",
        "calendar", "escalation", "transfer_clock",
    ]

    /// The keys each department may set.
    static let departmentKeys = ["description"] + policyKeys

    /// The log levels `log.level` accepts (swift-log's).
    static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// Bounds the reader enforces.
    static let maxBodyBytesRange = 1...67_108_864
    static let heartbeatIntervalRange = Duration.milliseconds(10)...Duration.seconds(300)
    static let drainTimeoutRange = Duration.zero...Duration.seconds(3600)
}

// MARK: - Walking the tree

/// Walks the composed YAML by hand, so that every refusal names its line, column and key path.
struct ConfigurationReader {
    let source: String
    /// What is wrong with the file, in the order found. Readers note a problem and go on with the next key, so
    /// that one run of `--check-config` lists every mistake.
    let problems = ProblemLog()

    /// One `key: value` pair, with the dotted path of the key.
    struct Entry {
        var key: String
        var keyNode: Node
        var value: Node
        var path: String
    }

    final class ProblemLog {
        private(set) var found: [ConfigurationError] = []
        func note(_ problem: ConfigurationError) { found.append(problem) }
    }

    /// Runs `body`, noting what it throws instead of stopping the reading.
    func collecting(_ body: () throws(ConfigurationError) -> Void) {
        do { try body() } catch { problems.note(error) }
    }

    func read(_ root: Node?) -> BrokerConfiguration {
        var config = BrokerConfiguration()
        guard let root else { return config }
        if root.mapping == nil, !isNull(root) {
            problems.note(failure(
                .wrongType, at: root, "",
                "the configuration must be a mapping of keys such as 'endpoint:' and 'departments:', "
                    + "got \(describe(root))"))
            return config
        }
        var top: [String: Entry] = [:]
        collecting { () throws(ConfigurationError) in top = try fields(of: root, path: "", section: "") }
        collecting { () throws(ConfigurationError) in
            if let entry = top["endpoint"] { config.endpoint = try endpoint(entry) }
        }
        collecting { () throws(ConfigurationError) in
            if let entry = top["events"] { config.eventsEndpoint = try endpoint(entry) }
            if config.endpoint == config.eventsEndpoint, let entry = top["events"] ?? top["endpoint"] {
                throw failure(
                    .invalidValue, at: entry,
                    "endpoint and events must be different addresses; both are '\(config.endpoint)'")
            }
        }
        if let section = top["http"] { readHTTP(section, into: &config) }
        collecting { () throws(ConfigurationError) in
            guard let entry = top["data_dir"] else { return }
            config.dataDirectory = try string(entry)
            guard !config.dataDirectory.isEmpty else {
                throw failure(.invalidValue, at: entry, "give a directory, e.g. ./var or /var/lib/switchboard")
            }
        }
        collecting { () throws(ConfigurationError) in
            guard let entry = top["durability"] else { return }
            let text = try string(entry)
            guard let durability = Durability(rawValue: text) else {
                throw failure(
                    .invalidValue, at: entry,
                    "durability must be 'fsync' (a commit survives power loss) or 'os' (it survives a crash of the "
                        + "daemon); got '\(text)'")
            }
            config.durability = durability
        }
        collecting { () throws(ConfigurationError) in
            if let entry = top["retention"] {
                config.core.retention = try duration(entry, in: .seconds(60)...(.seconds(100 * 365 * 86_400)))
            }
        }
        if let section = top["ledger"] { readLedger(section, into: &config) }
        if let section = top["log"] { readLog(section, into: &config) }
        if let section = top["limits"] { readLimits(section, into: &config) }
        if let section = top["heartbeat"] { readHeartbeat(section, into: &config) }
        if let section = top["shutdown"] {
            collecting { () throws(ConfigurationError) in
                let shutdown = try fields(of: section.value, path: section.path, section: "shutdown")
                if let entry = shutdown["drain_timeout"] {
                    config.drainTimeout = try duration(entry, in: BrokerConfiguration.drainTimeoutRange)
                }
            }
        }
        var template = DepartmentPolicy(name: "")
        var defaults: [String: Entry] = [:]
        if let section = top["defaults"] {
            collecting { () throws(ConfigurationError) in
                defaults = try fields(of: section.value, path: section.path, section: "defaults")
            }
            template = policy(defaults, base: template)
        }
        config.core.departments = departments(top["departments"], template: template, defaults: defaults)
        // Agents' tokens, webhooks and principals may name departments: read them once those are known.
        let known = Set(config.core.departments.map(\.name))
        if let section = top["http"], case .mapping = section.value {
            var http: [String: Entry] = [:]
            for entry in (try? entries(of: section.value, path: section.path)) ?? [] { http[entry.key] = entry }
            readAgentAccess(http, departments: known, into: &config)
        }
        if let section = top["webhooks"] { readWebhooks(section, departments: known, into: &config) }
        if let section = top["security"] {
            collecting { () throws(ConfigurationError) in
                config.security = try security(section, departments: Set(config.core.departments.map(\.name)))
            }
        }
        return config
    }

    private func readLedger(_ section: Entry, into config: inout BrokerConfiguration) {
        var ledger: [String: Entry] = [:]
        collecting { () throws(ConfigurationError) in ledger = try fields(of: section.value, path: section.path, section: "ledger") }
        collecting { () throws(ConfigurationError) in
            guard let entry = ledger["backend"] else { return }
            let text = try string(entry)
            guard let backend = LedgerSettings.Backend(rawValue: text) else {
                throw failure(
                    .invalidValue, at: entry,
                    "backend must be 'sqlite' (one daemon, the ledger in data_dir) or 'postgres' (a pair of daemons "
                        + "sharing a PostgreSQL database); got '\(text)'")
            }
            config.ledger.backend = backend
        }
        collecting { () throws(ConfigurationError) in
            guard let entry = ledger["url"] else {
                if config.ledger.backend == .postgres {
                    throw failure(.invalidValue, at: section, "backend postgres needs url: postgres://USER@HOST:PORT/DATABASE")
                }
                return
            }
            let text = try string(entry)
            do {
                _ = try PostgresLocation(url: text, environment: [:])
            } catch {
                throw failure(.invalidValue, at: entry, "url \(error)")
            }
            if config.ledger.backend != .postgres {
                throw failure(.invalidValue, at: entry, "url is read only with backend: postgres")
            }
            config.ledger.url = text
        }
        collecting { () throws(ConfigurationError) in
            if let entry = ledger["lease"] { config.ledger.lease = try duration(entry, in: LedgerSettings.leaseRange) }
        }
        collecting { () throws(ConfigurationError) in
            if let entry = ledger["renew_interval"] {
                config.ledger.renewInterval = try duration(entry, in: .milliseconds(50)...(.seconds(300)))
            }
            if config.ledger.renewInterval * 2 > config.ledger.lease, let entry = ledger["renew_interval"] ?? ledger["lease"] {
                throw failure(
                    .invalidValue, at: entry,
                    "renew_interval must be at most half the lease, so one late renewal does not lose the lead; lease is "
                        + "\(DurationParser.format(config.ledger.lease)), renew_interval \(DurationParser.format(config.ledger.renewInterval))")
            }
        }
        collecting { () throws(ConfigurationError) in
            if let entry = ledger["name"] {
                let name = try string(entry)
                guard !name.isEmpty, name.utf8.count <= 200 else {
                    throw failure(.invalidValue, at: entry, "name must be 1 to 200 characters")
                }
                config.ledger.name = name
            }
        }
    }

    private func readHTTP(_ section: Entry, into config: inout BrokerConfiguration) {
        var http: [String: Entry] = [:]
        collecting { () throws(ConfigurationError) in http = try fields(of: section.value, path: section.path, section: "http") }
        collecting { () throws(ConfigurationError) in
            if let entry = http["listen"], entry.value.resolvedTag == .bool, entry.value.bool == false {
                // YAML reads a bare `off` as false; both mean "no HTTP surface".
                config.http = nil
            } else if let entry = http["listen"] {
                let text = try string(entry)
                do {
                    config.http = try HTTPAddress.parse(text)
                } catch {
                    throw failure(.invalidValue, at: entry, "\(error)")
                }
            }
        }
        collecting { () throws(ConfigurationError) in
            if let entry = http["tokens"] { config.httpTokens = try tokens(entry) }
        }
    }

    private func readLog(_ section: Entry, into config: inout BrokerConfiguration) {
        var log: [String: Entry] = [:]
        collecting { () throws(ConfigurationError) in log = try fields(of: section.value, path: section.path, section: "log") }
        collecting { () throws(ConfigurationError) in
            guard let entry = log["level"] else { return }
            let level = try string(entry)
            guard BrokerConfiguration.logLevels.contains(level) else {
                let hint = Self.suggestion(for: level, among: BrokerConfiguration.logLevels).map {
                    "did you mean '\($0)'? "
                }
                throw failure(
                    .invalidValue, at: entry,
                    "unknown log level '\(level)'; \(hint ?? "")use one of "
                        + BrokerConfiguration.logLevels.joined(separator: ", "))
            }
            config.logLevel = level
        }
        collecting { () throws(ConfigurationError) in
            if let entry = log["bodies"] { config.logBodies = try bool(entry) }
        }
    }

    private func readLimits(_ section: Entry, into config: inout BrokerConfiguration) {
        var limits: [String: Entry] = [:]
        collecting { () throws(ConfigurationError) in
            limits = try fields(of: section.value, path: section.path, section: "limits")
        }
        collecting { () throws(ConfigurationError) in
            if let entry = limits["max_body_bytes"] {
                config.limits.maxBodyBytes = try integer(entry, in: BrokerConfiguration.maxBodyBytesRange)
            }
        }
        collecting { () throws(ConfigurationError) in
            if let entry = limits["high_water_mark"] {
                config.highWaterMark = Int32(try integer(entry, in: 1...Int(Int32.max)))
            }
        }
        collecting { () throws(ConfigurationError) in
            if let entry = limits["max_open_requests"] {
                config.core.maxOpenRequests = try integer(entry, in: 1...Int.max)
            }
        }
        collecting { () throws(ConfigurationError) in
            if let entry = limits["retained_finished_requests"] {
                config.core.retainedFinishedRequests = try integer(entry, in: 0...Int.max)
            }
        }
    }

    private func readHeartbeat(_ section: Entry, into config: inout BrokerConfiguration) {
        var heartbeat: [String: Entry] = [:]
        collecting { () throws(ConfigurationError) in
            heartbeat = try fields(of: section.value, path: section.path, section: "heartbeat")
        }
        collecting { () throws(ConfigurationError) in
            if let entry = heartbeat["interval"] {
                config.core.heartbeatInterval = try duration(entry, in: BrokerConfiguration.heartbeatIntervalRange)
            }
        }
        collecting { () throws(ConfigurationError) in
            if let entry = heartbeat["liveness"] { config.core.heartbeatLiveness = try integer(entry, in: 1...100) }
        }
    }

    // MARK: Departments

    func departments(_ section: Entry?, template: DepartmentPolicy, defaults: [String: Entry]) -> [DepartmentPolicy] {
        var policies: [DepartmentPolicy] = []
        var own: [String: [String: Entry]] = [:]
        collecting { () throws(ConfigurationError) in
            guard let section else {
                policies = CoreConfiguration.defaultDepartmentNames.map { name in
                    var policy = template
                    policy.name = name
                    policy.description = CoreConfiguration.defaultDepartmentDescriptions[name] ?? ""
                    return policy
                }
                return
            }
            if section.value.sequence != nil || (section.value.scalar != nil && !isNull(section.value)) {
                throw failure(
                    .wrongType, at: section,
                    "expected a mapping of department names, not a list: write each department as 'name:' on its own "
                        + "line, with its settings under it or {} for the defaults; got \(describe(section.value))")
            }
            let listed = try entries(of: section.value, path: section.path)
            guard !listed.isEmpty else {
                throw failure(
                    .invalidValue, at: section.keyNode, section.path,
                    "list at least one department, or leave 'departments' out to serve the default ones ("
                        + CoreConfiguration.defaultDepartmentNames.joined(separator: ", ") + ")")
            }
            for department in listed {
                collecting { () throws(ConfigurationError) in
                    let (policy, settings) = try self.department(department, template: template)
                    policies.append(policy)
                    own[policy.name] = settings
                }
            }
        }
        // An escalation may only send requests to a department that exists: point at the escalation that says so,
        // the department's own or the one it takes from defaults.
        let names = Set(policies.map(\.name))
        var inheriting: [String] = []
        for policy in policies {
            guard case .transfer(let target) = policy.escalation, !names.contains(target) || target == policy.name
            else { continue }
            if let entry = own[policy.name]?["escalation"] {
                let message =
                    target == policy.name
                    ? "a department cannot escalate to itself"
                    : "escalation transfers to '\(target)', which is not a configured department; known: "
                        + names.sorted().joined(separator: ", ")
                problems.note(failure(.invalidValue, at: entry, message))
            } else {
                inheriting.append(policy.name)
            }
        }
        // Once for the defaults, however many departments take them.
        if let entry = defaults["escalation"], !inheriting.isEmpty, case .transfer(let target) = template.escalation {
            let message =
                names.contains(target)
                ? "'\(target)' cannot escalate to itself; give it its own escalation"
                : "escalation transfers to '\(target)', which is not a configured department; known: "
                    + names.sorted().joined(separator: ", ")
            problems.note(failure(
                .invalidValue, at: entry, "\(message) (for \(inheriting.joined(separator: ", ")), which take it from defaults)"))
        }
        return policies
    }

    /// One department's policy, and its own settings (where its mistakes are).
    private func department(_ department: Entry, template: DepartmentPolicy) throws(ConfigurationError)
        -> (DepartmentPolicy, [String: Entry])
    {
        guard DepartmentName.isValid(department.key) else {
            let lowered = department.key.lowercased().replacingOccurrences(of: " ", with: "-")
            let hint = DepartmentName.isValid(lowered) ? " (e.g. '\(lowered)')" : ""
            throw failure(
                .invalidValue, at: department.keyNode, department.path,
                "'\(department.key)' is not a valid department name: use lowercase a-z, 0-9, '.', '_' and '-', "
                    + "start with a letter or digit, at most 64 bytes\(hint)")
        }
        if case .scalar = department.value, !isNull(department.value) {
            let keys = BrokerConfiguration.departmentKeys
            let hint =
                keys.contains(department.key)
                ? "; to set \(department.key) for every department, put it under 'defaults:'" : ""
            throw failure(
                .wrongType, at: department.value, department.path,
                "department '\(department.key)' takes a mapping of settings (\(keys.joined(separator: ", "))) "
                    + "or {} for the defaults, got \(describe(department.value))\(hint)")
        }
        let settings = try fields(of: department.value, path: department.path, section: "departments.<name>")
        var policy = policy(settings, base: template)
        policy.name = department.key
        collecting { () throws(ConfigurationError) in
            if let entry = settings["description"] { policy.description = try string(entry) }
        }
        return (policy, settings)
    }

    /// `base` with what `fields` (of `defaults` or of one department) overrides; a key in error keeps `base`'s.
    func policy(_ fields: [String: Entry], base: DepartmentPolicy) -> DepartmentPolicy {
        var policy = base
        collecting { () throws(ConfigurationError) in
            if let entry = fields["max_attempts"] { policy.maxAttempts = try integer(entry, in: 1...100) }
        }
        collecting { () throws(ConfigurationError) in
            if let entry = fields["offer_timeout"] { policy.offerTimeout = try duration(entry, in: nil) }
        }
        collecting { () throws(ConfigurationError) in
            if let entry = fields["answer_targets"] {
                policy.answerTargets = try answerTargets(entry, base: base.answerTargets)
            }
        }
        readServiceLevel(fields, into: &policy, base: base)
        return policy
    }

    /// One duration for every priority, or a mapping of some or all priorities to durations (the rest from `base`).
    func answerTargets(_ entry: Entry, base: [Priority: Duration]) throws(ConfigurationError) -> [Priority: Duration] {
        let names = Priority.allCases.map(\.rawValue)
        switch entry.value {
        case .scalar where !isNull(entry.value):
            let target = try duration(entry, in: nil)
            return Dictionary(uniqueKeysWithValues: Priority.allCases.map { ($0, target) })
        case .mapping:
            var targets = base
            for target in try entries(of: entry.value, path: entry.path) {
                collecting { () throws(ConfigurationError) in
                    guard let priority = Priority(rawValue: target.key) else {
                        let hint = Self.suggestion(for: target.key, among: names).map { "did you mean '\($0)'? " } ?? ""
                        throw failure(
                            .unknownKey, at: target.keyNode, target.path,
                            "unknown priority '\(target.key)'; \(hint)priorities are \(names.joined(separator: ", "))")
                    }
                    targets[priority] = try duration(target, in: nil)
                }
            }
            return targets
        default:
            throw failure(
                .wrongType, at: entry,
                "expected one duration for every priority (e.g. 4h) or a mapping such as {urgent: 15m, high: 1h}, "
                    + "got \(describe(entry.value))")
        }
    }

    // MARK: Mappings

    /// The pairs of a mapping (nothing counts as an empty one), refusing keys that are not names or come twice.
    func entries(of node: Node, path: String) throws(ConfigurationError) -> [Entry] {
        if isNull(node) { return [] }
        guard case .mapping(let mapping) = node else {
            throw failure(.wrongType, at: node, path, "expected a mapping of keys, got \(describe(node))")
        }
        var result: [Entry] = []
        var seen: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                throw failure(.wrongType, at: keyNode, path, "keys must be plain names, got \(describe(keyNode))")
            }
            let key = scalar.string
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            if let first = seen[key], let mark = first.mark {
                let what = path == "departments" ? "department '\(key)' is" : "'\(key)' is"
                problems.note(failure(
                    .duplicate, at: keyNode, keyPath,
                    "\(what) given twice (first at line \(mark.line), column \(mark.column))"))
                continue
            }
            seen[key] = keyNode
            result.append(Entry(key: key, keyNode: keyNode, value: value, path: keyPath))
        }
        return result
    }

    /// The pairs of a mapping by key, without (and noting) the keys `section` does not have.
    func fields(of node: Node, path: String, section: String) throws(ConfigurationError) -> [String: Entry] {
        let allowed = BrokerConfiguration.configurationKeys.first { $0.section == section }?.keys ?? []
        var result: [String: Entry] = [:]
        for entry in try entries(of: node, path: path) {
            guard allowed.contains(entry.key) else {
                problems.note(failure(
                    .unknownKey, at: entry.keyNode, entry.path,
                    unknownKeyMessage(entry.key, in: path, section: section, allowed: allowed)))
                continue
            }
            result[entry.key] = entry
        }
        return result
    }

    func unknownKeyMessage(_ key: String, in path: String, section: String, allowed: [String]) -> String {
        let place = path.isEmpty ? "" : " in \(path)"
        let list = "(allowed here: \(allowed.joined(separator: ", ")))"
        if key == "<<" {
            return "YAML merge keys ('<<') are not supported; put settings every department shares under 'defaults:' "
                + list
        }
        if let close = Self.suggestion(for: key, among: allowed) {
            return "unknown key '\(key)'\(place); did you mean '\(close)'? \(list)"
        }
        let elsewhere = BrokerConfiguration.configurationKeys.filter { $0.section != section && $0.keys.contains(key) }
        if let home = elsewhere.first {
            let home = home.section.isEmpty ? "at the top level" : "under '\(home.section)'"
            return "unknown key '\(key)'\(place); it belongs \(home) \(list)"
        }
        return "unknown key '\(key)'\(place) \(list)"
    }

    // MARK: Values

    func string(_ entry: Entry) throws(ConfigurationError) -> String {
        guard case .scalar(let scalar) = entry.value, entry.value.resolvedTag == .str else {
            let got = isNull(entry.value) ? "the value is empty" : "got \(describe(entry.value))"
            let quote = entry.value.scalar == nil || isNull(entry.value) ? "" : " (put it in quotes to use it as text)"
            throw failure(.wrongType, at: entry, "expected text, \(got)\(quote)")
        }
        return scalar.string
    }

    func bool(_ entry: Entry) throws(ConfigurationError) -> Bool {
        guard entry.value.resolvedTag == .bool, let value = entry.value.bool else {
            throw failure(.wrongType, at: entry, "expected true or false, got \(describe(entry.value))")
        }
        return value
    }

    /// A whole number in decimal digits (underscores allowed as separators) within `range`.
    func integer(_ entry: Entry, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        let bounds =
            range.upperBound == Int.max
            ? "at least \(range.lowerBound)" : "between \(range.lowerBound) and \(range.upperBound)"
        guard case .scalar(let scalar) = entry.value, entry.value.resolvedTag == .int else {
            throw failure(.wrongType, at: entry, "expected a whole number \(bounds), got \(describe(entry.value))")
        }
        let digits = scalar.string.replacingOccurrences(of: "_", with: "")
        let unsigned = digits.hasPrefix("-") || digits.hasPrefix("+") ? digits.dropFirst() : Substring(digits)
        guard !unsigned.isEmpty, unsigned.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw failure(.invalidValue, at: entry, "write '\(scalar.string)' in decimal digits, \(bounds)")
        }
        guard let value = Int(digits) else {
            throw failure(.outOfRange, at: entry, "\(scalar.string) is too large; it must be \(bounds)")
        }
        guard range.contains(value) else {
            throw failure(.outOfRange, at: entry, "must be \(bounds), got \(scalar.string)")
        }
        return value
    }

    /// A duration within `range`, or longer than zero when `range` is nil.
    func duration(_ entry: Entry, in range: ClosedRange<Duration>?) throws(ConfigurationError) -> Duration {
        guard case .scalar(let scalar) = entry.value, !isNull(entry.value) else {
            throw failure(
                .wrongType, at: entry, "expected a duration such as 30s, 15m or 1h30m, got \(describe(entry.value))")
        }
        let value: Duration
        do {
            value = try DurationParser.parse(scalar.string)
        } catch {
            throw failure(.invalidValue, at: entry, error.message)
        }
        if let range, !range.contains(value) {
            throw failure(
                .outOfRange, at: entry,
                "must be between \(DurationParser.format(range.lowerBound)) and "
                    + "\(DurationParser.format(range.upperBound)), got \(scalar.string)")
        }
        if range == nil, value <= .zero {
            throw failure(.outOfRange, at: entry, "must be longer than zero, got \(scalar.string)")
        }
        return value
    }

    /// A ZeroMQ endpoint the broker can bind: `transport://address`, with a port for tcp.
    func endpoint(_ entry: Entry) throws(ConfigurationError) -> String {
        let text = try string(entry)
        let example = "such as tcp://127.0.0.1:5570, tcp://*:5570 or ipc:///run/switchboard/broker.sock"
        guard let separator = text.range(of: "://"), !text[separator.upperBound...].isEmpty else {
            throw failure(.invalidValue, at: entry, "'\(text)' is not a ZeroMQ endpoint; write one \(example)")
        }
        let transport = String(text[..<separator.lowerBound])
        let transports = ["tcp", "ipc", "inproc", "ws", "wss", "vmci"]
        guard transports.contains(transport) else {
            throw failure(
                .invalidValue, at: entry,
                "unknown transport '\(transport)' in '\(text)'; use \(transports.joined(separator: ", "))")
        }
        if transport == "tcp" {
            let address = text[separator.upperBound...]
            let port = address.lastIndex(of: ":").map { String(address[address.index(after: $0)...]) } ?? ""
            guard port == "*" || (port.allSatisfy(\.isNumber) && (Int(port).map { (0...65_535).contains($0) } ?? false))
            else {
                throw failure(
                    .invalidValue, at: entry, "'\(text)' needs a port from 0 to 65535 (or *); write one \(example)")
            }
        }
        return text
    }

    // MARK: Helpers

    func isNull(_ node: Node) -> Bool {
        if case .scalar = node { return node.resolvedTag == .null }
        return false
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            switch node.resolvedTag {
            case .null: return scalar.string.isEmpty ? "nothing" : "null"
            case .bool: return "the boolean \(scalar.string)"
            case .int, .float: return "the number \(scalar.string)"
            case .timestamp: return "the date \(scalar.string)"
            default: return "the text '\(scalar.string)'"
            }
        }
    }

    /// An error at the value of `entry`, or at its key when the value is empty (an empty value has no place).
    func failure(_ kind: ConfigurationError.Kind, at entry: Entry, _ message: String) -> ConfigurationError {
        let empty = entry.value.scalar.map { $0.string.isEmpty && isNull(entry.value) } ?? false
        return failure(kind, at: empty ? entry.keyNode : entry.value, entry.path, message)
    }

    func failure(
        _ kind: ConfigurationError.Kind, at node: Node, _ path: String, _ message: String
    )
        -> ConfigurationError
    {
        ConfigurationError(
            kind, source: source, line: node.mark?.line, column: node.mark?.column, keyPath: path, message: message)
    }
}

// MARK: - Suggestions

extension ConfigurationReader {
    /// The known name `word` most likely meant: the same after normalising case and separators (`maxAttempts`,
    /// `max-attempts`), or within a small edit distance.
    static func suggestion(for word: String, among known: [String]) -> String? {
        var normalized = ""
        var afterLowercase = false
        for character in word {
            if character.isUppercase, afterLowercase { normalized.append("_") }
            normalized.append(character == "-" || character == " " ? "_" : Character(character.lowercased()))
            afterLowercase = character.isLowercase
        }
        if let same = known.first(where: {
            $0 == normalized || $0.replacingOccurrences(of: "-", with: "_") == normalized
        }) {
            return same
        }
        let allowance = word.count <= 4 ? 1 : word.count <= 8 ? 2 : 3
        let ranked = known.map { ($0, Self.editDistance(normalized, $0)) }.filter { $0.1 <= allowance }
        return ranked.min { $0.1 < $1.1 }?.0
    }

    /// Levenshtein distance, with a transposition counted as one edit.
    static func editDistance(_ first: String, _ second: String) -> Int {
        let a = Array(first)
        let b = Array(second)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}

// MARK: - Reading the file

private enum ConfigurationFile {
    /// Larger than any configuration; guards against pointing the daemon at a device or a log file.
    static let maxBytes = 16 << 20

    /// The file's text; an error names the OS error, or the line and column of the first byte that is not UTF-8.
    static func text(at path: String) throws(ConfigurationError) -> String {
        func unreadable(_ code: Int32) -> ConfigurationError {
            ConfigurationError(
                .unreadable, source: path,
                message: "cannot read the configuration file: \(String(cString: strerror(code))) (errno \(code))")
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw unreadable(errno) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes.append(contentsOf: buffer[..<count])
                guard bytes.count <= maxBytes else {
                    throw ConfigurationError(
                        .unreadable, source: path,
                        message: "the file is larger than \(maxBytes >> 20) MiB; is it the configuration file?")
                }
            } else if count == 0 {
                break
            } else if errno != EINTR {
                throw unreadable(errno)
            }
        }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var (line, column) = (1, 1)
        while case .valid(let scalar) = parser.parseScalar(from: &iterator) {
            if scalar.count == 1, scalar.first == UInt8(ascii: "\n") {
                (line, column) = (line + 1, 1)
            } else {
                column += 1
            }
        }
        throw ConfigurationError(
            .unreadable, source: path, line: line, column: column,
            message: "the file is not UTF-8 text (write it in UTF-8; comments and descriptions may use any language)")
    }
}

extension Node {
    /// The tag's name after resolution (`Tag.name` is internal to Yams; its description is the name).
    fileprivate var resolvedTag: Tag.Name { Tag.Name(rawValue: tag.description) }
}
