/// One SLA breach, as the ledger recorded it (`GET /api/v1/breaches`, `schemas/api/breach-list.schema.json`).
public struct BreachSummary: Codable, Sendable, Equatable {
    public var ticket: String
    public var department: String
    public var priority: Priority
    /// Which clock breached (`first_response`, `answer`, `update`), when recorded.
    public var target: SLATarget?
    /// RFC 3339, UTC.
    public var at: String
    /// The request's state now.
    public var state: RequestState

    public init(ticket: String, department: String, priority: Priority, target: SLATarget?, at: String, state: RequestState) {
        self.ticket = ticket
        self.department = department
        self.priority = priority
        self.target = target
        self.at = at
        self.state = state
    }
}
