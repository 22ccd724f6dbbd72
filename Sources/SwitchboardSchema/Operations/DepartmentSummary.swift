/// One department as operations staff see it (`GET /api/v1/departments`, `schemas/api/department.schema.json`).
public struct DepartmentSummary: Codable, Sendable, Equatable {
    public var name: String
    /// Open requests: queued, offered, accepted and waiting on the agent.
    public var pending: Int
    public var queued: Int
    public var offered: Int
    public var accepted: Int
    public var waitingOnAgent: Int
    /// Age in seconds of the oldest open request, and its ticket; absent when nothing is open.
    public var oldestPendingSeconds: Double?
    public var oldestPendingTicket: String?
    /// Open requests past a warning threshold of one of their clocks, but not breached.
    public var atRisk: Int
    /// Open requests with a breached clock.
    public var breached: Int
    /// Live workers serving it, how many of those are draining, their total and free credit.
    public var workers: Int
    public var drainingWorkers: Int
    public var credit: Int
    public var freeCredit: Int
    /// Requests answered in the last 24 hours. Answer-target compliance over the same day: of the requests
    /// finished in it whose answer target was met or breached, the share (0...1) that met it; absent when
    /// there is nothing to count.
    public var answeredLastDay: Int
    public var slaCompliance: Double?

    public init(name: String) {
        self.name = name
        pending = 0
        queued = 0
        offered = 0
        accepted = 0
        waitingOnAgent = 0
        atRisk = 0
        breached = 0
        workers = 0
        drainingWorkers = 0
        credit = 0
        freeCredit = 0
        answeredLastDay = 0
    }

    /// The open requests by state, in lifecycle order.
    public var openByState: [(state: RequestState, count: Int)] {
        [(.queued, queued), (.offered, offered), (.accepted, accepted), (.waitingOnAgent, waitingOnAgent)]
    }
}
