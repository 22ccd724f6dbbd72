/// The reply to `POST /api/v1/requests` (schemas/api/submitted.schema.json): the ticket, sent once the
/// submission is durable.
public struct AgentSubmitted: Codable, Sendable, Equatable {
    public var ticket: String
    public var requestId: String
    /// 201 (a worker serves the department), 202 (accepted, no worker now) or 200 (this request id was
    /// submitted before: the same ticket).
    public var status: Int
    public var department: String
    public var agent: String?
    public var via: String?
    public var noWorker: Bool

    public init(ticket: String, requestId: String, status: Int, department: String, agent: String?, via: String?, noWorker: Bool) {
        self.ticket = ticket
        self.requestId = requestId
        self.status = status
        self.department = department
        self.agent = agent
        self.via = via
        self.noWorker = noWorker
    }
}
