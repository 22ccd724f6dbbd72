/// How urgent a request is. Dispatch serves higher priorities first.
public enum Priority: String, CaseIterable, Sendable, Codable, Comparable {
    case urgent, high, normal, low

    /// 0 for urgent up to 3 for low: smaller is served first.
    public var rank: Int {
        switch self {
        case .urgent: 0
        case .high: 1
        case .normal: 2
        case .low: 3
        }
    }

    public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rank < rhs.rank }

    /// The priority as it travels in a frame (its name in ASCII).
    public var frame: [UInt8] { Array(rawValue.utf8) }

    /// One step more urgent (urgent stays urgent).
    public var raised: Priority { Priority.allCases[max(0, rank - 1)] }

    public static func parse<Bytes: Collection<UInt8>>(_ frame: Bytes) throws(ProtocolError) -> Priority {
        // An empty priority frame means "normal", so simple clients can leave it blank.
        if frame.isEmpty { return .normal }
        for priority in Priority.allCases where frame.elementsEqual(priority.rawValue.utf8) { return priority }
        throw ProtocolError(
            .badRequest, "bad-priority",
            "priority must be one of urgent, high, normal, low; got \(Printable.describe(frame))")
    }
}
