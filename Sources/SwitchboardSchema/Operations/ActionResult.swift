/// The reply to an operator's action (`POST /api/v1/...`, `schemas/api/action.schema.json`).
public struct ActionResult: Codable, Sendable, Equatable {
    public enum Action: String, Codable, Sendable {
        case requeue, cancel, drain
        /// The daemon stops gracefully (`switchboard drain-daemon`).
        case drainDaemon = "drain-daemon"
    }

    public var action: Action
    public var ticket: String?
    public var worker: String?
    /// The request's state after the action (requeue, cancel).
    public var state: RequestState?
    /// One sentence for people.
    public var message: String
    /// drain-daemon: how long workers may finish what they hold, in seconds.
    public var drainTimeoutSeconds: Double?

    public init(action: Action, ticket: String? = nil, worker: String? = nil, state: RequestState? = nil, message: String) {
        self.action = action
        self.ticket = ticket
        self.worker = worker
        self.state = state
        self.message = message
    }
}
