import SwitchboardSchema

/// A request given to a department worker.
public struct WorkItem: Sendable, Equatable {
    public let ticket: String
    public let department: String
    public let priority: Priority
    /// 1 for the first offer; higher after a requeue (another worker was lost holding it).
    public let attempt: Int
    public let body: [UInt8]
}

/// What a handler decides about a request.
public enum WorkOutcome: Sendable, Equatable {
    /// The final answer for the agent.
    case answer([UInt8])
    /// Refuse the request with a reason the agent will see; it is dead-lettered.
    case reject(reason: String)
    /// Hand the request to another department (same ticket, same deadline).
    case transfer(department: String, reason: String)
    /// Give the request back without an answer (the work failed: it timed out, it crashed): it is requeued with
    /// the attempt counted, offered to another worker first, and dead-lettered after the department's maximum
    /// attempts.
    case release(reason: String)
}
