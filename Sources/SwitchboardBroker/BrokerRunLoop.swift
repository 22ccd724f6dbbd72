import Logging
import SwitchboardCore
import SwitchboardSchema
import ZeroMQ

/// The broker thread's loop: blocks in `zmq_poll` on the ROUTER socket and the mailbox until Core's next
/// timer, reads a batch of messages, handles what other threads posted, fires timers, and carries a graceful
/// stop through its phases (``StopPhase``). Returns once the stop is done; throws when the ledger fails.
struct BrokerRunLoop {
    var loop: BrokerLoop
    private(set) var phase = StopPhase.serving
    let mailbox: Mailbox<BrokerMessage>
    /// `shutdown.drain_timeout` as in force now (a reload or `drain-daemon --timeout` may change it).
    let drainLimit: @Sendable () -> Duration
    let logger: Logger

    init(loop: BrokerLoop, mailbox: Mailbox<BrokerMessage>, drainLimit: @escaping @Sendable () -> Duration, logger: Logger) {
        self.loop = loop
        self.mailbox = mailbox
        self.drainLimit = drainLimit
        self.logger = logger
    }

    mutating func run() throws {
        var poller = Poller()
        poller.add(loop.router)
        poller.add(fileDescriptor: mailbox.fileDescriptor)
        var moreWaiting = false
        while true {
            let before = Timestamp.now()
            var timeout = moreWaiting ? 0 : loop.pollTimeout(now: before)
            if let limit = phase.pollLimit(now: before, drainLimit: drainLimit()) { timeout = min(timeout, limit) }
            let readable = try poller.poll(timeoutMilliseconds: timeout)
            // One batch per turn, so that under a flood timers and the mailbox still get their turn.
            moreWaiting = try phase.readsMessages && readable[0] && loop.readMessages() == BrokerLoop.batchSize
            if readable[1] { try handleMailbox() }
            let now = Timestamp.now()
            if phase != .serving {
                let since = phase.drainingSince
                switch phase.step(
                    now: now, heldByWorkers: since == nil ? 0 : loop.core.heldByWorkers, awaitingLedger: loop.heldCount,
                    drainLimit: drainLimit(), ledgerTimeout: Broker.ledgerTimeout)
                {
                case .carryOn:
                    break
                case .handBack:
                    let count = loop.handBack(
                        reason: "the broker stopped before its worker finished (drain limit \(drainLimit()))", now: now)
                    logger.notice(
                        "stopping: drained; workers told to disconnect",
                        metadata: ["handed_back": "\(count)", "drained_in": "\(now - (since ?? now))"])
                case .leave:
                    return
                }
            }
            if phase.firesTimers, loop.timersDue(now: now) { loop.tick(now: now) }
        }
    }

    /// What other threads posted: durability notices, the ops surface's work, the ledger's replies, reloads,
    /// a stop. After a failure the rest of the batch is answered (operations fail) before the thread leaves.
    private mutating func handleMailbox() throws {
        var failure: (any Error)?
        for message in mailbox.drain() {
            switch message {
            case .operate(let operation) where failure != nil:
                operation.fail(BrokerUnavailable())
            case .reconfigure(_, let applied) where failure != nil:
                applied()
            case _ where failure != nil:
                break
            case let .durable(group, commit):
                loop.metrics.observeCommit(seconds: commit.seconds, changes: commit.changes)
                loop.durable(through: group)
            case .operate(let operation):
                operation.run(&loop, Timestamp.now())
            case let .reply(peer, reply):
                loop.send(to: peer, agent: reply)
            case let .refused(kind, action):
                loop.metrics.countRefusal(kind: kind, action: action)
            case let .reconfigure(reload, applied):
                loop.apply(reload)
                applied()
            case .ledgerFailed(let reason):
                failure = LedgerFailure(reason: reason)
            case .fatal(let reason):
                logger.critical("stopping: \(reason)")
                failure = BrokerStopped(reason: reason)
            case .stop:
                let now = Timestamp.now()
                guard phase.stop(at: now) else { break }
                loop.beginDrain(now: now)
                logger.notice(
                    "stopping: intake closed; workers may finish what they hold",
                    metadata: ["held": "\(loop.core.heldByWorkers)", "drain_timeout": "\(drainLimit())"])
            }
        }
        if let failure { throw failure }
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
