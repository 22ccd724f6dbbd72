import Foundation
import ZeroMQ

/// N clients and M workers, each on a thread of its own with its own socket, for a warm-up and a measured
/// window.
struct LoadRun {
    let wire: Wire
    /// Where clients connect, and where workers connect (different only for the proxy).
    let clientEndpoint: String
    let workerEndpoint: String
    let department: String
    let clients: Int
    let inFlight: Int
    let workers: Int
    let bodyBytes: Int
    let warmup: Duration
    let duration: Duration
    var clientKey: ((Int) -> (CurveKeyPair, [UInt8]))?
    var workerKey: ((Int) -> (CurveKeyPair, [UInt8]))?
    /// The daemon whose CPU time is measured over the window, if known.
    var daemon: ProcessCPU?

    func run() throws -> LoadResult {
        let context = try Context(ioThreads: 1)
        defer { context.shutdown() }
        let start = microseconds()
        let measureFrom = start + UInt64(warmup.milliseconds) * 1000
        let measureUntil = measureFrom + UInt64(duration.milliseconds) * 1000
        let results = Locked(LoadResult())
        let failures = Locked([String]())
        let group = DispatchGroup()
        let body = [UInt8](repeating: 0x78, count: bodyBytes)
        let clientsDone = Locked(0)
        for index in 0..<workers {
            let clients = self.clients
            let worker = EchoWorker(
                wire: wire, endpoint: workerEndpoint, department: department,
                credit: wire == .native ? max(1, clients * inFlight / max(1, workers)) : 1, curve: workerKey?(index),
                index: index)
            group.enter()
            Thread {
                do { try worker.run(context: context, until: measureUntil + 10_500_000, done: clientsDone, clients: clients) } catch {
                    failures.withLock { $0.append("worker \(index): \(error)") }
                }
                group.leave()
            }.start()
        }
        // Workers register before the first request, so the warm-up measures a served department.
        Thread.sleep(forTimeInterval: 0.3)
        for index in 0..<clients {
            let client = LoadClient(
                wire: wire, endpoint: clientEndpoint, department: department, inFlight: inFlight, body: body,
                curve: clientKey?(index), index: index)
            group.enter()
            Thread {
                do {
                    let result = try client.run(context: context, measureFrom: measureFrom, measureUntil: measureUntil)
                    results.withLock { $0.merge(result) }
                    clientsDone.withLock { $0 += 1 }
                } catch {
                    failures.withLock { $0.append("client \(index): \(error)") }
                    clientsDone.withLock { $0 += 1 }
                }
                group.leave()
            }.start()
        }
        // The daemon's CPU time at the start and end of the measured window.
        let cpu = Locked<(start: Double?, end: Double?)>((nil, nil))
        let own = Locked<(start: Double?, end: Double?)>((nil, nil))
        let daemon = self.daemon
        group.enter()
        Thread {
            let generator = ProcessCPU(pid: getpid())
            LoadRun.sleep(until: measureFrom)
            let start = daemon?.seconds, ownStart = generator.seconds
            LoadRun.sleep(until: measureUntil)
            let end = daemon?.seconds, ownEnd = generator.seconds
            cpu.withLock { $0 = (start, end) }
            own.withLock { $0 = (ownStart, ownEnd) }
            group.leave()
        }.start()
        group.wait()
        if let failure = failures.withLock({ $0.first }) { throw BenchError(failure) }
        var result = results.withLock { $0 }
        let (cpuStart, cpuEnd) = cpu.withLock { $0 }
        if let cpuStart, let cpuEnd { result.daemonCPU = cpuEnd - cpuStart }
        let (ownStart, ownEnd) = own.withLock { $0 }
        if let ownStart, let ownEnd { result.generatorCPU = ownEnd - ownStart }
        return result
    }
}

extension LoadRun {
    static func sleep(until microsecond: UInt64) {
        let now = microseconds()
        if microsecond > now { usleep(useconds_t(min(microsecond - now, UInt64(UInt32.max)))) }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
