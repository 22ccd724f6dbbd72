/// Every event the broker publishes. The topic frame of an event is exactly this raw value.
public enum EventType: String, Codable, Sendable, CaseIterable {
    case requestSubmitted = "request.submitted"
    case requestOffered = "request.offered"
    case requestAccepted = "request.accepted"
    case requestUpdated = "request.updated"
    /// The holder sent NEEDS_INFO: the request waits on the agent and its clocks pause. Never has the question.
    case requestWaitingOnAgent = "request.waiting_on_agent"
    /// The agent answered with INFO: the request is accepted again and its clocks resume. Never has the reply.
    case requestInfoReceived = "request.info_received"
    case requestTransferred = "request.transferred"
    case requestRequeued = "request.requeued"
    case requestAnswered = "request.answered"
    case requestDuplicateAnswer = "request.duplicate_answer"
    case requestCancelled = "request.cancelled"
    case requestDeadLettered = "request.dead_lettered"
    case requestSLAWarning = "request.sla_warning"
    case requestSLABreached = "request.sla_breached"
    case requestEscalated = "request.escalated"
    case workerJoined = "worker.joined"
    case workerLeft = "worker.left"
    case workerLost = "worker.lost"
    /// An operator drained the worker: it gets nothing new and finishes what it holds.
    case workerDraining = "worker.draining"

    public var topic: [UInt8] { Array(rawValue.utf8) }
}
