import SwitchboardSchema

/// What the broker said when it took a request.
public struct Submission: Sendable, Equatable {
    public let ticket: String
    public let requestID: String
    /// 201 new, 202 new but no worker serves the department right now, 200 a resubmission of a known request id.
    public let status: StatusCode

    /// True when no worker was serving the department at submission (the request waits in its queue).
    public var noWorkerServing: Bool { status == .acceptedNoWorker }
    /// True when the request id was already known and the existing ticket was returned.
    public var isDuplicate: Bool { status == .ok }
}

/// A ticket's status, and its answer once there is one.
public struct TicketStatus: Sendable, Equatable {
    public let info: RequestStatus
    public let answer: [UInt8]?
}

/// What the broker pushes to an agent about its tickets besides the answer.
public enum AgentPush: Sendable, Equatable {
    /// An interim update from the department.
    case update(ticket: String, body: [UInt8])
    /// The department needs more information: reply with `AgentClient.provideInfo(ticket:body:)`. Until then
    /// the request waits on the agent and its service-level clocks are paused.
    case question(ticket: String, body: [UInt8])
}
