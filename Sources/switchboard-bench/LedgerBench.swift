import ArgumentParser
import Foundation
import SwitchboardCore
import SwitchboardSchema
import SwitchboardStore

/// `switchboard-bench ledger`: the ledger writer's cost per request without sockets or threads: groups of
/// changes shaped like the broker's (submitted, offered, answered), each group one transaction, as
/// `Ledger.apply` commits them. `--split` is the share of requests answered in the group after the one that
/// submitted them (their row is written twice: an INSERT, then an UPDATE).
struct LedgerBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger", abstract: "CPU per request of the ledger's group commits (no broker, no sockets).")

    @Option(help: "Requests per transaction.") var group = 72
    @Option(help: "Share of requests answered in the next transaction (0 to 1).") var split = 0.7
    @Option(help: "Requests in all.") var requests = 200_000
    @Option(help: "Ledger durability: fsync or os.") var durability = "fsync"

    func run() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-ledger-bench-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let ledger = try Ledger(directory: directory.path, durability: durability == "os" ? .os : .fsync)
        let policy = SLAPolicy(targets: [.answer: .seconds(86_400)])
        var issuer = TicketIssuer()
        let start = Timestamp.now()
        var later: [Change] = []
        let cpu = ProcessCPU(pid: getpid())
        let cpuBefore = cpu.seconds ?? 0, wallBefore = microseconds()
        var written = 0, number = 0
        while written < requests {
            var changes = later
            later = []
            for _ in 0..<group {
                number += 1
                let now = start + .milliseconds(Int64(number / 40))
                let ticket = issuer.next(at: now)
                let sla = SLAState(policy: policy, startingAt: now)
                var facts = Change.RequestFacts(
                    ticket: ticket, requestID: "c\(number % 8)-\(number)", department: "bench", priority: .normal,
                    state: .queued, attempt: 0, at: now, sla: sla)
                changes.append(.submitted(Change.Submission(
                    facts: facts, body: Array(repeating: 0x78, count: 32), submitter: .connection(PeerID([0, 1, 2, 3, 4])),
                    deadline: now + .seconds(86_400))))
                facts.state = .offered
                facts.attempt = 1
                facts.worker = "bench-echo-1"
                facts.sla = nil
                changes.append(.offered(facts))
                facts.state = .answered
                facts.sla = sla
                let answer = Change.answered(Change.Answered(
                    facts: facts, body: Array(repeating: 0x78, count: 32), submittedAt: now))
                if Double(number % 1000) < split * 1000 { later.append(answer) } else { changes.append(answer) }
            }
            try ledger.apply(changes)
            written += group
        }
        if !later.isEmpty { try ledger.apply(later) }
        let seconds = (cpu.seconds ?? 0) - cpuBefore, wall = Double(microseconds() - wallBefore) / 1e6
        print(String(
            format: "ledger: %d requests, %d per transaction, %.0f%% answered in the next one, durability %@: "
                + "%.2f µs CPU per request (%.2f µs wall)",
            written, group, split * 100, durability, seconds / Double(written) * 1e6, wall / Double(written) * 1e6))
    }
}
