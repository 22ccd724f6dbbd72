import Logging
import SwitchboardCore
import SwitchboardSchema
import SwitchboardStore
import ZeroMQ

/// The ledger writer thread: commits the broker thread's change groups to the ledger (several groups per
/// transaction when they queue up: group commit), then publishes their events on the events socket it owns,
/// so every event describes durable state, then tells the broker thread which group is durable.
/// It also answers what Core no longer holds in memory (old tickets, histories) and prunes the ledger.
final class LedgerWriter: Sendable {
    enum Command: Sendable {
        case commit(group: UInt64, [Change], [AuditRecord])
        /// `requester`: the principal asking, when CURVE is on (only a ticket's submitter and ops may see it).
        case lookUp(LedgerQuery, requester: Principal?)
        case history(agent: Peer, ticket: Ticket, requester: Principal?)
        /// Which changes become notifications from the next commit on (a reload).
        case notifications(NotificationPolicy)
        case stop
    }

    private let thread = SocketThread<Command>(name: "sb-ledger")
    private let ledger: any LedgerStore
    private let eventsEndpoint: String
    private let context: Context
    private let retention: Duration
    private let serverKey: CurveKeyPair?
    private let logger: Logger
    private let policy: NotificationPolicy
    private let hub: NotificationHub

    init(
        ledger: any LedgerStore, eventsEndpoint: String, retention: Duration, serverKey: CurveKeyPair?, context: Context,
        notifications policy: NotificationPolicy, hub: NotificationHub, logger: Logger
    ) {
        self.policy = policy
        self.hub = hub
        self.serverKey = serverKey
        self.ledger = ledger
        self.eventsEndpoint = eventsEndpoint
        self.retention = retention
        self.context = context
        self.logger = logger
    }

    /// Binds the events endpoint on the writer thread; `broker` is where durability notices go.
    func start(broker: Mailbox<BrokerMessage>) async throws {
        let context = self.context, endpoint = eventsEndpoint, mailbox = thread.mailbox
        let ledger = self.ledger, logger = self.logger, retention = self.retention, serverKey = self.serverKey
        let policy = self.policy, hub = self.hub
        try await thread.start { ready in
            let socket = try context.socket(.xpub)
            defer { socket.close() }
            try socket.setLinger(milliseconds: 0)
            try socket.setSendHighWaterMark(100_000)
            if let serverKey {
                // Events name tickets and departments: with CURVE on, only ops may subscribe.
                try socket.setCurveServer(secretKey: serverKey.secretKey)
                try socket.setZAPDomain(ZAPHandler.eventsDomain)
            }
            try socket.bind(endpoint)
            ready()
            var state = LedgerWriterLoop(
                ledger: ledger, publisher: PublisherLoop(socket: socket, logger: logger), broker: broker,
                retention: retention, notifications: policy, hub: hub, logger: logger)
            var poller = Poller()
            poller.add(socket)
            poller.add(fileDescriptor: mailbox.fileDescriptor)
            while true {
                let readable = try poller.poll(timeoutMilliseconds: state.pollTimeout(now: Timestamp.now()))
                if readable[0] { try state.publisher.readSubscriptions() }
                if readable[1] {
                    if state.handle(mailbox.drain()) == .stop { return }
                }
                state.pruneIfDue(now: Timestamp.now())
            }
        }
    }

    func post(_ command: Command) {
        thread.mailbox.post(command)
    }

    /// Commits what is queued, then stops the thread.
    func stop() async throws {
        thread.mailbox.post(.stop)
        try await thread.join()
    }
}
