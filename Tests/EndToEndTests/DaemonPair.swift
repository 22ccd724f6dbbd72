import Foundation
import SwitchboardPostgres
import SwitchboardSchema
import ZeroMQ

/// An active/standby pair of real `switchboardd` processes sharing a ledger on a private PostgreSQL server
/// (ScratchPostgres: its own data directory, 127.0.0.1, no system service), each daemon on its own free
/// ports, with default lease timings unless a test asks otherwise.
final class DaemonPair: @unchecked Sendable {
    // @unchecked Sendable: everything but `running` and `children` is set in init; those are behind locks.
    struct Member: Sendable {
        let name: String
        let endpoint: String
        let eventsEndpoint: String
        let httpAddress: String
        let directory: URL
        var httpBase: String { "http://\(httpAddress)" }
    }

    let postgres: ScratchPostgres
    let url: String
    let members: [Member]
    let directory: URL
    private let configurationFile: URL
    private let running = Locked<[Int: ChildProcess]>([:])
    private let launches = Locked<[Int: Int]>([:])
    private let children = Locked([ChildProcess]())

    /// Both request endpoints, as clients of the pair take them.
    var endpoints: String { members.map(\.endpoint).joined(separator: ",") }

    /// Starts PostgreSQL and both daemons (the first a moment ahead, so it is likely to lead), runs `body`, and
    /// stops everything whatever `body` does.
    static func with<T>(extraConfiguration: String = "", _ body: (DaemonPair) async throws -> T) async throws -> T {
        let pair = try DaemonPair(extraConfiguration: extraConfiguration)
        do {
            try pair.launch(0)
            try pair.launch(1)
            let result = try await body(pair)
            await pair.stop()
            return result
        } catch {
            await pair.stop()
            throw error
        }
    }

    private init(extraConfiguration: String) throws {
        postgres = try ScratchPostgres()
        url = try postgres.createDatabase("switchboard")
        let directory = try TestEnvironment.temporaryDirectory()
        self.directory = directory
        members = try ["a", "b"].map { name in
            let home = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            return Member(
                name: "daemon-\(name)", endpoint: "tcp://127.0.0.1:\(try TestEnvironment.freePort())",
                eventsEndpoint: "tcp://127.0.0.1:\(try TestEnvironment.freePort())",
                httpAddress: "127.0.0.1:\(try TestEnvironment.freePort())", directory: home)
        }
        configurationFile = directory.appendingPathComponent("switchboard.yaml")
        try """
            heartbeat:
              interval: \(Daemon.heartbeat)
              liveness: 3
            shutdown:
              drain_timeout: \(Daemon.drainTimeout)
            ledger:
              backend: postgres
              url: \(url)
            \(extraConfiguration)
            """.write(to: configurationFile, atomically: true, encoding: .utf8)
    }

    /// Starts member `index` (again, after a kill): it stands by, or leads if nobody does.
    func launch(_ index: Int) throws {
        let member = members[index]
        let run = launches.withLock { launches -> Int in
            launches[index, default: 0] += 1
            return launches[index]!
        }
        let child = try ChildProcess(
            name: run == 1 ? member.name : "\(member.name)-\(run)", executable: try TestEnvironment.executable("switchboardd"),
            arguments: [
                "--config", configurationFile.path, "--endpoint", member.endpoint, "--events", member.eventsEndpoint,
                "--data-dir", member.directory.appendingPathComponent("var").path, "--http", member.httpAddress,
            ],
            directory: member.directory)
        running.withLock { $0[index] = child }
    }

    func process(_ index: Int) -> ChildProcess { running.withLock { $0[index]! } }

    /// Waits until member `index`'s current process has logged that it serves (bound its endpoints, as leader).
    func waitUntilServing(_ index: Int, within timeout: Duration = .seconds(30)) async throws {
        try await OutputWatch.wait(for: "switchboardd ready", in: process(index).stderrURL, within: timeout)
    }

    /// Which member leads: the first whose current process has logged that it serves.
    func waitForLeader(within timeout: Duration = .seconds(30)) async throws -> Int {
        // A race of two watches, whichever comes first (a task group would wait for the loser's whole timeout).
        let count = members.count
        let winner: Int? = await withCheckedContinuation { continuation in
            let state = Locked((resumed: false, failures: 0))
            for index in members.indices {
                Task {
                    let served = (try? await waitUntilServing(index, within: timeout)) != nil
                    let outcome: Int?? = state.withLock { state in
                        if state.resumed { return .none }
                        if served {
                            state.resumed = true
                            return .some(index)
                        }
                        state.failures += 1
                        if state.failures < count { return .none }
                        state.resumed = true
                        return .some(nil)
                    }
                    if case .some(let value) = outcome { continuation.resume(returning: value) }
                }
            }
        }
        guard let winner else { throw TestFailure("neither daemon served within \(timeout)") }
        return winner
    }

    /// The role member `index` reports on /healthz.
    func role(_ index: Int) async throws -> String? {
        try await HTTPProbe.get(members[index].httpBase + "/healthz").object()["role"] as? String
    }

    /// Starts `switchboard serve` against both daemons (the endpoint list), stopped with the pair.
    func serve(name: String, department: String, capacity: Int, command: [String]) throws -> ChildProcess {
        let worker = try ChildProcess(
            name: name, executable: try TestEnvironment.executable("switchboard"),
            arguments: [
                "serve", "--endpoint", endpoints, "--name", name, "--capacity", String(capacity), "--heartbeat",
                Daemon.heartbeat, "--department", department, "--",
            ] + command,
            directory: directory)
        children.withLock { $0.append(worker) }
        return worker
    }

    /// Starts the workers (`switchboard serve` of `department`, echoing `re:` and the body) and waits until the
    /// leader at `index` announces each one's join.
    func startWorkers(_ names: [String], department: String, capacity: Int, at index: Int) async throws {
        let events = try EventWatcher(endpoint: members[index].eventsEndpoint)
        try await events.waitUntilSubscribed(requestEndpoint: members[index].endpoint, department: department)
        for name in names {
            _ = try serve(name: name, department: department, capacity: capacity, command: ["sh", "-c", "printf 're:'; cat"])
        }
        try await events.waitUntil(within: .seconds(20), "the workers' joins") { seen in
            Set(names).isSubset(of: Set(seen.filter { $0.type == .workerJoined }.compactMap(\.worker)))
        }
    }

    func stop() async {
        let all = children.withLock { $0 }
        for child in all { child.signal(SIGTERM) }
        for child in all where (try? await child.exitCode(within: .seconds(3))) == nil { child.signal(SIGKILL) }
        for process in running.withLock({ Array($0.values) }) {
            process.signal(SIGCONT)
            await process.stop()
        }
        postgres.stop()
    }
}
