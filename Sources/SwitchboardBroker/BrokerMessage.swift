import SwitchboardCore
import SwitchboardSchema
import SwitchboardStore

/// What other threads tell the broker thread, through its mailbox.
enum BrokerMessage: Sendable {
    /// Stop intake, deliver what is durable, tell workers, and return.
    case stop
    /// Every change group up to this one is durable: messages waiting on them may go. `commit` is the
    /// transaction that made it so (for the metrics).
    case durable(group: UInt64, Commit)
    /// Runs on the broker thread with its state (the ops surface's reads and actions); see ``BrokerOperation``.
    case operate(BrokerOperation)
    /// A reply the ledger writer prepared (STATUS of an old ticket, HISTORY, ...).
    case reply(Peer, AgentReply)
    /// The ledger writer refused a question on the requester's behalf (for the metrics).
    case refused(kind: String, action: String)
    /// SIGHUP: the configuration to apply from now on; `applied` is called once it is (or once the broker
    /// thread has gone).
    case reconfigure(Reconfiguration, applied: @Sendable () -> Void)
    /// A part the broker cannot run without failed (the ZAP handler): stop rather than run unprotected.
    case fatal(String)
    /// The ledger cannot be written: the broker must stop rather than promise what it cannot keep.
    case ledgerFailed(String)
}

/// What a reload changes on the broker thread.
struct Reconfiguration: Sendable {
    var security: SecurityConfiguration
    var core: CoreConfiguration
    var limits: ProtocolLimits
    var logBodies: Bool
    var notifications: NotificationPolicy
}

extension BrokerMessage {
    /// One ledger transaction, as the metrics see it.
    struct Commit: Sendable {
        var seconds: Double
        var changes: Int
    }
}
