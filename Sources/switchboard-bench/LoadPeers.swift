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
        // Send times by request sequence number, then (native, once ACCEPTED names it) by ticket: integer keys,
        // so the load generator spends as little as it can of the cores it shares with the daemon.
        var started: [Int: UInt64] = [:]
        var ticketed: [UInt64: UInt64] = [:]
        let prefix = Array("c\(index)-\(UInt32.random(in: 0...UInt32.max))-".utf8)
        let submitHead = [Signature.agentBytes, [AgentCommand.submit.rawValue]]
        let departmentFrame = Array(department.utf8), priorityFrame = Array("normal".utf8)
        let mdpHead = [MajordomoDialect.clientV02, [0x01], departmentFrame]
        var id: [UInt8] = []

        func send() throws {
            sequence += 1
            id.removeAll(keepingCapacity: true)
            id.append(contentsOf: prefix)
            Self.appendDecimal(sequence, to: &id)
            switch wire {
            case .native:
                for frame in submitHead { try socket.send(frame: frame, more: true) }
                try id.withUnsafeBytes { try socket.send($0, more: true) }
                try socket.send(frame: departmentFrame, more: true)
                try socket.send(frame: priorityFrame, more: true)
                try socket.send(frame: body, more: false)
            case .mdp:
                // MDP has no request id: the body carries it, and the echo returns it.
                for frame in mdpHead { try socket.send(frame: frame, more: true) }
                id.append(0x20)
                id.append(contentsOf: body)
                try id.withUnsafeBytes { try socket.send($0, more: false) }
            case .proxy:
                try id.withUnsafeBytes { try socket.send($0, more: true) }
                try socket.send(frame: body, more: false)
            }
            started[sequence] = microseconds()
        }

        func record(_ start: UInt64?) {
            guard let start else { return }
            let now = microseconds()
            if start >= measureFrom && now <= measureUntil {
                result.completed += 1
                result.latency.record(now - start)
            }
        }

        for _ in 0..<inFlight { try send() }
        var poller = Poller()
        poller.add(socket)
        var message = FrameBuffer()
        // After the window no new request goes out; the outstanding ones are waited for (every request answered).
        var draining = false
        let drainUntil = measureUntil + 10_000_000
        while microseconds() < drainUntil && !(draining && started.isEmpty && ticketed.isEmpty) {
            if !draining && microseconds() >= measureUntil { draining = true }
            guard try poller.poll(timeoutMilliseconds: 100)[0] else { continue }
            while try socket.receive(into: &message, dontWait: true) {
                switch wire {
                case .native:
                    guard message.count >= 3, message[1].count == 1 else { continue }
                    switch message[1].first! {
                    case AgentCommand.accepted.rawValue where message.count >= 4:
                        // From now on the ticket names the request.
                        if let start = started.removeValue(forKey: Self.sequence(of: message[2])),
                           let ticket = Ticket(text: message[3]) {
                            ticketed[ticket.rawValue] = start
                        }
                    case AgentCommand.answer.rawValue:
                        record(Ticket(text: message[2]).flatMap { ticketed.removeValue(forKey: $0.rawValue) })
                        if !draining { try send() }
                    case AgentCommand.error.rawValue:
                        result.errors += 1
                        started.removeValue(forKey: Self.sequence(of: message[2]))
                        if let ticket = Ticket(text: message[2]) { ticketed.removeValue(forKey: ticket.rawValue) }
                        if !draining { try send() }
                    default:
                        break
                    }
                case .mdp:
                    guard message.count == 4 else { continue }
                    record(started.removeValue(forKey: Self.sequence(of: message[3].prefix(while: { $0 != 0x20 }))))
                    if !draining { try send() }
                case .proxy:
                    guard message.count == 2 else { continue }
                    record(started.removeValue(forKey: Self.sequence(of: message[0])))
                    if !draining { try send() }
                }
            }
        }
        result.unanswered = started.count + ticketed.count
        return result
    }

    /// The sequence number at the end of a request id (`c<client>-<random>-<sequence>`); -1 if there is none.
    static func sequence<Bytes: BidirectionalCollection<UInt8>>(of id: Bytes) -> Int {
        var value = 0, scale = 1, digits = 0
        for byte in id.reversed() {
            guard byte >= 0x30 && byte <= 0x39, digits < 18 else { break }
            value += Int(byte - 0x30) * scale
            scale *= 10
            digits += 1
        }
        return digits == 0 ? -1 : value
    }

    static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = UInt8(0x30 + rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            bytes.append(contentsOf: buffer[(20 - count)...])
        }
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
        var message = FrameBuffer()
        let answerHead = [Signature.workerBytes, [WorkerCommand.answer.rawValue]]
        let finalHead = [MajordomoDialect.workerV02, [0x04]]
        while microseconds() < stop && done.withLock({ $0 }) < clients {
            if try poller.poll(timeoutMilliseconds: 100)[0] {
                while try socket.receive(into: &message, dontWait: true) {
                    switch wire {
                    case .native:
                        // DISPATCH: signature, command, ticket, department, priority, attempt, body.
                        guard message.count == 7, message[1].elementsEqual([WorkerCommand.dispatch.rawValue]) else { continue }
                        for frame in answerHead { try socket.send(frame: frame, more: true) }
                        try message[2].withUnsafeBytes { try socket.send($0, more: true) }
                        try message[6].withUnsafeBytes { try socket.send($0, more: false) }
                    case .mdp:
                        // REQUEST: header, 0x02, address, "", body → FINAL.
                        guard message.count == 5, message[1].elementsEqual([0x02]) else { continue }
                        for frame in finalHead { try socket.send(frame: frame, more: true) }
                        try message[2].withUnsafeBytes { try socket.send($0, more: true) }
                        try socket.send(frame: [], more: true)
                        try message[4].withUnsafeBytes { try socket.send($0, more: false) }
                    case .proxy:
                        // [client identity, request id, body], echoed as it came.
                        for index in 0..<message.count {
                            try message[index].withUnsafeBytes { try socket.send($0, more: index < message.count - 1) }
                        }
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
