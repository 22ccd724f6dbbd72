import SwitchboardSchema

/// A registered worker: what it serves, how much it takes at once, and what it holds.
struct WorkerRecord: Sendable {
    var peer: Peer
    let name: String
    let departments: [String]
    /// The same departments' slots in Core's table.
    let departmentSlots: [Int]
    let credit: Int
    var inFlight = TicketSet()
    var lastSeen: Timestamp
    /// When it registered.
    var joinedAt: Timestamp
    /// An operator drained it: it gets nothing new and finishes what it holds.
    var draining = false
    /// When it was last given a request: among equally loaded workers the longest idle goes first.
    var lastAssigned: UInt64 = 0
    /// Which READY this record came from (see ``TimerQueue/Kind/workerExpiry(id:registration:)``).
    var registration: UInt64 = 0
    /// Silence after which it is lost: interval × liveness when it registered, never shortened by a reload
    /// (it heartbeats at the interval it was configured with).
    var timeout: Duration = .zero

    var freeCredit: Int { credit - inFlight.count }

    /// Credit that dispatch may use: none while draining.
    var usableCredit: Int { draining ? 0 : freeCredit }
}
