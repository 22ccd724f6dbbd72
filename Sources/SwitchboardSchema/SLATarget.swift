/// The service-level clocks a request can run, each against a target of its department's policy.
public enum SLATarget: String, Codable, Sendable, CaseIterable, Comparable {
    /// Until a worker accepts the request or sends an update.
    case firstResponse = "first_response"
    /// Until the answer.
    case answer
    /// Between updates while the request is open (restarts at each update).
    case update

    private var order: Int {
        switch self {
        case .firstResponse: 0
        case .answer: 1
        case .update: 2
        }
    }

    public static func < (lhs: SLATarget, rhs: SLATarget) -> Bool { lhs.order < rhs.order }
}
