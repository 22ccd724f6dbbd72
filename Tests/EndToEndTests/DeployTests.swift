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
