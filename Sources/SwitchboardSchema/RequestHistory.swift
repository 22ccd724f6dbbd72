/// The JSON body of a HISTORY reply (`schemas/history.schema.json`): every recorded change of a ticket,
/// oldest first, from the ledger. Never contains a body.
public struct RequestHistory: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        /// The event type, as on the events endpoint (`request.submitted`, `request.answered`, ...).
        public var type: EventType
        /// RFC 3339, UTC, millisecond precision.
        public var at: String
        public var department: String?
        public var fromDepartment: String?
        public var state: RequestState?
        public var attempt: Int?
        public var worker: String?
        public var reason: String?

        public init(
            type: EventType, at: String, department: String? = nil, fromDepartment: String? = nil,
            state: RequestState? = nil, attempt: Int? = nil, worker: String? = nil, reason: String? = nil
        ) {
            self.type = type
            self.at = at
            self.department = department
            self.fromDepartment = fromDepartment
            self.state = state
            self.attempt = attempt
            self.worker = worker
            self.reason = reason
        }
    }

    public var ticket: String
    public var events: [Entry]

    public init(ticket: String, events: [Entry]) {
        self.ticket = ticket
        self.events = events
    }
}
