import Foundation
import Logging
import PostgresNIO

#if canImport(Glibc)
import Glibc
#endif

/// A private PostgreSQL server for tests, the bench and demos: its own data directory under the temporary
/// directory, listening on a free 127.0.0.1 port (and a socket in that directory), started with the server's
/// own binaries (Debian's postgresql-15, which `make test` installs) and stopped and removed afterwards. No
/// system service is used. As root, the server runs as the `postgres` user (PostgreSQL refuses to run as
/// root). Not for production: it runs with `fsync=off` unless asked otherwise.
public final class ScratchPostgres: Sendable {
    public let directory: URL
    public let port: Int
    public let user = "switchboard"
    private let binaries: URL
    private let runAs: String?

    /// Starts a server, runs `body` with it, and stops it whatever `body` does.
    public static func with<T>(_ body: (ScratchPostgres) async throws -> T) async throws -> T {
        let server = try ScratchPostgres()
        do {
            let result = try await body(server)
            server.stop()
            return result
        } catch {
            server.stop()
            throw error
        }
    }

    /// Starts a server (`durable`: with fsync, as a real one, for benchmarks).
    public init(durable: Bool = false) throws {
        binaries = try Self.findBinaries()
        runAs = geteuid() == 0 ? "postgres" : nil
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try Self.freePort()
        if let runAs { try Self.run("/usr/bin/chown", [runAs, directory.path]) }
        try command("initdb", ["-D", dataDirectory, "-A", "trust", "-U", user, "-E", "UTF8", "--no-sync"])
        try command("pg_ctl", [
            "-D", dataDirectory, "-l", directory.appendingPathComponent("server.log").path, "-w", "-t", "30", "-o",
            "-p \(port) -k \(directory.path) -c listen_addresses=127.0.0.1 -c max_connections=200\(durable ? "" : " -c fsync=off")", "start",
        ])
    }

    private var dataDirectory: String { directory.appendingPathComponent("data").path }

    /// Creates a database; returns its URL for `ledger.url`.
    @discardableResult
    public func createDatabase(_ name: String) throws -> String {
        try Self.run(binaries.appendingPathComponent("createdb").path, ["-h", "127.0.0.1", "-p", "\(port)", "-U", user, name])
        return url(database: name)
    }

    /// The URL of one of its databases (no password, no TLS: it trusts 127.0.0.1).
    public func url(database: String) -> String {
        "postgres://\(user)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// Stops the server at once and removes its files. Idempotent.
    public func stop() {
        try? command("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(at: directory)
    }

    /// A client of this server's `postgres` database; run it (``PostgresClient/run()``) while it is used.
    public func client() -> PostgresClient {
        PostgresClient(
            configuration: .init(host: "127.0.0.1", port: port, username: user, password: nil, database: "postgres", tls: .disable),
            backgroundLogger: Logger(label: "test-postgres"))
    }

    /// Runs `body` with a running client, and stops the client afterwards.
    public func withClient<T: Sendable>(_ body: @escaping @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let client = client()
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            let result = try await body(client)
            return result
        }
    }

    private func command(_ name: String, _ arguments: [String]) throws {
        let path = binaries.appendingPathComponent(name).path
        if let runAs {
            try Self.run("/usr/sbin/runuser", ["-u", runAs, "--", path] + arguments)
        } else {
            try Self.run(path, arguments)
        }
    }

    /// Runs a command to its end, its output in a file. posix_spawn and waitpid, not Foundation's Process:
    /// pg_ctl leaves the server running behind it, and Process did not always see its short-lived parent end.
    private static func run(_ executable: String, _ arguments: [String]) throws {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-pg-\(UUID().uuidString).out").path
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw ScratchPostgresError("cannot start \(executable): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exited = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        guard exited == 0 else {
            throw ScratchPostgresError("\(executable) \(arguments.joined(separator: " ")) exited \(exited):\n\(text)")
        }
    }

    private static func findBinaries() throws -> URL {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        for version in versions.sorted(by: >) {
            let bin = root.appendingPathComponent(version).appendingPathComponent("bin")
            if FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent("initdb").path) { return bin }
        }
        throw ScratchPostgresError("PostgreSQL's server is missing (no /usr/lib/postgresql/*/bin/initdb): `make test` installs postgresql-15")
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ScratchPostgresError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw ScratchPostgresError("no free port on 127.0.0.1") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

public struct ScratchPostgresError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
