/// One request with its clocks and its history (`GET /api/v1/requests/{ticket}`,
/// `schemas/api/request-detail.schema.json`). Never the body nor the answer.
public struct RequestDetail: Codable, Sendable, Equatable {
    /// As STATUS reports it, clocks included.
    public var request: RequestStatus
    public var sla: SLALevel
    /// Every recorded change, oldest first.
    public var history: [RequestHistory.Entry]

    public init(request: RequestStatus, sla: SLALevel, history: [RequestHistory.Entry]) {
        self.request = request
        self.sla = sla
        self.history = history
    }
}
