import Foundation
import Testing

/// What an operator installs: the systemd unit.
@Suite("Deploy")
struct DeployTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("the systemd unit, with its paths filled in as make install does, passes systemd-analyze verify")
    func unitVerifies() async throws {
        let analyze = "/usr/bin/systemd-analyze"
        try #require(FileManager.default.isExecutableFile(atPath: analyze), "systemd-analyze is missing (Debian's systemd package)")
        let template = try String(
            contentsOf: Self.repository.appendingPathComponent("deploy/switchboardd.service.in"), encoding: .utf8)
        let directory = try TestEnvironment.temporaryDirectory()
        let unit = template
            .replacingOccurrences(of: "@BINDIR@", with: TestEnvironment.binDirectory.path)
            .replacingOccurrences(of: "@SYSCONFDIR@", with: directory.path)
            .replacingOccurrences(of: "@DATADIR@", with: directory.path)
        #expect(!unit.contains("@"), "every placeholder is filled")
        let path = directory.appendingPathComponent("switchboardd.service")
        try unit.write(to: path, atomically: true, encoding: .utf8)
        let verify = try ChildProcess(name: "verify", executable: analyze, arguments: ["verify", path.path], directory: directory)
        #expect(try await verify.exitCode() == 0, "\(verify.stderr)")
        for setting in ["Restart=on-failure", "NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes",
                        "StateDirectory=switchboard", "User=switchboard", "TimeoutStopSec="] {
            #expect(unit.contains(setting), "the unit sets \(setting)")
        }
    }
}

extension DeployTests {
    @Test("the unit's stop timeout is longer than the default drain limit and the ledger's last commit")
    func stopTimeoutCoversTheDrain() async throws {
        let unit = try String(
            contentsOf: Self.repository.appendingPathComponent("deploy/switchboardd.service.in"), encoding: .utf8)
        let line = try #require(unit.split(separator: "\n").first { $0.hasPrefix("TimeoutStopSec=") })
        let value = try #require(Int(line.dropFirst("TimeoutStopSec=".count).dropLast()), "TimeoutStopSec in seconds")
        let check = try Self.checkConfig(Self.repository.appendingPathComponent("deploy/switchboard.yaml").path)
        #expect(try await check.exitCode() == 0, "\(check.stderr)")
        // The example sets every key to its default: its drain timeout is the one the unit must outlast.
        let drain = try #require(check.stdout.firstMatch(of: /drain timeout (\d+)s/).flatMap { Int($0.1) })
        #expect(value > drain + 5, "TimeoutStopSec=\(value)s must be longer than the drain (\(drain)s) plus 5 s")
    }

    @Test("--check-config passes the example configuration and names what it checked")
    func checkConfigExample() async throws {
        let check = try Self.checkConfig(Self.repository.appendingPathComponent("deploy/switchboard.yaml").path)
        #expect(try await check.exitCode() == 0, "\(check.stderr)")
        #expect(check.stdout.contains("configuration OK"))
        #expect(check.stdout.contains("departments claims, eligibility, pharmacy, billing, provider-relations"))
    }

    @Test("--check-config reports every problem of a broken file with its line, and exits 78")
    func checkConfigBroken() async throws {
        let directory = try TestEnvironment.temporaryDirectory()
        let path = directory.appendingPathComponent("broken.yaml").path
        try """
            endpont: tcp://127.0.0.1:5570
            heartbeat:
              interval: 5 seconds
            defaults:
              escalation: {transfer: dental}
            departments:
              claims:
                calendar:
                  time_zone: Mars/Olympus
                  hours: {mon: "09:00-17:00"}
              pharmacy:
                max_attempts: lots
            security:
              key: \(directory.path)/missing.key_secret
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let check = try Self.checkConfig(path)
        #expect(try await check.exitCode() == 78)
        let lines = check.stderr.split(separator: "\n").map(String.init)
        for (line, key) in [(1, "endpont"), (3, "heartbeat.interval"), (5, "defaults.escalation"),
                            (9, "departments.claims.calendar.time_zone"), (12, "departments.pharmacy.max_attempts"),
                            (14, "security.key")] {
            #expect(lines.contains { $0.contains("\(path):\(line):") && $0.contains(": \(key): ") }, "line \(line), \(key):\n\(check.stderr)")
        }
        #expect(check.stderr.contains("6 problems"), "\(check.stderr)")
        #expect(check.stdout.isEmpty)
    }

    /// Runs `switchboardd --check-config --config PATH` and waits for it.
    static func checkConfig(_ path: String) throws -> ChildProcess {
        let directory = try TestEnvironment.temporaryDirectory()
        let child = try ChildProcess(
            name: "check-config", executable: try TestEnvironment.executable("switchboardd"),
            arguments: ["--check-config", "--config", path], directory: directory)
        return child
    }
}
