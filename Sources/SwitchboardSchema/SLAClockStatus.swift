/// One service-level clock of a request, as STATUS reports it (`schemas/status.schema.json`, `clocks`).
public struct SLAClockStatus: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable, CaseIterable {
        /// Counting (in the department's open hours).
        case running
        /// Stopped while the request waits on the agent.
        case paused
        /// Stopped in time.
        case met
        /// Its target has passed (it may still be counting).
        case breached
        /// Stopped without reaching its target: the request was cancelled or dead-lettered.
        case stopped
    }

    public var target: SLATarget
    /// The target, in milliseconds of open time.
    public var targetMs: Int64
    /// Open time used so far, in milliseconds.
    public var usedMs: Int64
    /// Open time left, in milliseconds; negative once overdue.
    public var remainingMs: Int64
    public var state: State
    /// When the target falls due if the clock keeps running (RFC 3339); absent when it does not run.
    public var dueAt: String?

    public init(target: SLATarget, targetMs: Int64, usedMs: Int64, remainingMs: Int64, state: State, dueAt: String?) {
        self.target = target
        self.targetMs = targetMs
        self.usedMs = usedMs
        self.remainingMs = remainingMs
        self.state = state
        self.dueAt = dueAt
    }
}
