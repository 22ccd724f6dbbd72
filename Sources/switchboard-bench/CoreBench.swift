import ArgumentParser
import Foundation
import SwitchboardCore
import SwitchboardSchema

/// `switchboard-bench core`: Core's cost per round trip without sockets or a ledger: a worker registers,
/// requests are submitted and answered as the broker thread would drive them (`--in-flight` open at once),
/// and the actions Core returns are handed back for reuse, as the broker does.
struct CoreBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "core", abstract: "CPU per round trip of the broker's state machine (no sockets, no ledger).")

    @Option(help: "Round trips.") var requests = 500_000
    @Option(name: .customLong("in-flight"), help: "Requests open at once.") var inFlight = 256

    func run() throws {
        let start = Timestamp.now()
        var core = BrokerCore(
            configuration: CoreConfiguration(
                departments: [DepartmentPolicy(name: "bench", answerTargets: [.normal: .seconds(86_400)])],
                retainedFinishedRequests: 10_000, ledgerBacked: true),
            now: start)
        let worker = Peer(id: [0, 0, 0, 0, 1]), agent = Peer(id: [0, 0, 0, 0, 2])
        var actions = core.ready(
            from: worker, info: ReadyInfo(departments: ["bench"], credit: inFlight, name: "bench-echo"), now: start)
        core.recycle(&actions)
        let body = [UInt8](repeating: 0x78, count: 32)
        var open: [Ticket] = []
        open.reserveCapacity(inFlight)
        let cpu = ProcessCPU(pid: getpid())
        let before = cpu.seconds ?? 0
        for number in 0..<requests {
            let now = start + .milliseconds(Int64(number / 40))
            actions = core.submit(
                from: agent, requestID: "c1-\(number)", department: "bench", priority: .normal, body: body, now: now)
            for action in actions {
                if case let .sendToWorker(_, .dispatch(ticket, _, _, _, _)) = action { open.append(ticket) }
            }
            core.recycle(&actions)
            if open.count >= inFlight {
                for ticket in open {
                    actions = core.answer(from: worker, ticket: ticket, body: body, now: now)
                    core.recycle(&actions)
                }
                open.removeAll(keepingCapacity: true)
            }
        }
        let seconds = (cpu.seconds ?? 0) - before
        print(String(format: "core: %d round trips, %d in flight: %.2f µs CPU per round trip", requests, inFlight,
            seconds / Double(requests) * 1e6))
    }
}
