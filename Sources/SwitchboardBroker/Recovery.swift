import Logging
import SwitchboardCore
import SwitchboardSchema
import SwitchboardStore

/// What the ledger holds at start-up, read before the endpoints open.
struct Recovery: Sendable {
    var open: [RecoveredRequest]
    var finished: [(requestID: String, ticket: Ticket, finishedAt: Timestamp)]
    var lastTicket: Ticket?

    static func load(from ledger: any LedgerStore, logger: Logger) throws -> Recovery {
        let started = Timestamp.now()
        let open = try ledger.openRequests().map { stored in
            // An open request must come back: a ticket that cannot be one of ours stops the start, named.
            guard let recovered = stored.recovered else {
                throw LedgerError.unknownValue(path: ledger.path, column: "ticket", value: stored.ticket, ticket: stored.ticket)
            }
            return recovered
        }
        let recovery = Recovery(open: open, finished: try ledger.finishedIndex(), lastTicket: try ledger.lastTicket())
        logger.info(
            "ledger read",
            metadata: [
                "open": "\(recovery.open.count)", "finished": "\(recovery.finished.count)",
                "ms": "\(Timestamp.now().rawValue - started.rawValue)",
            ])
        return recovery
    }

    /// Puts it into Core; returns the changes recovery made (requeues, dead letters) to record.
    func restore(into core: inout BrokerCore, now: Timestamp) -> [CoreAction] {
        core.restore(open: open, finished: finished, lastTicket: lastTicket, now: now)
    }
}
