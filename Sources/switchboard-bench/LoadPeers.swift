import Foundation
import Histogram
import SwitchboardSchema
import ZeroMQ

/// What one load run measures: round trips completed in the measured window and their latencies (µs).
struct LoadResult: Sendable {
    var completed: Int = 0
    var errors: Int = 0
    /// Requests still unanswered when the clients stopped waiting (after the window, a drain of up to 10 s).
    var unanswered: Int = 0
    /// CPU seconds the daemon used during the measured window (when it was measured).
    var daemonCPU: Double?
    /// CPU seconds the load generator itself (clients, workers, and for the baseline the proxy) used then.
    var generatorCPU: Double?
    var latency = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)

    mutating func merge(_ other: LoadResult) {
        completed += other.completed
        errors += other.errors
        unanswered += other.unanswered
        latency.add(other.latency)
    }
}

/// The wire a load run speaks: Switchboard's native protocol, Majordomo 0.2 (RFC 18), or bare frames
/// through `zmq_proxy` (the baseline).
enum Wire: String, Sendable {
    case native, mdp, proxy
}

/// Microseconds on the monotonic clock.
func microseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
}

/// One client: a DEALER keeping `inFlight` requests outstanding; each answer sends the next. Latencies
/// are recorded only between `measureFrom` and `measureUntil`.
struct LoadClient {
    let wire: Wire
    let endpoint: String
    let department: String
    let inFlight: Int
    let body: [UInt8]
    let curve: (CurveKeyPair, [UInt8])?
    let index: Int

    func run(context: Context, measureFrom: UInt64, measureUntil: UInt64) throws -> LoadResult {
        let socket = try context.socket(.dealer)
        defer { socket.close() }
        try socket.setLinger(milliseconds: 0)
        try socket.setSendHighWaterMark(0)
        try socket.setReceiveHighWaterMark(0)
        if let (pair, server) = curve { try socket.setCurveClient(keyPair: pair, serverKey: server) }
        try socket.connect(endpoint)
        var result = LoadResult()
        var sequence = 0
        var started: [String: UInt64] = [:]  // request id (native: then ticket) or sequence → send time
        let prefix = "c\(index)-\(UInt32.random(in: 0...UInt32.max))-"

        func send() throws {
            sequence += 1
            let id = prefix + String(sequence)
            switch wire {
            case .native:
                try socket.send(frames: [Signature.agentBytes, [AgentCommand.submit.rawValue], Array(id.utf8), Array(department.utf8), Array("normal".utf8), body])
            case .mdp:
                // MDP has no request id: the body carries it, and the echo returns it.
                try socket.send(frames: [MajordomoDialect.clientV02, [0x01], Array(department.utf8), Array(id.utf8) + [0x20] + body])
            case .proxy:
                try socket.send(frames: [Array(id.utf8), body])
            }
            started[id] = microseconds()
        }

        func finish(_ key: String) {
            guard let start = started.removeValue(forKey: key) else { return }
            let now = microseconds()
            if start >= measureFrom && now <= measureUntil {
                result.completed += 1
                result.latency.record(now - start)
            }
        }

        for _ in 0..<inFlight { try send() }
        var poller = Poller()
        poller.add(socket)
        // After the window no new request goes out; the outstanding ones are waited for (every request answered).
        var draining = false
        let drainUntil = measureUntil + 10_000_000
        while microseconds() < drainUntil && !(draining && started.isEmpty) {
            if !draining && microseconds() >= measureUntil { draining = true }
            guard try poller.poll(timeoutMilliseconds: 100)[0] else { continue }
            while let message = try socket.receive(dontWait: true) {
                let frames = message.frames
                switch wire {
                case .native:
                    guard frames.count >= 3, frames[1].count == 1 else { continue }
                    switch frames[1][0] {
                    case AgentCommand.accepted.rawValue where frames.count >= 4:
                        // From now on the ticket names the request.
                        let id = String(decoding: frames[2], as: UTF8.self)
                        if let start = started.removeValue(forKey: id) { started[String(decoding: frames[3], as: UTF8.self)] = start }
                    case AgentCommand.answer.rawValue:
                        finish(String(decoding: frames[2], as: UTF8.self))
                        if !draining { try send() }
                    case AgentCommand.error.rawValue:
                        result.errors += 1
                        started.removeValue(forKey: String(decoding: frames[2], as: UTF8.self))
                        if !draining { try send() }
                    default:
                        break
                    }
                case .mdp:
                    guard frames.count == 4 else { continue }
                    finish(String(decoding: frames[3].prefix(while: { $0 != 0x20 }), as: UTF8.self))
                    if !draining { try send() }
                case .proxy:
                    guard frames.count == 2 else { continue }
                    finish(String(decoding: frames[0], as: UTF8.self))
                    if !draining { try send() }
                }
            }
        }
        result.unanswered = started.count
        return result
    }
}

/// One echo worker: answers every request with its body, at once.
struct EchoWorker {
    let wire: Wire
    let endpoint: String
    let department: String
    let credit: Int
    let curve: (CurveKeyPair, [UInt8])?
    let index: Int

    /// Serves until `stop`, or until every client is done (`done` reaches `clients`).
    func run(context: Context, until stop: UInt64, done: Locked<Int>, clients: Int) throws {
        let socket = try context.socket(.dealer)
        defer { socket.close() }
        try socket.setLinger(milliseconds: 0)
        try socket.setSendHighWaterMark(0)
        try socket.setReceiveHighWaterMark(0)
        if let (pair, server) = curve { try socket.setCurveClient(keyPair: pair, serverKey: server) }
        try socket.connect(endpoint)
        switch wire {
        case .native:
            let ready = ReadyInfo(departments: [department], credit: credit, name: "bench-echo-\(index)")
            try socket.send(frames: WorkerMessage.ready(info: JSONCoding.encode(ready)).encode())
        case .mdp:
            try socket.send(frames: [MajordomoDialect.workerV02, [0x01], Array(department.utf8)])
        case .proxy:
            break
        }
        var poller = Poller()
        poller.add(socket)
        var lastHeartbeat = microseconds()
        while microseconds() < stop && done.withLock({ $0 }) < clients {
            if try poller.poll(timeoutMilliseconds: 100)[0] {
                while let message = try socket.receive(dontWait: true) {
                    let frames = message.frames
                    switch wire {
                    case .native:
                        // DISPATCH: signature, command, ticket, department, priority, attempt, body.
                        guard frames.count == 7, frames[1] == [WorkerCommand.dispatch.rawValue] else { continue }
                        try socket.send(frames: [Signature.workerBytes, [WorkerCommand.answer.rawValue], frames[2], frames[6]])
                    case .mdp:
                        // REQUEST: header, 0x02, address, "", body → FINAL.
                        guard frames.count == 5, frames[1] == [0x02] else { continue }
                        try socket.send(frames: [MajordomoDialect.workerV02, [0x04], frames[2], [], frames[4]])
                    case .proxy:
                        // [client identity, request id, body], echoed as it came.
                        try socket.send(frames: frames)
                    }
                }
            }
            let now = microseconds()
            if wire != .proxy && now - lastHeartbeat > 1_000_000 {
                lastHeartbeat = now
                try socket.send(frames: wire == .native ? WorkerMessage.heartbeat.encode() : [MajordomoDialect.workerV02, [0x05]])
            }
        }
    }
}
