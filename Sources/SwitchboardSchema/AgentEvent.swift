/// One change of an agent's ticket as the agent API's stream (`GET /api/v1/stream`) and webhooks carry it
/// (schemas/api/stream-event.schema.json). Unlike the events socket's ``EventRecord``, it carries the body the
/// agent needs (the answer, an update, the department's question): only the ticket's own agent, and the
/// webhooks an operator configured, ever see it.
public struct AgentEvent: Codable, Sendable, Equatable {
    /// The durable event number (the stream's `id:`, increasing, never reused); nil until the ledger numbered it.
    public var id: Int64?
    public var type: EventType
    public var ticket: String
    public var requestId: String
    public var department: String
    public var priority: Priority
    public var state: RequestState
    public var at: String
    /// The agent the ticket belongs to, and the integration that submitted it for them.
    public var agent: String?
    public var via: String?
    /// The answer (answered), the update (updated), the question (waiting_on_agent) or the agent's reply
    /// (info_received), as text.
    public var body: String?
    public var reason: String?
    public var failure: String?
    public var fromDepartment: String?
    public var target: SLATarget?
    public var threshold: Int?
    public var dueAt: String?
    /// Set on a webhook's delivery: the webhook's name and the delivery's id (receivers dedupe by it).
    public var webhook: String?
    public var delivery: Int64?

    public init(
        id: Int64? = nil, type: EventType, ticket: String, requestId: String, department: String, priority: Priority,
        state: RequestState, at: String, agent: String? = nil, via: String? = nil
    ) {
        self.id = id
        self.type = type
        self.ticket = ticket
        self.requestId = requestId
        self.department = department
        self.priority = priority
        self.state = state
        self.at = at
        self.agent = agent
        self.via = via
    }

    /// The stream's types: what an agent follows of a ticket (not the offers and duplicate answers of its
    /// internal course).
    public static let streamTypes: Set<EventType> = [
        .requestSubmitted, .requestAccepted, .requestUpdated, .requestWaitingOnAgent, .requestInfoReceived,
        .requestAnswered, .requestTransferred, .requestRequeued, .requestCancelled, .requestDeadLettered,
        .requestSLAWarning, .requestSLABreached, .requestEscalated,
    ]

    /// What a webhook is sent when its configuration names no events.
    public static let defaultWebhookTypes: Set<EventType> = [
        .requestAnswered, .requestUpdated, .requestWaitingOnAgent, .requestSLAWarning, .requestSLABreached,
        .requestDeadLettered,
    ]
}
