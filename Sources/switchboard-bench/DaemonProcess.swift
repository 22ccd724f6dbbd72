import Foundation
import SwitchboardSchema
import ZeroMQ

/// A `switchboardd` the benchmark starts on free loopback ports with a fresh ledger, and stops.
final class DaemonProcess {
    let endpoint: String
    let eventsEndpoint: String
    let directory: URL
    let process = Process()
    let executable: String
    let configuration: URL

    init(executable: String, durability: String, extra: String = "", directory: URL? = nil) throws {
        self.executable = executable
        self.directory = try directory ?? {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            return url
        }()
        endpoint = "tcp://127.0.0.1:\(try freePort())"
        eventsEndpoint = "tcp://127.0.0.1:\(try freePort())"
        configuration = self.directory.appendingPathComponent("switchboard.yaml")
        try """
            durability: \(durability)
            http:
              listen: "off"
            log:
              level: info
            departments:
              bench:
                answer_targets: 1d
              sla:
                answer_targets: 3s
            \(extra)
            """.write(to: configuration, atomically: true, encoding: .utf8)
        try launch()
    }

    private func launch() throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "--config", configuration.path, "--endpoint", endpoint, "--events", eventsEndpoint,
            "--data-dir", directory.appendingPathComponent("var").path,
        ]
        process.standardError = try FileHandle(forWritingTo: {
            let log = directory.appendingPathComponent("switchboardd.log")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            return log
        }())
        try process.run()
    }

    /// A new process on the same ports and ledger (after `stop()`).
    func restarted() throws -> DaemonProcess {
        try DaemonProcess(reusing: self)
    }

    private init(reusing old: DaemonProcess) throws {
        executable = old.executable
        directory = old.directory
        endpoint = old.endpoint
        eventsEndpoint = old.eventsEndpoint
        configuration = old.configuration
        try launch()
    }

    /// Waits until the daemon answers a HEARTBEAT; returns how long that took from `since`.
    @discardableResult
    func waitUntilServing(since: UInt64 = microseconds(), timeout: Duration = .seconds(60)) throws -> Duration {
        let context = try Context()
        defer { context.shutdown() }
        let socket = try context.socket(.dealer)
        defer { socket.close() }
        try socket.setLinger(milliseconds: 0)
        try socket.connect(endpoint)
        var poller = Poller()
        poller.add(socket)
        let deadline = microseconds() + UInt64(timeout.milliseconds) * 1000
        while microseconds() < deadline {
            guard process.isRunning else { throw BenchError("switchboardd exited: see \(directory.path)/switchboardd.log") }
            try socket.send(frames: AgentMessage.heartbeat.encode())
            if try poller.poll(timeoutMilliseconds: 20)[0], try socket.receive(dontWait: true) != nil {
                return .microseconds(Int64(microseconds() - since))
            }
        }
        throw BenchError("switchboardd did not answer within \(timeout)")
    }

    /// Peak and current resident memory, in bytes, from /proc.
    var memory: (peak: Int, resident: Int) {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        func kilobytes(_ field: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return 0 }
            return Int(line.split(separator: " ").dropFirst().first ?? "0").map { $0 * 1024 } ?? 0
        }
        return (kilobytes("VmHWM"), kilobytes("VmRSS"))
    }

    /// The `ms` of the daemon's last "ledger read" log line (how long reading the ledger took at start).
    var lastLedgerReadMilliseconds: Int? {
        let log = (try? String(contentsOf: directory.appendingPathComponent("switchboardd.log"), encoding: .utf8)) ?? ""
        guard let line = log.split(separator: "\n").last(where: { $0.contains("ledger read") }),
            let range = line.range(of: "ms=")
        else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on now.
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw BenchError("socket() failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw BenchError("bind() failed") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
