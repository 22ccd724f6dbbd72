import Foundation
import Logging
import SwitchboardSchema
import ZeroMQ

/// The worker-side library: registers for departments, takes requests up to its credit, runs a handler
/// for each, and sends back its answer, rejection or transfer. Heartbeats, reconnection with backoff and
/// re-registration after a broker restart are handled here, not by the user.
public final class DepartmentWorker: Sendable {
    public struct Options: Sendable {
        /// Must match the broker's heartbeat interval (default 2.5 s).
        public var heartbeatInterval: Duration = .milliseconds(2500)
        /// Heartbeats missed before the broker is considered gone and the worker reconnects (default 3).
        public var liveness: Int = 3
        /// First delay before reconnecting; doubles on each failure up to `maxReconnectDelay`.
        public var reconnectDelay: Duration = .milliseconds(250)
        public var maxReconnectDelay: Duration = .seconds(32)
        /// The keys for a broker that runs CURVE (nil for a plain, loopback broker).
        public var curve: CurveCredentials?

        public init() {}
    }

    public typealias Handler = @Sendable (WorkItem) async -> WorkOutcome

    public let endpoint: String
    public let departments: [String]
    public let credit: Int
    public let name: String
    let options: Options
    let logger: Logger
    let thread = SocketThread<WorkerCommand>(name: "sb-worker")

    enum WorkerCommand: Sendable {
        case outcome(ticket: String, WorkOutcome)
        case update(ticket: String, body: [UInt8])
        case needsInfo(ticket: String, question: [UInt8])
        case stop
    }

    public init(
        endpoint: String, departments: [String], credit: Int = 1, name: String? = nil, options: Options = Options(),
        logger: Logger? = nil
    ) {
        self.endpoint = endpoint
        self.departments = departments
        self.credit = credit
        self.name = name ?? "\(departments.joined(separator: "+"))-\(ProcessInfo.processInfo.processIdentifier)"
        self.options = options
        self.logger = logger ?? Logger(label: "switchboard.worker", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    /// Serves until ``stop()`` is called or the task is cancelled (call it once per instance; make a new
    /// worker to serve again); throws if the broker refuses the
    /// registration (for example an unknown department).
    public func run(handler: @escaping Handler) async throws {
        // Refuse here what the broker would refuse, rather than reconnecting forever.
        do {
            _ = try ReadyInfo.parse(JSONCoding.encode(ReadyInfo(departments: departments, credit: credit, name: name)))
        } catch {
            throw WorkerRegistrationError(status: error.status, message: error.message)
        }
        let context = try Context()
        defer { context.shutdown() }
        let session = WorkerSession(worker: self, context: context, handler: handler)
        try await thread.start { ready in
            ready()
            try session.run(mailbox: self.thread.mailbox)
        }
        try await withTaskCancellationHandler {
            try await thread.join()
        } onCancel: {
            self.stop()
        }
    }

    /// Handlers waiting for an agent's reply, by ticket.
    let infoWaiters = Locked([String: CheckedContinuation<[UInt8], Error>]())

    /// Asks the agent of a ticket this worker holds for more information and waits for the reply. Meanwhile
    /// the request waits on the agent and its service-level clocks are paused. Throws `CancellationError` if
    /// the request is taken away (cancelled, or the connection to the broker is lost).
    public func askAgent(ticket: String, question: [UInt8]) async throws -> [UInt8] {
        let waiters = infoWaiters
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let previous = waiters.withLock { waiters in
                    defer { waiters[ticket] = continuation }
                    return waiters[ticket]
                }
                previous?.resume(throwing: CancellationError())
                if Task.isCancelled || !thread.mailbox.post(.needsInfo(ticket: ticket, question: question)) {
                    waiters.withLock { $0.removeValue(forKey: ticket) }?.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            waiters.withLock { $0.removeValue(forKey: ticket) }?.resume(throwing: CancellationError())
        }
    }

    /// Sends an interim update to the agent of a ticket this worker holds.
    public func update(ticket: String, body: [UInt8]) {
        thread.mailbox.post(.update(ticket: ticket, body: body))
    }

    /// Tells the broker the worker is leaving (it requeues what the worker holds) and ends ``run(handler:)``.
    public func stop() {
        thread.mailbox.post(.stop)
    }
}

/// Refusals that end ``DepartmentWorker/run(handler:)``.
public struct WorkerRegistrationError: Error, CustomStringConvertible {
    public let status: StatusCode
    public let message: String
    public var description: String { "registration refused (\(status.rawValue)): \(message)" }
}
