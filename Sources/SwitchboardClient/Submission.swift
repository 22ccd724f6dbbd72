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
