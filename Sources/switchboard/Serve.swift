import ArgumentParser
import Foundation
import Logging
import SwitchboardClient
import SwitchboardSchema

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a department by running a command once per request.",
        discussion: """
            The request body is the command's standard input; its standard output is the answer. A non-zero \
            exit rejects the request, with standard error as the reason: the agent sees it and it is published \
            on the events stream, so keep member details out of it. A command that runs past --timeout is \
            stopped, and one killed by a signal has failed: either way the request is given back (requeued with \
            the attempt counted, for another worker first), not rejected. The command also gets \
            SWITCHBOARD_TICKET, SWITCHBOARD_DEPARTMENT, SWITCHBOARD_PRIORITY and SWITCHBOARD_ATTEMPT. \
            Example: switchboard serve --department eligibility -- ./check-eligibility.sh
            """)

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "A department to serve (repeat for several).")
    var department: [String]

    @Option(
        name: [.customLong("concurrency"), .customLong("capacity")],
        help: "How many requests to work on at once: the commands run in parallel, and the credit announced to the broker.")
    var capacity: Int = 1

    @Option(help: "How long one command may run (e.g. 30s, 5m); past it the command is stopped and the request requeued. Default: no limit.")
    var timeout: String?

    @Option(help: "A name operators see for this worker.")
    var name: String?

    @Option(help: "Heartbeat interval; must match the broker's (e.g. 2.5s).")
    var heartbeat: String = "2.5s"

    @Argument(parsing: .postTerminator, help: "The command to run for each request, after --.")
    var command: [String]

    func validate() throws {
        if department.isEmpty { throw ValidationError("give at least one --department") }
        if let bad = department.first(where: { !DepartmentName.isValid($0) }) {
            throw ValidationError("'\(bad)' is not a valid department name")
        }
        if !(1...ReadyInfo.maxCredit).contains(capacity) {
            throw ValidationError("--concurrency must be 1 to \(ReadyInfo.maxCredit)")
        }
        if command.isEmpty { throw ValidationError("give the command to run after --, e.g. -- ./answer.sh") }
        if let name, name.utf8.count > 128 { throw ValidationError("--name is longer than 128 bytes") }
        do { _ = try DurationParser.parse(heartbeat) } catch { throw ValidationError("--heartbeat: \(error)") }
        if let timeout {
            do {
                guard try DurationParser.parse(timeout) > .zero else { throw ValidationError("--timeout must be more than 0s") }
            } catch let error as ValidationError {
                throw error
            } catch {
                throw ValidationError("--timeout: \(error)")
            }
        }
        // A typo here would otherwise reject every request of the department, one after another.
        guard Serve.isRunnable(command[0]) else {
            throw ValidationError("'\(command[0])' is not an executable file or a command on the PATH")
        }
    }

    static func isRunnable(_ program: String) -> Bool {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(program)") }
    }

    func run() async throws {
        // Writing a request to a command that exited early must not kill the worker.
        signal(SIGPIPE, SIG_IGN)
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        var options = DepartmentWorker.Options()
        options.heartbeatInterval = try DurationParser.parse(heartbeat)
        options.curve = try connection.keys.credentials()
        let logger = Logger(label: "switchboard.serve")
        let worker = DepartmentWorker(
            endpoint: connection.endpoint, departments: department, credit: capacity, name: name, options: options,
            logger: logger)
        let command = self.command
        let limit = try timeout.map { try DurationParser.parse($0) }
        logger.info("serving", metadata: ["departments": "\(department.joined(separator: ","))", "capacity": "\(capacity)"])
        let signals = SignalStopper(worker: worker)
        defer { signals.cancel() }
        do {
            try await worker.run { item in await CommandRunner.run(command, for: item, timeout: limit) }
        } catch {
            Output.error("switchboard serve: \(error)")
            throw Exit.failed
        }
    }
}

/// Stops the worker cleanly on SIGINT and SIGTERM, so the broker requeues what it held at once.
final class SignalStopper: @unchecked Sendable {
    // @unchecked Sendable: `sources` is set once in init; DispatchSource is thread-safe.
    private let sources: [DispatchSourceSignal]

    init(worker: DepartmentWorker) {
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { worker.stop() }
            source.resume()
            return source
        }
    }

    func cancel() { sources.forEach { $0.cancel() } }
}
