import SwitchboardCore
import SwitchboardSchema

/// What the broker counts for `/metrics` and `/api/v1/stats`, kept on the broker thread from the changes
/// Core records (so it counts exactly what the ledger stores) and read through a snapshot.
public struct BrokerMetrics: Sendable, Equatable {
    /// A department and priority (counters of requests).
    public struct Key: Hashable, Sendable {
        public var department: String
        public var priority: Priority

        public init(department: String, priority: Priority) {
            self.department = department
            self.priority = priority
        }
    }

    /// A department and SLA target (counters of warnings and breaches).
    public struct TargetKey: Hashable, Sendable {
        public var department: String
        public var target: SLATarget

        public init(department: String, target: SLATarget) {
            self.department = department
            self.target = target
        }
    }

    public internal(set) var submitted: [Key: UInt64] = [:]
    public internal(set) var answered: [Key: UInt64] = [:]
    public internal(set) var cancelled: [Key: UInt64] = [:]
    public internal(set) var deadLettered: [Key: UInt64] = [:]
    public internal(set) var slaWarnings: [TargetKey: UInt64] = [:]
    public internal(set) var slaBreaches: [TargetKey: UInt64] = [:]
    /// Requests offered again after a worker failed, timed out or left (by department).
    public internal(set) var retries: [String: UInt64] = [:]
    public internal(set) var timeToFirstResponse: [String: Histogram] = [:]
    public internal(set) var timeToAnswer: [String: Histogram] = [:]
    public internal(set) var commitSeconds = Histogram(bounds: Histogram.commitTimeBounds)
    public internal(set) var batchSize = Histogram(bounds: Histogram.batchSizeBounds)
    public internal(set) var protocolErrors: [String: UInt64] = [:]
    /// Commands refused by authorization, by the principal's kind and the action ("kind action").
    public internal(set) var refusals: [String: UInt64] = [:]
    public internal(set) var messagesReceived: UInt64 = 0
    public internal(set) var messagesSent: UInt64 = 0
    /// Replies to peers that had disconnected (what they would have been told stays fetchable by ticket).
    public internal(set) var messagesUnroutable: UInt64 = 0
    /// Messages dropped because a peer's queue was full.
    public internal(set) var messagesDropped: UInt64 = 0

    public init() {}

    /// Counts one recorded change.
    mutating func count(_ change: Change) {
        switch change {
        case .submitted(let submission):
            Self.increment(&submitted, submission.facts)
        case .answered(let answered):
            Self.increment(&self.answered, answered.facts)
            Self.observe(&timeToAnswer, answered.facts.department, (answered.facts.at - answered.submittedAt).seconds)
        case .cancelled(let facts, _):
            Self.increment(&cancelled, facts)
        case .deadLettered(let facts, _, _):
            Self.increment(&deadLettered, facts)
        case .requeued(let facts, _, _):
            // An operator's requeue of a dead letter (attempts start over) is not a dispatch retry.
            if facts.attempt > 0 { retries[facts.department, default: 0] += 1 }
        case let .slaWarning(facts, notice):
            slaWarnings[TargetKey(department: facts.department, target: notice.target), default: 0] += 1
        case let .slaBreached(facts, notice):
            slaBreaches[TargetKey(department: facts.department, target: notice.target), default: 0] += 1
        case let .accepted(facts, response), let .updated(facts, response, _), let .waitingOnAgent(facts, response, _):
            if response.first {
                Self.observe(&timeToFirstResponse, facts.department, (facts.at - response.submittedAt).seconds)
            }
        case .offered, .infoReceived, .transferred, .duplicateAnswer, .escalated, .workerJoined, .workerLeft,
            .workerLost, .workerDraining:
            break
        }
    }

    /// One ledger commit: how long it took and how many changes it held.
    mutating func observeCommit(seconds: Double, changes: Int) {
        commitSeconds.observe(seconds)
        batchSize.observe(Double(changes))
    }

    mutating func countRefusal(kind: String, action: String) {
        refusals["\(kind) \(action)", default: 0] += 1
    }

    mutating func countProtocolError(_ reason: String) {
        protocolErrors[reason, default: 0] += 1
    }

    private static func increment(_ counters: inout [Key: UInt64], _ facts: Change.RequestFacts) {
        counters[Key(department: facts.department, priority: facts.priority), default: 0] += 1
    }

    private static func observe(_ histograms: inout [String: Histogram], _ department: String, _ seconds: Double) {
        histograms[department, default: Histogram(bounds: Histogram.serviceTimeBounds)].observe(max(0, seconds))
    }
}

extension Dictionary where Value == UInt64 {
    /// The sum of every counter.
    public var total: UInt64 { values.reduce(0, +) }
}
