/// One connected worker (`GET /api/v1/workers`, `schemas/api/worker.schema.json`).
public struct WorkerSummary: Codable, Sendable, Equatable {
    /// Its connection identity in hex: unique while it is connected. Actions (drain) take this or the name.
    public var id: String
    /// The name it gave in READY (not necessarily unique).
    public var name: String
    public var departments: [String]
    public var credit: Int
    public var freeCredit: Int
    /// Tickets it holds (offered or accepted), sorted.
    public var tickets: [String]
    /// RFC 3339 times, UTC.
    public var joinedAt: String
    public var lastHeartbeat: String
    /// Seconds since it was last heard from.
    public var lastHeartbeatSeconds: Double
    /// Draining: it gets nothing new and finishes what it holds.
    public var draining: Bool

    public init(
        id: String, name: String, departments: [String], credit: Int, freeCredit: Int, tickets: [String],
        joinedAt: String, lastHeartbeat: String, lastHeartbeatSeconds: Double, draining: Bool
    ) {
        self.id = id
        self.name = name
        self.departments = departments
        self.credit = credit
        self.freeCredit = freeCredit
        self.tickets = tickets
        self.joinedAt = joinedAt
        self.lastHeartbeat = lastHeartbeat
        self.lastHeartbeatSeconds = lastHeartbeatSeconds
        self.draining = draining
    }
}
