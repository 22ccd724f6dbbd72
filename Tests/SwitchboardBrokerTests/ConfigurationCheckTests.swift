import Foundation
import Testing

@testable import SwitchboardBroker

/// `switchboardd --check-config`: one run lists every problem of a file, each where it is.
@Suite("Configuration check")
struct ConfigurationCheckTests {
    static let broken = """
        endpont: tcp://127.0.0.1:5570
        log:
          level: verbose
        heartbeat:
          interval: 5 seconds
        defaults:
          answer_targets: {urgent: 10x, hihg: 1h}
          escalation: {transfer: dental}
        departments:
          claims:
            offer_timeout: 0s
            calendar:
              time_zone: Mars/Olympus
              hours: {mon: "09:00-17:00", tue: "9 to 5"}
              holidays: [2026-13-01]
          pharmacy:
            escalation: {transfer: nowhere}
            max_attempts: lots
        security:
          key: /nonexistent/broker.key_secret
          principals:
            alice: {kind: agent, key: "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", submit: [claims, dental]}

        """

    @Test("every problem of a broken file is reported, in file order, with its line, column and key")
    func everyProblem() {
        let problems = ConfigurationProblems(
            problems: BrokerConfiguration.check(yaml: Self.broken, source: "broken.yaml").problems
        ).problems
        let found = problems.map { "\($0.line ?? 0):\($0.keyPath)" }
        #expect(
            found == [
                "1:endpont",
                "3:log.level",
                "5:heartbeat.interval",
                "7:defaults.answer_targets.urgent",
                "7:defaults.answer_targets.hihg",
                "8:defaults.escalation",
                "11:departments.claims.offer_timeout",
                "13:departments.claims.calendar.time_zone",
                "14:departments.claims.calendar.hours.tue",
                "15:departments.claims.calendar.holidays",
                "17:departments.pharmacy.escalation",
                "18:departments.pharmacy.max_attempts",
                "20:security.key",
                "22:security.principals.alice.submit",
            ], "\(problems.map(\.description).joined(separator: "\n"))")
        #expect(problems.allSatisfy { $0.source == "broken.yaml" && $0.column != nil })
        #expect(problems[0].message.contains("did you mean 'endpoint'"))
        #expect(problems[5].message.contains("'dental'"), "the escalation names the missing department")
        #expect(problems.last?.message.contains("dental") == true)
    }

    @Test("a file with no problem reads exactly as parse does")
    func cleanFile() throws {
        let yaml = "departments:\n  claims: {}\n  dental:\n    answer_targets: 2h\n"
        let report = BrokerConfiguration.check(yaml: yaml)
        #expect(report.problems.isEmpty)
        #expect(report.configuration == (try BrokerConfiguration.parse(yaml: yaml)))
    }

    @Test("read(contentsOf:) refuses a file with all its problems; an unreadable file is one problem")
    func readRefusesWithEveryProblem() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("broken.yaml").path
        try Self.broken.write(toFile: path, atomically: true, encoding: .utf8)
        let refused = try #require(throws: ConfigurationProblems.self) { try BrokerConfiguration.read(contentsOf: path) }
        #expect(refused.problems.count == 14)
        #expect(refused.description.split(separator: "\n").count == 14)
        let missing = try #require(throws: ConfigurationProblems.self) {
            try BrokerConfiguration.read(contentsOf: directory.appendingPathComponent("absent.yaml").path)
        }
        #expect(missing.problems.map(\.kind) == [.unreadable])
    }

    @Test("the drain timeout is read from shutdown.drain_timeout, 0s to 1h")
    func drainTimeout() throws {
        #expect(BrokerConfiguration().drainTimeout == .seconds(20))
        #expect(try BrokerConfiguration.parse(yaml: "shutdown:\n  drain_timeout: 45s\n").drainTimeout == .seconds(45))
        #expect(try BrokerConfiguration.parse(yaml: "shutdown:\n  drain_timeout: 0s\n").drainTimeout == .zero)
        let problems = BrokerConfiguration.check(yaml: "shutdown:\n  drain_timeout: 2h\n").problems
        #expect(problems.map(\.keyPath) == ["shutdown.drain_timeout"])
        #expect(problems.first?.kind == .outOfRange)
    }
}
