import SwitchboardSchema

/// Which changes the ledger writes as notifications (the agents' event streams and the webhooks' outbox), in
/// the transaction of the change itself: a notification exists exactly when its change is durable.
public struct NotificationPolicy: Sendable, Equatable {
    /// A webhook as the ledger sees it: its name, the event types it is sent and the departments it covers
    /// (empty: all).
    public struct Route: Sendable, Equatable {
        public var name: String
        public var types: Set<EventType>
        public var departments: Set<String>

        public init(name: String, types: Set<EventType>, departments: Set<String> = []) {
            self.name = name
            self.types = types
            self.departments = departments
        }

        func wants(_ type: EventType, department: String) -> Bool {
            types.contains(type) && (departments.isEmpty || departments.contains(department))
        }
    }

    /// Whether tickets of named agents get their stream (on whenever the HTTP agent API is served).
    public var agentStreams: Bool
    public var webhooks: [Route]

    public init(agentStreams: Bool = false, webhooks: [Route] = []) {
        self.agentStreams = agentStreams
        self.webhooks = webhooks
    }

    /// Nothing is written: the hot path pays nothing.
    public static let none = NotificationPolicy()

    var isEmpty: Bool { !agentStreams && webhooks.isEmpty }
}
