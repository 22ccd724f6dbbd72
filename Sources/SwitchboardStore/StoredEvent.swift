import SwitchboardSchema

/// One entry of a ticket's history (``Ledger/history(ticket:)``), without bodies.
public struct StoredEvent: Sendable, Equatable {
    /// Increases along the ticket's history: its order.
    public var id: Int64
    public var type: EventType
    public var at: Timestamp
    public var department: String?
    /// For a transfer: the department it left.
    public var fromDepartment: String?
    public var state: RequestState?
    public var attempt: Int?
    public var worker: String?
    public var reason: String?

    public init(
        id: Int64, type: EventType, at: Timestamp, department: String? = nil, fromDepartment: String? = nil,
        state: RequestState? = nil, attempt: Int? = nil, worker: String? = nil, reason: String? = nil
    ) {
        self.id = id
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
