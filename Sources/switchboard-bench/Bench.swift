import ArgumentParser
import SwitchboardPostgres
import Foundation
import Histogram
import SwitchboardSchema
import ZeroMQ

/// `switchboard-bench`: load against switchboardd (and, in the same run, against libzmq's zmq_proxy), and
/// scale figures with 100,000 open requests. A benchmark prints numbers; it asserts nothing.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard-bench",
        abstract: "Measure switchboardd: round trips per second and latency, against a bare zmq_proxy hop.",
        subcommands: [Load.self, Scale.self, LedgerBench.self, CoreBench.self], defaultSubcommand: Load.self)
}

/// The executables next to this one (swift build puts them together).
func siblingExecutable(_ name: String) -> String {
    let own = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    return own.deletingLastPathComponent().appendingPathComponent(name).path
}

struct Load: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "M echo workers and N clients with K requests in flight each, for a duration.")

    @Option(help: "Clients.") var clients = 8
    @Option(name: .customLong("in-flight"), help: "Requests each client keeps outstanding.") var inFlight = 32
    @Option(help: "Echo workers.") var workers = 4
    @Option(name: .customLong("body-bytes"), help: "Request body size.") var bodyBytes = 32
    @Option(help: "Measured time per run, e.g. 10s.") var duration = "10s"
    @Option(help: "Warm-up before each measured window.") var warmup = "2s"
    @Option(help: "Runs; the report gives each and the median.") var runs = 1
    @Option(help: "native (SWB/1) or mdp (Majordomo 0.2).") var `protocol` = "native"
    @Option(help: "Ledger durability of the daemon the benchmark starts: fsync or os.") var durability = "fsync"
    @Option(help: "none, or proxy: measure libzmq's zmq_proxy with the same load first, in the same run.") var baseline = "proxy"
    @Option(help: "Use a running daemon at this endpoint instead of starting one (department 'bench').") var endpoint: String?
    @Option(name: .customLong("daemon-pid"), help: "With --endpoint: the daemon's process id, to report its CPU per round trip.")
    var daemonPID: Int32?
    @Option(help: "The switchboardd to start.") var daemon = siblingExecutable("switchboardd")
    @Option(help: """
        The ledger of the daemon the benchmark starts: sqlite, postgres (a private PostgreSQL server on 127.0.0.1, \
        with fsync, started by the benchmark: Debian's postgresql-15), or both, one after the other in each run.
        """)
    var ledger = "sqlite"

    func validate() throws {
        guard ["sqlite", "postgres", "both"].contains(ledger) else { throw ValidationError("--ledger is sqlite, postgres or both") }
        guard endpoint == nil || ledger == "sqlite" else { throw ValidationError("--ledger starts daemons: it does not go with --endpoint") }
        guard ["native", "mdp"].contains(`protocol`) else { throw ValidationError("--protocol is native or mdp") }
        guard ["fsync", "os"].contains(durability) else { throw ValidationError("--durability is fsync or os") }
        guard ["none", "proxy"].contains(baseline) else { throw ValidationError("--baseline is none or proxy") }
        guard clients > 0, inFlight > 0, workers > 0, runs > 0, bodyBytes >= 0 else { throw ValidationError("counts must be positive") }
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let window = try durationValue(duration), warm = try durationValue(warmup)
        print("switchboard-bench: \(clients) clients x \(inFlight) in flight, \(workers) workers, \(bodyBytes)-byte bodies, "
            + "\(`protocol`), durability \(durability), \(runs) run(s) of \(duration) after \(warmup) warm-up")
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB, "
            + "\(machineName()); libzmq \(ZeroMQ.Context.version)")
        var proxyRuns: [Summary] = []
        var brokerRuns: [Summary] = []
        var postgresRuns: [Summary] = []
        // One server for the whole benchmark, a fresh database per run; durable, as SQLite's fsync is.
        let postgres = ledger == "sqlite" ? nil : try ScratchPostgres(durable: true)
        defer { postgres?.stop() }
        let backends: [String] = switch ledger {
        case "both": ["sqlite", "postgres"]
        case "postgres": ["postgres"]
        default: ["sqlite"]
        }
        for number in 1...runs {
            if baseline == "proxy" {
                let proxy = try ProxyBaseline(frontendPort: try freePort(), backendPort: try freePort())
                let result = try LoadRun(
                    wire: .proxy, clientEndpoint: proxy.frontend, workerEndpoint: proxy.backend, department: "",
                    clients: clients, inFlight: inFlight, workers: workers, bodyBytes: bodyBytes, warmup: warm,
                    duration: window
                ).run()
                proxy.stop()
                let summary = Summary(result, seconds: window.seconds)
                proxyRuns.append(summary)
                print("run \(number) zmq_proxy     \(summary.line)")
            }
            for backend in backends {
                var started: DaemonProcess?
                let target: String
                var measured: ProcessCPU? = daemonPID.map(ProcessCPU.init(pid:))
                if let endpoint {
                    target = endpoint
                } else {
                    var extra = ""
                    if let postgres, backend == "postgres" {
                        let url = try postgres.createDatabase("bench_\(number)")
                        extra = "ledger:\n  backend: postgres\n  url: \(url)\n"
                    }
                    let process = try DaemonProcess(executable: daemon, durability: durability, extra: extra)
                    try process.waitUntilServing()
                    started = process
                    target = process.endpoint
                    measured = ProcessCPU(pid: process.process.processIdentifier)
                }
                defer {
                    started?.stop()
                    started?.remove()
                }
                var load = LoadRun(
                    wire: `protocol` == "mdp" ? .mdp : .native, clientEndpoint: target, workerEndpoint: target,
                    department: "bench", clients: clients, inFlight: inFlight, workers: workers, bodyBytes: bodyBytes,
                    warmup: warm, duration: window)
                load.daemon = measured
                let result = try load.run()
                var summary = Summary(result, seconds: window.seconds)
                summary.peakMemory = started?.memory.peak
                if backend == "postgres" {
                    postgresRuns.append(summary)
                    print("run \(number) switchboardd/pg \(summary.line)")
                } else {
                    brokerRuns.append(summary)
                    print("run \(number) switchboardd  \(summary.line)")
                }
            }
        }
        print("")
        print("median of \(runs)       throughput     p50      p90      p99    p99.9   daemon peak RSS   daemon CPU/round trip")
        let proxy = proxyRuns.isEmpty ? nil : Summary.median(proxyRuns)
        if let proxy { print("zmq_proxy         \(proxy.table)") }
        let sqlite = brokerRuns.isEmpty ? nil : Summary.median(brokerRuns)
        let onPostgres = postgresRuns.isEmpty ? nil : Summary.median(postgresRuns)
        if let sqlite { print("switchboardd      \(sqlite.table)") }
        if let onPostgres { print("switchboardd/pg   \(onPostgres.table)") }
        if let proxy {
            for (name, broker) in [("switchboardd", sqlite), ("switchboardd/pg", onPostgres)] {
                guard let broker else { continue }
                print(String(
                    format: "ratio \(name)/proxy: throughput %.2fx, p99 %.2fx", broker.throughput / max(1, proxy.throughput),
                    Double(broker.p99) / Double(max(1, proxy.p99))))
            }
        }
        if let sqlite, let onPostgres {
            print(String(
                format: "ratio PostgreSQL/SQLite ledger: throughput %.2fx, p99 %.2fx (the daemon's CPU only; the PostgreSQL server's is not counted)",
                onPostgres.throughput / max(1, sqlite.throughput), Double(onPostgres.p99) / Double(max(1, sqlite.p99))))
        }
    }
}

/// One run's figures.
struct Summary {
    var throughput: Double
    var p50: UInt64
    var p90: UInt64
    var p99: UInt64
    var p999: UInt64
    var completed: Int
    var errors: Int
    var unanswered: Int
    var peakMemory: Int?
    /// The daemon's CPU time per round trip in the window, in microseconds (nil when not measured).
    var cpuPerRoundTrip: Double?
    /// The load generator's own CPU time per round trip (for the baseline: clients, workers and zmq_proxy).
    var generatorCPUPerRoundTrip: Double?

    init(_ result: LoadResult, seconds: Double) {
        throughput = Double(result.completed) / seconds
        p50 = result.latency.valueAtPercentile(50)
        p90 = result.latency.valueAtPercentile(90)
        p99 = result.latency.valueAtPercentile(99)
        p999 = result.latency.valueAtPercentile(99.9)
        completed = result.completed
        errors = result.errors
        unanswered = result.unanswered
        if let cpu = result.daemonCPU, result.completed > 0 { cpuPerRoundTrip = cpu / Double(result.completed) * 1e6 }
        if let cpu = result.generatorCPU, result.completed > 0 {
            generatorCPUPerRoundTrip = cpu / Double(result.completed) * 1e6
        }
    }

    var line: String {
        String(format: "%9.0f round trips/s  p50 %@  p90 %@  p99 %@  p99.9 %@  (%d measured, %d errors, %d unanswered)%@",
            throughput, us(p50), us(p90), us(p99), us(p999), completed, errors, unanswered,
            (peakMemory.map { "  peak RSS \($0 >> 20) MiB" } ?? "")
                + (cpuPerRoundTrip.map { String(format: "  daemon CPU %.1fµs/round trip", $0) } ?? "")
                + (generatorCPUPerRoundTrip.map { String(format: "  load generator CPU %.1fµs/round trip", $0) } ?? ""))
    }

    var table: String {
        String(format: "%9.0f/s %8@ %8@ %8@ %8@   %-15@   %@", throughput, us(p50), us(p90), us(p99), us(p999),
            peakMemory.map { "\($0 >> 20) MiB" } ?? "-", cpuPerRoundTrip.map { String(format: "%.1fµs", $0) } ?? "-")
    }

    /// Each figure's median over the runs (figures of different runs may mix; each is a median of its own).
    static func median(_ runs: [Summary]) -> Summary {
        func mid<T: Comparable>(_ values: [T]) -> T { values.sorted()[values.count / 2] }
        var summary = runs[0]
        summary.throughput = mid(runs.map(\.throughput))
        summary.p50 = mid(runs.map(\.p50))
        summary.p90 = mid(runs.map(\.p90))
        summary.p99 = mid(runs.map(\.p99))
        summary.p999 = mid(runs.map(\.p999))
        summary.completed = mid(runs.map(\.completed))
        summary.peakMemory = runs.compactMap(\.peakMemory).isEmpty ? nil : mid(runs.compactMap(\.peakMemory))
        summary.cpuPerRoundTrip = runs.compactMap(\.cpuPerRoundTrip).isEmpty ? nil : mid(runs.compactMap(\.cpuPerRoundTrip))
        return summary
    }
}

func us(_ value: UInt64) -> String {
    value >= 10_000 ? String(format: "%.1fms", Double(value) / 1000) : "\(value)µs"
}

func durationValue(_ text: String) throws -> Duration {
    guard let value = Double(text.dropLast(text.hasSuffix("ms") ? 2 : 1)) else { throw ValidationError("'\(text)': use e.g. 10s or 500ms") }
    return text.hasSuffix("ms") ? .milliseconds(Int64(value)) : .milliseconds(Int64(value * 1000))
}

func machineName() -> String {
    let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
        .split(separator: "\n").first { $0.hasPrefix("model name") }?
        .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces)
    return cpu ?? "unknown CPU"
}
