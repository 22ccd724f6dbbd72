import Foundation
import SwitchboardSchema
import ZeroMQ

/// Follows the daemon's event stream on a thread of its own and lets a test wait for events.
final class EventWatcher: @unchecked Sendable {
    // @unchecked Sendable: `cursor` is used by one test at a time; the rest is behind locks.
    private let context: Context
    private let stop = Locked(false)
    private let buffer = Locked([EventRecord]())
    private let arrivals = Notifier()
    private var cursor = 0

    /// `curve`: an ops key pair and the broker's public key, for a broker that runs CURVE.
    init(endpoint: String, curve: (CurveKeyPair, [UInt8])? = nil) throws {
        context = try Context()
        let stop = self.stop, buffer = self.buffer, arrivals = self.arrivals
        let socket = try context.socket(.sub)
        try socket.setLinger(milliseconds: 0)
        if let (pair, server) = curve { try socket.setCurveClient(keyPair: pair, serverKey: server) }
        try socket.subscribe([])
        try socket.connect(endpoint)
        let box = UncheckedBox(socket)
        Thread {
            let socket = box.value
            defer { socket.close() }
            var poller = Poller()
            poller.add(socket)
            while !stop.withLock({ $0 }) {
                guard (try? poller.poll(timeoutMilliseconds: 50))?[0] == true else { continue }
                while let message = try? socket.receive(dontWait: true) {
                    if message.frames.count == 2,
                        let event = try? JSONCoding.decode(EventRecord.self, from: message.frames[1])
                    {
                        buffer.withLock { $0.append(event) }
                        arrivals.notifyAll()
                    }
                }
            }
        }.start()
    }

    deinit {
        stop.withLock { $0 = true }
    }

    /// Every event received so far.
    var seen: [EventRecord] { buffer.withLock { $0 } }

    /// Waits for the next event (after those already consumed) that matches.
    func next(within timeout: Duration = .seconds(10), where match: @escaping (EventRecord) -> Bool) async throws -> EventRecord {
        let deadline = ContinuousClock.now + timeout
        while true {
            let pending = buffer.withLock { Array($0.dropFirst(cursor)) }
            for event in pending {
                cursor += 1
                if match(event) { return event }
            }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { break }
            await arrivals.wait(timeout: min(remaining, .milliseconds(200)))
        }
        throw TestFailure("no matching event within \(timeout); last seen: \(seen.suffix(20).map(\.type.rawValue))")
    }

    /// Waits until the events seen so far satisfy `condition`.
    func waitUntil(within timeout: Duration, _ what: String, _ condition: ([EventRecord]) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition(seen) {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw TestFailure("timed out after \(timeout) waiting for \(what)") }
            await arrivals.wait(timeout: min(remaining, .milliseconds(200)))
        }
    }

    /// Makes sure the subscription reached the daemon: registers a throwaway worker until its join is seen.
    func waitUntilSubscribed(
        requestEndpoint: String, department: String, curve: (CurveKeyPair, [UInt8])? = nil
    ) async throws {
        let deadline = ContinuousClock.now + .seconds(15)
        var probe = 0
        while ContinuousClock.now < deadline {
            probe += 1
            let name = "subscription-probe-\(probe)"
            let peer = try RawPeer(endpoint: requestEndpoint, curve: curve)
            let ready = ReadyInfo(departments: [department], credit: 1, name: name)
            try peer.send(WorkerMessage.ready(info: JSONCoding.encode(ready)).encode())
            try peer.send(WorkerMessage.disconnect.encode())
            if (try? await next(within: .milliseconds(300), where: { $0.worker == name })) != nil { return }
        }
        throw TestFailure("the event subscription never became active")
    }
}

/// Moves a value into a thread that becomes its only user.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Wakes tasks waiting for "something arrived", with a timeout.
final class Notifier: Sendable {
    private let waiters = Locked([UInt64: CheckedContinuation<Void, Never>]())
    private let counter = Locked<UInt64>(0)

    func notifyAll() {
        let all = waiters.withLock { waiters in
            defer { waiters.removeAll() }
            return Array(waiters.values)
        }
        all.forEach { $0.resume() }
    }

    func wait(timeout: Duration) async {
        let id = counter.withLock { value -> UInt64 in
            value += 1
            return value
        }
        let waiters = self.waiters
        let timer = Task {
            try? await Task.sleep(for: timeout)
            waiters.withLock { $0.removeValue(forKey: id) }?.resume()
        }
        await withCheckedContinuation { continuation in
            waiters.withLock { $0[id] = continuation }
        }
        timer.cancel()
    }
}
