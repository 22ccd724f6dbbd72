import Foundation
import SwitchboardSchema
import ZeroMQ

/// A real `switchboardd` on free 127.0.0.1 ports, with fast heartbeats, plus helpers to start workers and
/// agents as processes against it.
final class Daemon: @unchecked Sendable {
    // @unchecked Sendable: every property but `current` is set in init and never changed; `current` is behind a lock.
    let directory: URL
    let endpoint: String
    let eventsEndpoint: String
    /// The HTTP ops surface, `127.0.0.1:PORT`.
    let httpAddress: String
    var httpBase: String { "http://\(httpAddress)" }
    let events: EventWatcher
    let configurationFile: URL
    /// For a daemon that runs CURVE: the keys of the test's principals.
    let keys: TestKeys?
    private let current: Locked<ChildProcess?> = Locked(nil)
    private let runs = Locked(0)
    /// The running daemon process (the latest, after restarts).
    var process: ChildProcess { current.withLock { $0! } }
    /// Where the daemon keeps its ledger.
    var dataDirectory: URL { directory.appendingPathComponent("var") }
    private let children = Locked([ChildProcess]())
    static let heartbeat = "200ms"
    /// Short, so that a test that stops a daemon whose worker still holds a request is not kept waiting.
    static let drainTimeout = "3s"

    /// Starts a daemon, runs `body` with it, and stops it and every process started through it,
    /// whether `body` succeeds or throws.
    static func with<T>(
        extraConfiguration: String = "", keys: TestKeys? = nil, http: String? = nil, _ body: (Daemon) async throws -> T
    ) async throws -> T {
        let daemon = try Daemon(extraConfiguration: extraConfiguration, keys: keys, http: http)
        do {
            try await daemon.waitUntilReady()
            try await daemon.events.waitUntilSubscribed(
                requestEndpoint: daemon.endpoint, department: "billing", curve: keys?.curve("probe"))
            let result = try await body(daemon)
            await daemon.stop()
            return result
        } catch {
            await daemon.stop()
            throw error
        }
    }

    private init(extraConfiguration: String, keys: TestKeys?, http: String?) throws {
        self.keys = keys
        directory = try TestEnvironment.temporaryDirectory()
        endpoint = "tcp://127.0.0.1:\(try TestEnvironment.freePort())"
        eventsEndpoint = "tcp://127.0.0.1:\(try TestEnvironment.freePort())"
        httpAddress = try http ?? "127.0.0.1:\(TestEnvironment.freePort())"
        configurationFile = directory.appendingPathComponent("switchboard.yaml")
        try """
            heartbeat:
              interval: \(Daemon.heartbeat)
              liveness: 3
            \(extraConfiguration.contains("shutdown:") ? "" : "shutdown:\n  drain_timeout: \(Daemon.drainTimeout)")
            \(extraConfiguration)
            \(keys?.configuration ?? "")
            """.write(to: configurationFile, atomically: true, encoding: .utf8)
        events = try EventWatcher(endpoint: eventsEndpoint, curve: keys?.curve("ops"))
        try launch()
    }

    /// Starts a new daemon process on the same ports and data directory.
    private func launch() throws {
        let run = runs.withLock { runs -> Int in
            runs += 1
            return runs
        }
        let child = try ChildProcess(
            name: run == 1 ? "switchboardd" : "switchboardd-\(run)", executable: try TestEnvironment.executable("switchboardd"),
            arguments: [
                "--config", configurationFile.path, "--endpoint", endpoint, "--events", eventsEndpoint,
                "--data-dir", dataDirectory.path, "--http", httpAddress,
            ],
            directory: directory)
        current.withLock { $0 = child }
    }

    /// Kills the daemon with SIGKILL (no goodbye to anyone), then starts it again and waits until it serves.
    func crashAndRestart() async throws {
        process.signal(SIGKILL)
        _ = try await process.exitCode(within: .seconds(10))
        try launch()
        try await waitUntilReady()
    }

    /// Stops the daemon with SIGTERM, then starts it again and waits until it serves.
    func restart() async throws {
        process.signal(SIGTERM)
        let code = try await process.exitCode(within: .seconds(15))
        guard code == 0 else { throw TestFailure("switchboardd exited \(code) on SIGTERM:\n\(process.stderr)") }
        try launch()
        try await waitUntilReady()
    }

    /// Waits until the daemon answers a HEARTBEAT on its request endpoint.
    func waitUntilReady() async throws {
        let peer = try RawPeer(endpoint: endpoint, curve: keys?.curve("probe"))
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            guard process.process.isRunning else {
                throw TestFailure("switchboardd exited during start-up:\n\(process.stderr)")
            }
            try peer.send(AgentMessage.heartbeat.encode())
            if try await peer.receive(within: .milliseconds(250)) != nil { return }
        }
        throw TestFailure("switchboardd did not answer within 20 s:\n\(process.stderr)")
    }

    /// Starts `switchboard serve` for the departments, running `command` per request, and waits until
    /// the daemon announces it joined.
    func serve(
        name: String, departments: [String], capacity: Int = 1, command: [String], extra: [String] = []
    ) async throws -> ChildProcess {
        var arguments = ["serve", "--endpoint", endpoint, "--name", name, "--capacity", String(capacity),
                         "--heartbeat", Daemon.heartbeat] + extra
        for department in departments { arguments += ["--department", department] }
        let worker = try ChildProcess(
            name: name, executable: try TestEnvironment.executable("switchboard"), arguments: arguments + ["--"] + command,
            directory: directory)
        children.withLock { $0.append(worker) }
        _ = try await events.next(within: .seconds(20)) { $0.type == .workerJoined && $0.worker == name }
        return worker
    }

    /// Runs `switchboard` with these arguments (the endpoint is added).
    func cli(_ name: String, _ arguments: [String], stdin: Data? = nil) throws -> ChildProcess {
        var all = arguments
        all.insert(contentsOf: ["--endpoint", endpoint], at: 1)
        let child = try ChildProcess(
            name: name, executable: try TestEnvironment.executable("switchboard"), arguments: all, directory: directory,
            stdin: stdin)
        children.withLock { $0.append(child) }
        return child
    }

    /// Runs an ops command of `switchboard` (`pending`, `workers`, ...) with these arguments (`--http` is added).
    func opsCLI(_ name: String, _ arguments: [String]) throws -> ChildProcess {
        var all = arguments
        all.insert(contentsOf: ["--http", httpAddress], at: 1)
        let child = try ChildProcess(
            name: name, executable: try TestEnvironment.executable("switchboard"), arguments: all, directory: directory)
        children.withLock { $0.append(child) }
        return child
    }

    /// Makes a process started by a test the daemon's to stop with it (so none outlives its test and talks to
    /// a later test's daemon on a reused port).
    @discardableResult
    func adopt(_ child: ChildProcess) -> ChildProcess {
        children.withLock { $0.append(child) }
        return child
    }

    /// Runs a shell script (for loops of CLI calls); the script sees $SWITCHBOARD_ENDPOINT.
    func shell(_ name: String, _ script: String) throws -> ChildProcess {
        let child = try ChildProcess(
            name: name, executable: "/bin/sh", arguments: ["-c", script], directory: directory,
            environment: ["SWITCHBOARD_ENDPOINT": endpoint])
        children.withLock { $0.append(child) }
        return child
    }

    /// Kills every process started through this daemon, then stops the daemon itself.
    func stop() async {
        // SIGTERM first, so `switchboard serve` stops the commands it runs; SIGKILL what does not leave.
        let all = children.withLock { $0 }
        for child in all { child.signal(SIGTERM) }
        for child in all where (try? await child.exitCode(within: .seconds(3))) == nil {
            child.signal(SIGKILL)
        }
        await process.stop()
    }
}

/// Parses the one JSON object `switchboard ... --json` prints.
func jsonObject(_ text: String) throws -> [String: Any] {
    guard let line = text.split(separator: "\n").last,
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    else { throw TestFailure("not a JSON object: \(text)") }
    return object
}
