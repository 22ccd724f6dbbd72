import Logging
import ServiceLifecycle
import SwitchboardCore
import SwitchboardSchema
import ZeroMQ

/// The running broker, as a ServiceLifecycle `Service`: binds the endpoints, routes until graceful
/// shutdown (SIGTERM, SIGINT), then tells workers it is leaving and returns.
///
/// Threads: one broker thread owns the ROUTER socket and Core; one publisher thread owns the events
/// socket. They talk through mailboxes, never by sharing state.
public final class Broker: Service {
    public let configuration: BrokerConfiguration
    private let logger: Logger
    private let thread = SocketThread<Command>(name: "switchboard-broker")
    private let readiness = OneShot<Bool>()

    enum Command: Sendable {
        case stop
    }

    public init(configuration: BrokerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Returns once the endpoints are bound (true) or binding failed (false).
    public func waitUntilReady() async -> Bool {
        await readiness.value
    }

    public func run() async throws {
        let context = try Context()
        defer { context.shutdown() }
        let publisher = EventPublisher(endpoint: configuration.eventsEndpoint, context: context, logger: logger)
        do {
            try await publisher.start()
            do {
                try await startBrokerThread(context: context, publisher: publisher)
            } catch {
                try? await publisher.stop()
                throw error
            }
        } catch {
            readiness.fulfil(false)
            throw error
        }
        logger.info(
            "switchboardd ready",
            metadata: [
                "endpoint": "\(configuration.endpoint)", "events": "\(configuration.eventsEndpoint)",
                "departments": "\(configuration.core.departments.map(\.name).joined(separator: ","))",
            ])
        readiness.fulfil(true)
        let mailbox = thread.mailbox
        // Graceful shutdown (SIGTERM) and task cancellation both stop intake the same way.
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await thread.join()
            } onGracefulShutdown: {
                mailbox.post(.stop)
            }
        } onCancel: {
            mailbox.post(.stop)
        }
        try await publisher.stop()
        logger.info("switchboardd stopped")
    }

    private func startBrokerThread(context: Context, publisher: EventPublisher) async throws {
        let configuration = self.configuration, logger = self.logger, mailbox = thread.mailbox
        try await thread.start { ready in
            let router = try context.socket(.router)
            defer { router.close() }
            try router.setRouterMandatory(true)
            try router.setSendHighWaterMark(configuration.highWaterMark)
            try router.setReceiveHighWaterMark(configuration.highWaterMark)
            // A bigger frame is a broken or hostile peer: libzmq drops the connection. Anything up to this
            // size is read and, if over the body limit, refused with a 413.
            try router.setMaxMessageSize(Int64(configuration.limits.maxBodyBytes) + 16 * 1024 * 1024)
            // Give DISCONNECTs sent at shutdown a moment to leave.
            try router.setLinger(milliseconds: 1000)
            try router.bind(configuration.endpoint)
            ready()

            var loop = BrokerLoop(
                router: router, core: BrokerCore(configuration: configuration.core, now: Timestamp.now()),
                configuration: configuration, publisher: publisher, logger: logger)
            var poller = Poller()
            poller.add(router)
            poller.add(fileDescriptor: mailbox.fileDescriptor)
            var moreWaiting = false
            while true {
                let timeout = moreWaiting ? 0 : loop.pollTimeout(now: Timestamp.now())
                let readable = try poller.poll(timeoutMilliseconds: timeout)
                // One batch per turn, so that under a flood timers and the mailbox still get their turn.
                moreWaiting = try readable[0] && loop.readMessages() == BrokerLoop.batchSize
                if readable[1], mailbox.drain().contains(where: { if case .stop = $0 { true } else { false } }) {
                    loop.shutdown()
                    logger.info("stopping: workers told to disconnect")
                    return
                }
                let now = Timestamp.now()
                if loop.timersDue(now: now) { loop.tick(now: now) }
            }
        }
    }
}

extension BrokerLoop {
    /// Milliseconds until Core's next timer, at most a second.
    func pollTimeout(now: Timestamp) -> Int {
        guard let deadline = core.nextDeadline else { return 1000 }
        return Int(max(0, min(1000, deadline.rawValue - now.rawValue)))
    }

    func timersDue(now: Timestamp) -> Bool {
        guard let deadline = core.nextDeadline else { return false }
        return deadline <= now
    }
}
