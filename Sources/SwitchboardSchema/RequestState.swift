/// Where a request is in its lifecycle (see DESIGN.md, "Request lifecycle").
public enum RequestState: String, Codable, Sendable, CaseIterable {
    /// Waiting in its department's queue.
    case queued
    /// Sent to a worker that has not accepted it yet.
    case offered
    /// A worker has accepted it and is working on it.
    case accepted
    /// The worker holding it asked the agent for more information (NEEDS_INFO): its clocks are paused until
    /// the agent answers (INFO), which makes it `accepted` again. The worker still holds it.
    case waitingOnAgent = "waiting_on_agent"
    /// Answered: final.
    case answered
    /// Cancelled by the agent: final.
    case cancelled
    /// Given up on (rejected, too many attempts, ...), with a reason: final.
    case deadLettered = "dead_lettered"

    public var isFinal: Bool {
        switch self {
        case .answered, .cancelled, .deadLettered: true
        case .queued, .offered, .accepted, .waitingOnAgent: false
        }
    }
}
