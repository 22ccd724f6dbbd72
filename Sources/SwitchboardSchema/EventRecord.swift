/// The JSON body of an event on the events endpoint (`schemas/event.schema.json`). Never holds a body.
public struct EventRecord: Codable, Sendable, Equatable {
    public var type: EventType
    /// RFC 3339, UTC, millisecond precision.
    public var at: String
    /// A number that increases by one per event published by this daemon run: gaps mean lost events.
    public var sequence: UInt64
    public var ticket: String?
    public var requestId: String?
    public var department: String?
    /// For transfers: the department the request came from.
    public var fromDepartment: String?
    public var priority: Priority?
    public var state: RequestState?
    public var attempt: Int?
    public var worker: String?
    public var reason: String?
    /// For worker events: the departments the worker serves and its credit.
    public var departments: [String]?
    public var credit: Int?
    /// For SLA events: which clock, and for warnings the share of its target used (50, 75, ...).
    public var target: SLATarget?
    public var threshold: Int?
    /// For SLA events: when the target falls (or fell) due, RFC 3339.
    public var dueAt: String?

    public init(type: EventType, at: String, sequence: UInt64) {
        self.type = type
        self.at = at
        self.sequence = sequence
    }
}
