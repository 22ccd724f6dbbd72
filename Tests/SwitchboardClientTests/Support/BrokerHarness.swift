import Foundation
import Logging
import Synchronization
import SwitchboardBroker
import SwitchboardClient
import SwitchboardCore
import SwitchboardSchema
import SwitchboardStore

/// Heartbeats of the brokers and workers in these tests: fast, so a lost worker or broker is noticed in
/// 600 ms rather than 7.5 s. Workers must use the broker's interval; ``BrokerHarness/workerOptions`` does.
let testHeartbeatInterval = Duration.milliseconds(200)
let testLiveness = 3

/// The body a harness worker answers by itself, before its handler sees anything: see
/// ``BrokerHarness/waitUntilServed(_:using:)``.
let probeBody = Array("probe".utf8)

/// Logs nowhere, unless `SWITCHBOARD_TEST_LOG` is set (then to standard error, for debugging a test).
let testLogger: Logger = {
    guard ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_LOG"] != nil else {
        return Logger(label: "switchboard.client-tests", factory: { _ in SwiftLogNoOpLogHandler() })
    }
    var logger = Logger(label: "switchboard.client-tests") { label in StreamLogHandler.standardError(label: label) }
    logger.logLevel = .debug
    return logger
}()

/// Runs `body` against a real broker on free loopback ports, with fast heartbeats, and always cleans up
/// afterwards (opens the gates, stops the workers, closes the clients, stops the broker), also when `body`
/// throws.
func withBroker<Value>(
    configure: (inout BrokerConfiguration) -> Void = { _ in },
    _ body: (BrokerHarness) async throws -> Value
) async throws -> Value {
    // A free port can be taken by someone else before the broker binds it: then try other ports.
    for _ in 0..<5 {
        var configuration = BrokerConfiguration()
        let port = try freeLoopbackPort()
        var eventsPort = try freeLoopbackPort()
        while eventsPort == port { eventsPort = try freeLoopbackPort() }
        configuration.endpoint = "tcp://127.0.0.1:\(port)"
        configuration.eventsEndpoint = "tcp://127.0.0.1:\(eventsPort)"
        // Each broker has a ledger of its own (a restart in the same test reopens it).
        configuration.dataDirectory = NSTemporaryDirectory() + "switchboard-client-tests-\(UUID().uuidString)"
        configuration.durability = .os
        configuration.core.heartbeatInterval = testHeartbeatInterval
        configuration.core.heartbeatLiveness = testLiveness
        configure(&configuration)

        let harness = BrokerHarness(configuration: configuration)
        guard await harness.start() else { continue }
        let value: Value
        do {
            value = try await body(harness)
        } catch {
            await harness.cleanUp()
            try? FileManager.default.removeItem(atPath: configuration.dataDirectory)
            throw error
        }
        await harness.cleanUp()
        try? FileManager.default.removeItem(atPath: configuration.dataDirectory)
        return value
    }
    throw HarnessError("could not start a broker on free loopback ports")
}

/// One broker (restartable on the same ports) and the clients, workers and gates a test made with it.
final class BrokerHarness: Sendable {
    let configuration: BrokerConfiguration
    private let resources = Mutex(Resources())

    private struct Resources {
        var broker: Task<Void, Error>?
        var clients: [AgentClient] = []
        var workers: [TestWorker] = []
        var gates: [Gate] = []
    }

    init(configuration: BrokerConfiguration) {
        self.configuration = configuration
    }

    /// Where agents and workers connect.
    var endpoint: String { configuration.endpoint }

    /// Worker options matching this broker: the same heartbeat interval and liveness, quick reconnects.
    var workerOptions: DepartmentWorker.Options {
        var options = DepartmentWorker.Options()
        options.heartbeatInterval = configuration.core.heartbeatInterval
        options.liveness = configuration.core.heartbeatLiveness
        options.reconnectDelay = .milliseconds(50)
        options.maxReconnectDelay = .milliseconds(400)
        return options
    }

    // MARK: The broker

    /// Starts a broker on the configured ports; false if it could not bind them.
    func start() async -> Bool {
        let broker = Broker(configuration: configuration, logger: testLogger)
        let task = Task { try await broker.run() }
        guard await broker.waitUntilReady() else {
            _ = await task.result
            return false
        }
        resources.withLock { $0.broker = task }
        return true
    }

    /// Stops the broker (as task cancellation does in production: workers are told to disconnect) and
    /// waits until it has returned.
    func stop() async throws {
        guard let task = resources.withLock({ $0.broker.take() }) else { return }
        task.cancel()
        try await result(of: task, within: .seconds(5), "the broker to stop")
    }

    /// Stops the broker and starts a new one on the same ports (retrying while the old listener closes).
    func restart() async throws {
        try await stop()
        try await eventually("a new broker bound to \(endpoint)") { await start() }
    }

    // MARK: Peers

    /// A connected agent client, closed when the test ends.
    func client(pollInterval: Duration = .seconds(5)) async throws -> AgentClient {
        let client = try await AgentClient(endpoint: endpoint, pollInterval: pollInterval, logger: testLogger)
        resources.withLock { $0.clients.append(client) }
        return client
    }

    /// Starts a worker whose `run` goes on in a task until the test ends. It answers ``probeBody`` itself.
    @discardableResult
    func worker(
        _ departments: [String], credit: Int = 1, name: String? = nil, logger: Logger = testLogger,
        handler: @escaping DepartmentWorker.Handler
    ) -> TestWorker {
        worker(departments, credit: credit, name: name, logger: logger) { _, item in await handler(item) }
    }

    /// A worker whose handler also gets the worker, to send updates with.
    @discardableResult
    func worker(
        _ departments: [String], credit: Int = 1, name: String? = nil, logger: Logger = testLogger,
        handler: @escaping @Sendable (DepartmentWorker, WorkItem) async -> WorkOutcome
    ) -> TestWorker {
        let worker = DepartmentWorker(
            endpoint: endpoint, departments: departments, credit: credit, name: name, options: workerOptions,
            logger: logger)
        let task = Task {
            try await worker.run { item in
                item.body == probeBody ? .answer(probeBody) : await handler(worker, item)
            }
        }
        let running = TestWorker(worker: worker, task: task)
        resources.withLock { $0.workers.append(running) }
        return running
    }

    /// A gate that is opened when the test ends at the latest, so no handler outlives it.
    func gate() -> Gate {
        let gate = Gate()
        resources.withLock { $0.gates.append(gate) }
        return gate
    }

    /// Returns once a worker of `department` is registered and answering: a probe request was answered.
    func waitUntilServed(_ department: String, using client: AgentClient) async throws {
        let probe = try await client.submit(department: department, body: probeBody)
        let answer = try await client.answer(ticket: probe.ticket, timeout: .seconds(5))
        guard answer == probeBody else { throw HarnessError("the probe of \(department) got another answer") }
    }

    // MARK: Cleaning up

    func cleanUp() async {
        let (broker, clients, workers, gates) = resources.withLock { resources in
            defer { resources = Resources() }
            return (resources.broker, resources.clients, resources.workers, resources.gates)
        }
        gates.forEach { $0.open() }
        for worker in workers {
            worker.worker.stop()
            _ = try? await result(of: worker.task, within: .seconds(5), "a worker to stop")
        }
        for client in clients {
            await client.close()
        }
        if let broker {
            broker.cancel()
            _ = try? await result(of: broker, within: .seconds(5), "the broker to stop")
        }
    }
}

/// A worker running in a task.
struct TestWorker: Sendable {
    let worker: DepartmentWorker
    let task: Task<Void, Error>

    /// Stops the worker and waits until `run` has returned.
    func stop() async throws {
        worker.stop()
        try await result(of: task, within: .seconds(5), "worker \(worker.name) to stop")
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
