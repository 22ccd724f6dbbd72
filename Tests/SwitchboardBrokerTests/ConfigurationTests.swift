import Foundation
import SwitchboardCore
import SwitchboardSchema
import Testing

@testable import SwitchboardBroker

@Suite("Configuration file")
struct ConfigurationTests {
    // MARK: Defaults

    @Test(
        "an empty file, comments only or an empty document give the defaults",
        arguments: [
            "", "\n\n", "# nothing configured yet\n# see deploy/switchboard.yaml\n", "---\n", "~\n",
        ])
    func emptyFileGivesDefaults(yaml: String) throws {
        #expect(try BrokerConfiguration.parse(yaml: yaml) == BrokerConfiguration())
    }

    @Test("deploy/switchboard.yaml parses to exactly the defaults and mentions every key")
    func exampleFileIsTheDefaults() throws {
        let path = Self.repositoryRoot.appendingPathComponent("deploy/switchboard.yaml").path
        let parsed = try BrokerConfiguration.load(contentsOf: path)
        #expect(parsed == BrokerConfiguration())
        #expect(parsed.core.departments.map(\.name) == CoreConfiguration.defaultDepartmentNames)

        let text = try String(contentsOfFile: path, encoding: .utf8)
        for (section, keys) in BrokerConfiguration.configurationKeys {
            for key in keys {
                #expect(text.contains("\(key):"), "the example does not document \(section).\(key)")
            }
        }
        for name in CoreConfiguration.defaultDepartmentNames {
            #expect(text.contains("  \(name):\n    description: "), "\(name) has no description in the example")
        }
    }

    // MARK: Overrides

    @Test("every key overrides its default; departments inherit `defaults` and override parts of it")
    func overridesAreApplied() throws {
        let yaml = """
            endpoint: tcp://*:6000
            events: ipc:///tmp/switchboard-events.sock
            data_dir: /var/lib/switchboard
            log:
              level: debug
              bodies: true
            limits:
              max_body_bytes: 65_536
              high_water_mark: 5000
              max_open_requests: 2000
              retained_finished_requests: 0
            heartbeat:
              interval: 1s
              liveness: 5
            defaults:
              max_attempts: 4
              offer_timeout: 45s
              answer_targets:
                urgent: 30m
                low: 2d
            departments:
              claims:
                description: Claim status and appeals
                answer_targets: {urgent: 10m}
              eligibility: {}
              pharmacy:
              billing:
                max_attempts: 2
                offer_timeout: 1m30s
                answer_targets: 8h
            """
        let inherited: [Priority: Duration] = [
            .urgent: .seconds(30 * 60), .high: .seconds(3600), .normal: .seconds(4 * 3600), .low: .seconds(48 * 3600),
        ]
        var expected = BrokerConfiguration()
        expected.endpoint = "tcp://*:6000"
        expected.eventsEndpoint = "ipc:///tmp/switchboard-events.sock"
        expected.dataDirectory = "/var/lib/switchboard"
        expected.logLevel = "debug"
        expected.logBodies = true
        expected.limits.maxBodyBytes = 65_536
        expected.highWaterMark = 5000
        expected.core.maxOpenRequests = 2000
        expected.core.retainedFinishedRequests = 0
        expected.core.heartbeatInterval = .seconds(1)
        expected.core.heartbeatLiveness = 5
        var claimsTargets = inherited
        claimsTargets[.urgent] = .seconds(10 * 60)
        expected.core.departments = [
            DepartmentPolicy(
                name: "claims", answerTargets: claimsTargets, maxAttempts: 4, offerTimeout: .seconds(45),
                description: "Claim status and appeals"),
            DepartmentPolicy(name: "eligibility", answerTargets: inherited, maxAttempts: 4, offerTimeout: .seconds(45)),
            DepartmentPolicy(name: "pharmacy", answerTargets: inherited, maxAttempts: 4, offerTimeout: .seconds(45)),
            DepartmentPolicy(
                name: "billing",
                answerTargets: [
                    .urgent: .seconds(8 * 3600), .high: .seconds(8 * 3600), .normal: .seconds(8 * 3600),
                    .low: .seconds(8 * 3600),
                ],
                maxAttempts: 2, offerTimeout: .seconds(90)),
        ]
        #expect(try BrokerConfiguration.parse(yaml: yaml) == expected)
    }

    @Test("without a departments section the five default departments take the defaults section")
    func defaultsApplyToDefaultDepartments() throws {
        let config = try BrokerConfiguration.parse(
            yaml: """
                defaults:
                  max_attempts: 7
                  answer_targets: 2h
                """)
        #expect(config.core.departments.map(\.name) == CoreConfiguration.defaultDepartmentNames)
        let twoHours = Dictionary(uniqueKeysWithValues: Priority.allCases.map { ($0, Duration.seconds(7200)) })
        for department in config.core.departments {
            #expect(department.maxAttempts == 7)
            #expect(department.offerTimeout == .seconds(30))
            #expect(department.answerTargets == twoHours)
        }
    }

    // MARK: Refusals: where and why

    @Test("YAML syntax errors give the parser's line and column, and the enclosing keys")
    func syntaxErrors() throws {
        try expectRefusal(
            """
            heartbeat:
              interval: 2s
               liveness: 3
            """, .syntax, line: 3, column: 12, keyPath: "heartbeat.interval", mentioning: "mapping values")
        try expectRefusal(
            """
            endpoint: tcp://127.0.0.1:6000
            limits: {max_body_bytes: 10
            heartbeat:
              liveness: 3
            """, .syntax, line: 3, column: 10, keyPath: "limits", mentioning: "line 2, column 9")
        try expectRefusal("log:\n\tlevel: debug\n", .syntax, line: 2, column: 1, keyPath: "log", mentioning: "tab")
    }

    @Test("an unknown key says where it is, what is allowed there and the likely key")
    func unknownKeys() throws {
        try expectRefusal(
            "endpont: tcp://127.0.0.1:6000\n", .unknownKey, line: 1, column: 1, keyPath: "endpont",
            mentioning: "did you mean 'endpoint'?")
        try expectRefusal(
            """
            log:
              level: debug
            heartbeat:
              intervall: 1s
            """, .unknownKey, line: 4, column: 3, keyPath: "heartbeat.intervall",
            mentioning: "did you mean 'interval'? (allowed here: interval, liveness)")
        try expectRefusal(
            """
            limits:
              maxBodyBytes: 10
            """, .unknownKey, line: 2, column: 3, keyPath: "limits.maxBodyBytes",
            mentioning: "did you mean 'max_body_bytes'?")
        try expectRefusal(
            """
            endpoint: tcp://127.0.0.1:6000
            liveness: 5
            """, .unknownKey, line: 2, column: 1, keyPath: "liveness", mentioning: "it belongs under 'heartbeat'")
        try expectRefusal(
            "LOG:\n  level: info\n", .unknownKey, line: 1, column: 1, keyPath: "LOG", mentioning: "did you mean 'log'?")
        try expectRefusal(
            """
            departments:
              claims:
                descripton: Claims
            """, .unknownKey, line: 3, column: 5, keyPath: "departments.claims.descripton",
            mentioning: "unknown key 'descripton' in departments.claims; did you mean 'description'?")
    }

    @Test("http.listen sets the ops surface's address, or turns it off; a bad address is refused at the value")
    func httpAddress() throws {
        #expect(BrokerConfiguration().http == HTTPAddress(host: "127.0.0.1", port: 8570))
        let open = try BrokerConfiguration.parse(yaml: "http:\n  listen: 0.0.0.0:9000\n")
        #expect(open.http == HTTPAddress(host: "0.0.0.0", port: 9000))
        let off = try BrokerConfiguration.parse(yaml: "http:\n  listen: \"off\"\n")
        #expect(off.http == nil)
        #expect(try BrokerConfiguration.parse(yaml: "http:\n  listen: off\n").http == nil, "YAML's bare off is false")
        try expectRefusal(
            "http:\n  listen: 8570\n", .wrongType, line: 2, column: 11, keyPath: "http.listen", mentioning: "expected text")
        try expectRefusal(
            "http:\n  listen: localhost:99999\n", .invalidValue, line: 2, column: 11, keyPath: "http.listen",
            mentioning: "the port is a number from 1 to 65535")
        try expectRefusal(
            "http:\n  port: 8570\n", .unknownKey, line: 2, column: 3, keyPath: "http.port", mentioning: "listen")
    }

    @Test("a value of the wrong type is refused at the value")
    func wrongTypes() throws {
        try expectRefusal(
            """
            limits:
              max_body_bytes: lots
            """, .wrongType, line: 2, column: 19, keyPath: "limits.max_body_bytes",
            mentioning: "expected a whole number between 1 and 67108864, got the text 'lots'")
        try expectRefusal(
            "log: verbose\n", .wrongType, line: 1, column: 6, keyPath: "log", mentioning: "expected a mapping")
        try expectRefusal(
            "log:\n  bodies: sometimes\n", .wrongType, line: 2, column: 11, keyPath: "log.bodies",
            mentioning: "expected true or false")
        try expectRefusal(
            "data_dir: 2024\n", .wrongType, line: 1, column: 11, keyPath: "data_dir", mentioning: "put it in quotes")
        try expectRefusal(
            "endpoint:\nevents: tcp://127.0.0.1:6001\n", .wrongType, line: 1, column: 1, keyPath: "endpoint",
            mentioning: "the value is empty")
        try expectRefusal(
            "- endpoint: tcp://127.0.0.1:6000\n", .wrongType, line: 1, column: 1, keyPath: "",
            mentioning: "must be a mapping")
        try expectRefusal(
            """
            departments:
              max_attempts: 3
            """, .wrongType, line: 2, column: 17, keyPath: "departments.max_attempts",
            mentioning: "put it under 'defaults:'")
        try expectRefusal(
            """
            departments:
              - claims
              - billing
            """, .wrongType, line: 2, column: 3, keyPath: "departments",
            mentioning: "expected a mapping of department names, not a list")
        try expectRefusal(
            """
            defaults:
              answer_targets: [1h, 2h]
            """, .wrongType, line: 2, column: 19, keyPath: "defaults.answer_targets", mentioning: "got a list")
    }

    @Test("bad durations are refused with how to write them")
    func badDurations() throws {
        try expectRefusal(
            """
            heartbeat:
              interval: 30
            """, .invalidValue, line: 2, column: 13, keyPath: "heartbeat.interval", mentioning: "e.g. 30s or 30ms")
        try expectRefusal(
            """
            departments:
              billing:
                offer_timeout: 1 minute
            """, .invalidValue, line: 3, column: 20, keyPath: "departments.billing.offer_timeout",
            mentioning: "unexpected ' '")
    }

    @Test("numbers and durations outside their range are refused with the range")
    func outOfRange() throws {
        try expectRefusal(
            """
            heartbeat:
              interval: 6m
            """, .outOfRange, line: 2, column: 13, keyPath: "heartbeat.interval", mentioning: "between 10ms and 5m")
        try expectRefusal(
            "heartbeat:\n  liveness: 0\n", .outOfRange, line: 2, column: 13, keyPath: "heartbeat.liveness",
            mentioning: "between 1 and 100, got 0")
        try expectRefusal(
            "limits:\n  max_body_bytes: 67_108_865\n", .outOfRange, line: 2, column: 19,
            keyPath: "limits.max_body_bytes", mentioning: "between 1 and 67108864")
        try expectRefusal(
            "limits:\n  high_water_mark: 3000000000\n", .outOfRange, line: 2, column: 20,
            keyPath: "limits.high_water_mark", mentioning: "between 1 and 2147483647")
        try expectRefusal(
            "limits:\n  retained_finished_requests: -1\n", .outOfRange, line: 2, column: 31,
            keyPath: "limits.retained_finished_requests", mentioning: "at least 0")
        try expectRefusal(
            "defaults:\n  offer_timeout: 0s\n", .outOfRange, line: 2, column: 18, keyPath: "defaults.offer_timeout",
            mentioning: "longer than zero")
        try expectRefusal(
            "defaults:\n  max_attempts: 101\n", .outOfRange, line: 2, column: 17, keyPath: "defaults.max_attempts",
            mentioning: "between 1 and 100")
    }

    @Test("invalid department names, unknown priorities, levels and endpoints are refused")
    func invalidValues() throws {
        try expectRefusal(
            """
            departments:
              claims: {}
              Member Services: {}
            """, .invalidValue, line: 3, column: 3, keyPath: "departments.Member Services",
            mentioning: "(e.g. 'member-services')")
        try expectRefusal(
            """
            defaults:
              answer_targets:
                urgnet: 10m
            """, .unknownKey, line: 3, column: 5, keyPath: "defaults.answer_targets.urgnet",
            mentioning: "did you mean 'urgent'? priorities are urgent, high, normal, low")
        try expectRefusal(
            """
            departments:
              pharmacy:
                answer_targets: {urgent: 10m, hihg: 1h}
            """, .unknownKey, line: 3, column: 35, keyPath: "departments.pharmacy.answer_targets.hihg",
            mentioning: "did you mean 'high'?")
        try expectRefusal(
            "log:\n  level: Debug\n", .invalidValue, line: 2, column: 10, keyPath: "log.level",
            mentioning: "did you mean 'debug'?")
        try expectRefusal(
            "log:\n  level: verbose\n", .invalidValue, line: 2, column: 10, keyPath: "log.level",
            mentioning: "use one of trace, debug, info, notice, warning, error, critical")
        try expectRefusal(
            "endpoint: tcp://127.0.0.1\n", .invalidValue, line: 1, column: 11, keyPath: "endpoint",
            mentioning: "needs a port")
        try expectRefusal(
            "endpoint: udp://127.0.0.1:5570\n", .invalidValue, line: 1, column: 11, keyPath: "endpoint",
            mentioning: "unknown transport 'udp'")
        try expectRefusal(
            "events: tcp://127.0.0.1:5570\n", .invalidValue, line: 1, column: 9, keyPath: "events",
            mentioning: "must be different")
        try expectRefusal(
            "departments: {}\n", .invalidValue, line: 1, column: 1, keyPath: "departments",
            mentioning: "list at least one department")
    }

    @Test("a department or key given twice is refused where it is repeated")
    func duplicates() throws {
        try expectRefusal(
            """
            departments:
              claims: {}
              billing: {}
              claims:
                max_attempts: 3
            """, .duplicate, line: 4, column: 3, keyPath: "departments.claims",
            mentioning: "department 'claims' is given twice (first at line 2, column 3)")
        try expectRefusal(
            """
            departments:
              7: {}
              '7': {}
            """, .duplicate, line: 3, column: 3, keyPath: "departments.7",
            mentioning: "department '7' is given twice (first at line 2, column 3)")
        try expectRefusal(
            """
            log:
              level: info
              bodies: false
              level: debug
            """, .duplicate, line: 4, column: 3, keyPath: "log.level", mentioning: "(first at line 2, column 3)")
        try expectRefusal(
            """
            departments:
              claims:
                answer_targets: {urgent: 1h, urgent: 2h}
            """, .duplicate, line: 3, column: 34, keyPath: "departments.claims.answer_targets.urgent",
            mentioning: "'urgent' is given twice (first at line 3, column 22)")
        try expectRefusal(
            """
            departments:
              billing: {}
              billing: {}
              billing: {}
            """, .duplicate, line: 3, column: 3, keyPath: "departments.billing",
            mentioning: "department 'billing' is given twice (first at line 2, column 3)")
    }

    // MARK: Files

    @Test("load names the file in every error")
    func loadNamesTheFile() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("switchboard.yaml").path
        try "heartbeat:\n  liveness: 3\n  intervall: 1s\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = try #require(throws: ConfigurationError.self) { try BrokerConfiguration.load(contentsOf: path) }
        #expect(error.source == path)
        #expect(error.description.hasPrefix("\(path):3:3: heartbeat.intervall: unknown key 'intervall' in heartbeat"))

        try "heartbeat:\n  liveness: 4\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try BrokerConfiguration.load(contentsOf: path).core.heartbeatLiveness == 4)
    }

    @Test("a file that cannot be read is an error naming the path and the OS error")
    func unreadableFile() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("missing.yaml").path
        let error = try #require(throws: ConfigurationError.self) { try BrokerConfiguration.load(contentsOf: missing) }
        #expect(error.kind == .unreadable)
        #expect(error.source == missing)
        #expect(error.line == nil)
        #expect(
            error.description == "\(missing): cannot read the configuration file: No such file or directory (errno 2)")

        let asDirectory = try #require(throws: ConfigurationError.self) {
            try BrokerConfiguration.load(contentsOf: directory.path)
        }
        #expect(asDirectory.message.contains("Is a directory"))
    }

    @Test("a file that is not UTF-8 is refused at the first bad byte")
    func notUTF8() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("latin1.yaml").path
        let bytes = Array("log:\n  level: info\ndepartments:\n  claims:\n    description: Caf".utf8) + [0xE9, 0x0A]
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: ConfigurationError.self) { try BrokerConfiguration.load(contentsOf: path) }
        #expect(error.kind == .unreadable)
        #expect(error.line == 5)
        #expect(error.column == 21)
    }

    @Test("the description leaves out what is not known")
    func errorDescription() {
        let full = ConfigurationError(
            .outOfRange, source: "a.yaml", line: 3, column: 7, keyPath: "heartbeat.liveness", message: "too many")
        #expect(full.description == "a.yaml:3:7: heartbeat.liveness: too many")
        let noColumn = ConfigurationError(.syntax, source: "a.yaml", line: 3, message: "bad")
        #expect(noColumn.description == "a.yaml:3: bad")
        let noPlace = ConfigurationError(.unreadable, source: "a.yaml", message: "gone")
        #expect(noPlace.description == "a.yaml: gone")
    }

    // MARK: Durations

    static let durationCases: [(String, Duration)] = [
        ("2500ms", .milliseconds(2500)), ("2.5s", .milliseconds(2500)), ("90s", .seconds(90)), ("1m", .seconds(60)),
        ("4h", .seconds(4 * 3600)), ("1d", .seconds(86_400)), ("1h30m", .seconds(5400)),
        ("1d2h3m4s5ms", .milliseconds(93_784_005)), ("0.5ms", .microseconds(500)), ("0.25h", .seconds(900)),
        (" 15m ", .seconds(900)), ("0s", .zero),
    ]

    @Test("durations in every unit and in sequences", arguments: durationCases)
    func durationsParse(text: String, expected: Duration) throws {
        #expect(try DurationParser.parse(text) == expected)
    }

    static let malformedDurations: [(String, String)] = [
        ("30", "a number needs a unit"), ("2.5", "e.g. 2.5s"), ("", "it is empty"), ("1x", "unknown unit 'x'"),
        ("1H", "unknown unit 'H'"), ("1h1h", "from the largest to the smallest"), ("30m1h", "largest to the smallest"),
        ("-5s", "cannot be negative"), ("1h 30m", "unexpected ' '"), ("s", "expected a number"),
        ("1.s", "digits on both sides"), (".5s", "digits on both sides"), ("1h30", "'30' at the end has no unit"),
        ("300000000000d", "too long"),
    ]

    @Test("malformed durations are refused with a reason", arguments: malformedDurations)
    func durationsRefused(text: String, reason: String) throws {
        let error = try #require(throws: DurationParser.InvalidDuration.self) { try DurationParser.parse(text) }
        #expect(error.message.contains(reason), "\(error.message)")
    }

    @Test("durations are written back in the largest units that fit")
    func durationsFormat() throws {
        #expect(DurationParser.format(.milliseconds(2500)) == "2.5s")
        #expect(DurationParser.format(.seconds(5400)) == "1h30m")
        #expect(DurationParser.format(.seconds(86_400 + 43_200)) == "1d12h")
        #expect(DurationParser.format(.milliseconds(10)) == "10ms")
        #expect(DurationParser.format(.microseconds(1500)) == "1.5ms")
        #expect(DurationParser.format(.zero) == "0s")
        for duration in [Duration.milliseconds(61_250), .seconds(93_784), .microseconds(250)] {
            #expect(try DurationParser.parse(DurationParser.format(duration)) == duration)
        }
    }

    // MARK: Helpers

    static var repositoryRoot: URL {
        // Tests/SwitchboardBrokerTests/ConfigurationTests.swift → the repository.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-config-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Parses `yaml`, expecting a refusal of `kind` at `line`:`column` and `keyPath` whose message holds `mentioning`.
    func expectRefusal(
        _ yaml: String, _ kind: ConfigurationError.Kind, line: Int, column: Int, keyPath: String, mentioning: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let error = try #require(throws: ConfigurationError.self, sourceLocation: sourceLocation) {
            try BrokerConfiguration.parse(yaml: yaml, source: "test.yaml")
        }
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        #expect(error.source == "test.yaml", sourceLocation: sourceLocation)
        #expect(error.line == line, "\(error)", sourceLocation: sourceLocation)
        #expect(error.column == column, "\(error)", sourceLocation: sourceLocation)
        #expect(error.keyPath == keyPath, "\(error)", sourceLocation: sourceLocation)
        #expect(error.message.contains(mentioning), "\(error)", sourceLocation: sourceLocation)
        // One mistake is one problem: reading on after it must not report knock-on effects.
        let problems = BrokerConfiguration.check(yaml: yaml, source: "test.yaml").problems
        #expect(problems == [error], "\(problems)", sourceLocation: sourceLocation)
    }
}
