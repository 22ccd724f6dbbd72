import ArgumentParser
import Foundation
import SwitchboardSchema
import ZeroMQ

/// `switchboard-bench scale`: 100,000 open requests with nobody serving them: the daemon's memory, its
/// recovery time after a restart, and whether SLA events still fire on time.
struct Scale: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open 100,000 requests with no worker: resident memory, recovery time, SLA events on time.")

    @Option(help: "Open requests to create.") var requests = 100_000
    @Option(help: "Ledger durability: fsync or os.") var durability = "fsync"
    @Option(help: "The switchboardd to start.") var daemon = siblingExecutable("switchboardd")

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let first = try DaemonProcess(executable: daemon, durability: durability)
        defer { first.remove() }
        try first.waitUntilServing()
        let before = first.memory
        let started = microseconds()
        try Scale.submit(requests, to: first.endpoint, department: "bench")
        let seconds = Double(microseconds() - started) / 1e6
        print(String(format: "submitted %d requests (no worker) in %.1f s: %.0f/s", requests, seconds, Double(requests) / seconds))

        // With them all open, a few requests on a 3-second answer target: their breaches must come on time.
        let lateness = try Scale.slaLateness(daemon: first, count: 20)
        let memory = first.memory
        print("daemon resident memory with \(requests) open: \(memory.resident >> 20) MiB (peak \(memory.peak >> 20) MiB; \(before.resident >> 20) MiB at start)")
        print(String(format: "SLA breaches with %d open: due-to-published lateness max %d ms, median %d ms (%d of 20 seen)",
            requests, lateness.max() ?? -1, lateness.sorted()[lateness.count / 2], lateness.count))

        first.stop()
        let restartedAt = microseconds()
        let second = try first.restarted()
        defer { second.stop() }
        let recovery = try second.waitUntilServing(since: restartedAt)
        print(String(format: "restart with %d open requests: serving again after %.2f s (reading the ledger: %d ms); resident memory %d MiB",
            requests + 20, recovery.seconds, second.lastLedgerReadMilliseconds ?? -1, second.memory.resident >> 20))
    }

    /// Submits `count` requests from 8 pipelined clients and returns once each is ACCEPTED.
    static func submit(_ count: Int, to endpoint: String, department: String) throws {
        let context = try Context()
        defer { context.shutdown() }
        let group = DispatchGroup()
        let failures = Locked([String]())
        let clients = 8
        for client in 0..<clients {
            let share = count / clients + (client < count % clients ? 1 : 0)
            group.enter()
            Thread {
                defer { group.leave() }
                do {
                    let socket = try context.socket(.dealer)
                    defer { socket.close() }
                    try socket.setLinger(milliseconds: 0)
                    try socket.setSendHighWaterMark(0)
                    try socket.setReceiveHighWaterMark(0)
                    try socket.connect(endpoint)
                    var sent = 0, accepted = 0
                    let window = 512
                    let prefix = "scale-\(client)-\(UInt32.random(in: 0...UInt32.max))-"
                    func send() throws {
                        sent += 1
                        try socket.send(frames: AgentMessage.submit(
                            requestID: prefix + String(sent), department: department, priority: .normal,
                            body: Array("open request \(sent)".utf8)).encode())
                    }
                    while sent < min(share, window) { try send() }
                    var poller = Poller()
                    poller.add(socket)
                    while accepted < share {
                        guard try poller.poll(timeoutMilliseconds: 30_000)[0] else { throw BenchError("no ACCEPTED for 30 s") }
                        while let message = try socket.receive(dontWait: true) {
                            guard message.frames.count >= 2, message.frames[1] == [AgentCommand.accepted.rawValue] else {
                                if message.frames.count >= 2, message.frames[1] == [AgentCommand.error.rawValue] {
                                    throw BenchError("refused: \(String(decoding: message.frames.last ?? [], as: UTF8.self))")
                                }
                                continue
                            }
                            accepted += 1
                            if sent < share { try send() }
                        }
                    }
                } catch {
                    failures.withLock { $0.append("client \(client): \(error)") }
                }
            }.start()
        }
        group.wait()
        if let failure = failures.withLock({ $0.first }) { throw BenchError(failure) }
    }

    /// Submits `count` requests to the `sla` department (3 s target) and returns, for each breach event seen,
    /// how many milliseconds after its due time it was published.
    static func slaLateness(daemon: DaemonProcess, count: Int) throws -> [Int] {
        let context = try Context()
        defer { context.shutdown() }
        let events = try context.socket(.sub)
        defer { events.close() }
        try events.setLinger(milliseconds: 0)
        try events.subscribe(Array(EventType.requestSLABreached.rawValue.utf8))
        try events.connect(daemon.eventsEndpoint)
        Thread.sleep(forTimeInterval: 0.5)  // a SUB socket's subscription reaches the publisher asynchronously
        try submit(count, to: daemon.endpoint, department: "sla")
        var lateness: [Int] = []
        var poller = Poller()
        poller.add(events)
        let deadline = microseconds() + 15_000_000
        while lateness.count < count && microseconds() < deadline {
            guard try poller.poll(timeoutMilliseconds: 500)[0] else { continue }
            while let message = try events.receive(dontWait: true) {
                guard message.frames.count == 2,
                    let event = try? JSONCoding.decode(EventRecord.self, from: message.frames[1]),
                    let due = event.dueAt.flatMap(Scale.milliseconds), let at = Scale.milliseconds(event.at)
                else { continue }
                lateness.append(Int(at - due))
            }
        }
        return lateness.isEmpty ? [-1] : lateness
    }

    static func milliseconds(_ iso: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: iso).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
    }
}
