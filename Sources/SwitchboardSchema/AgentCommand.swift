/// Command bytes of the agent sub-protocol (signature `SWBA01`), frame 2 of every message.
public enum AgentCommand: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Agent → broker: submit a request to a department.
    case submit = 0x01
    /// Broker → agent: the request is durable and has a ticket.
    case accepted = 0x02
    /// Broker → agent: the department's answer.
    case answer = 0x03
    /// Broker → agent: an interim update from the department.
    case update = 0x04
    /// Agent → broker: ask for a ticket's status. Broker → agent: the status.
    case status = 0x05
    /// Agent → broker: cancel a ticket.
    case cancel = 0x06
    /// Broker → agent: the request or command failed.
    case error = 0x07
    /// Both ways: keep-alive; the broker answers an agent's HEARTBEAT with one.
    case heartbeat = 0x08
    /// Agent → broker: ask for a ticket's event history. Broker → agent: the history (from the ledger).
    case history = 0x09
    /// Broker → agent: the worker holding the request needs more information; the request waits on the agent.
    case question = 0x0A
    /// Agent → broker: the agent's reply to a QUESTION; the request resumes.
    case info = 0x0B

    public var description: String {
        switch self {
        case .submit: "SUBMIT"
        case .accepted: "ACCEPTED"
        case .answer: "ANSWER"
        case .update: "UPDATE"
        case .status: "STATUS"
        case .cancel: "CANCEL"
        case .error: "ERROR"
        case .heartbeat: "HEARTBEAT"
        case .history: "HISTORY"
        case .question: "QUESTION"
        case .info: "INFO"
        }
    }
}
