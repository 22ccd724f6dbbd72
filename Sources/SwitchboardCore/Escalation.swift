/// What a department does when a request breaches one of its targets.
public enum Escalation: Sendable, Equatable {
    /// Only the events (warning, breach) tell operators. The default.
    case notify
    /// The request moves one priority up (urgent stays urgent).
    case raisePriority
    /// The request goes to another department (an escalation desk), same ticket, clocks carried over.
    case transfer(department: String)
}

/// What a transfer does to a request's service-level clocks.
public enum TransferClockRule: String, Sendable, Equatable {
    /// The clocks keep running with the policy pinned at submission. The default.
    case carryOver = "carry_over"
    /// The clocks start again under the receiving department's policy.
    case restart
}
