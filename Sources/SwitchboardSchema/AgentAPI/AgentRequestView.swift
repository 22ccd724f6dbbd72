/// A ticket as its agent sees it (`GET /api/v1/requests/{ticket}` with an agent's token;
/// schemas/api/agent-request.schema.json): its status, the answer, the updates, and the department's
/// question while it waits on the agent.
public struct AgentRequestView: Codable, Sendable, Equatable {
    /// A message of the department to the agent: an interim update or a question.
    public struct Message: Codable, Sendable, Equatable {
        public var at: String
        public var body: String

        public init(at: String, body: String) {
            self.at = at
            self.body = body
        }
    }

    public var request: RequestStatus
    public var agent: String?
    public var via: String?
    public var answer: String?
    public var answeredAt: String?
    public var updates: [Message]
    /// Every question the department asked, and the agent's replies, oldest first: the conversation so far.
    public var questions: [Message]
    public var replies: [Message]
    /// The question the request waits on (only while its state is waiting_on_agent).
    public var question: Message?
    public var history: [RequestHistory.Entry]

    public init(
        request: RequestStatus, agent: String?, via: String?, answer: String?, answeredAt: String?, updates: [Message],
        questions: [Message] = [], replies: [Message] = [], question: Message?, history: [RequestHistory.Entry]
    ) {
        self.request = request
        self.agent = agent
        self.via = via
        self.answer = answer
        self.answeredAt = answeredAt
        self.updates = updates
        self.questions = questions
        self.replies = replies
        self.question = question
        self.history = history
    }
}

/// The reply to an agent's action on a ticket (`.../reply`, `.../cancel`): the ticket's status after it.
public struct AgentActionResult: Codable, Sendable, Equatable {
    public var request: RequestStatus

    public init(request: RequestStatus) { self.request = request }
}
