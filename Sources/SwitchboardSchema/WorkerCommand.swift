/// Command bytes of the worker sub-protocol (signature `SWBW01`), frame 2 of every message.
public enum WorkerCommand: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Worker → broker: register for departments with a credit.
    case ready = 0x01
    /// Broker → worker: a request to work on.
    case dispatch = 0x02
    /// Worker → broker: the worker has taken the request (its first response).
    case accept = 0x03
    /// Worker → broker: the final answer.
    case answer = 0x04
    /// Worker → broker: an interim update for the agent.
    case update = 0x05
    /// Worker → broker: send the request to another department (same ticket).
    case transfer = 0x06
    /// Worker → broker: refuse the request with a reason (it is dead-lettered).
    case reject = 0x07
    /// Both ways: keep-alive.
    case heartbeat = 0x08
    /// Both ways: the sender is leaving; the broker requeues what the worker held.
    case disconnect = 0x09
    /// Broker → worker: stop working on a ticket (the agent cancelled it).
    case cancel = 0x0A
    /// Broker → worker: a command from the worker failed.
    case error = 0x0B
    /// Worker → broker: ask the agent for more information; the request waits on the agent, its clocks paused.
    case needsInfo = 0x0C
    /// Broker → worker: the agent's reply to NEEDS_INFO; the request is accepted again.
    case info = 0x0D
    /// Worker → broker: give the request back without an answer (the work failed: a timeout, a crash); it is
    /// requeued with the attempt counted, as if the worker had died with it.
    case release = 0x0E

    public var description: String {
        switch self {
        case .ready: "READY"
        case .dispatch: "DISPATCH"
        case .accept: "ACCEPT"
        case .answer: "ANSWER"
        case .update: "UPDATE"
        case .transfer: "TRANSFER"
        case .reject: "REJECT"
        case .heartbeat: "HEARTBEAT"
        case .disconnect: "DISCONNECT"
        case .cancel: "CANCEL"
        case .error: "ERROR"
        case .needsInfo: "NEEDS_INFO"
        case .info: "INFO"
        case .release: "RELEASE"
        }
    }
}
