import SwitchboardSchema

/// Counters the broker thread keeps about its traffic (exported as metrics by the ops surface).
struct BrokerStats: Sendable {
    var received: UInt64 = 0
    var sent: UInt64 = 0
    /// Replies to peers that had disconnected.
    var unroutable: UInt64 = 0
    /// Messages dropped because a peer's queue was full.
    var dropped: UInt64 = 0
    /// Malformed or refused messages, by reason (`bad-signature`, `body-too-large`, ...).
    var protocolErrors: [String: UInt64] = [:]

    mutating func countProtocolError(_ reason: String) {
        protocolErrors[reason, default: 0] += 1
    }
}

/// Lets through at most `perSecond` events per second: garbage from one peer must not flood the logs.
struct RateLimiter: Sendable {
    let perSecond: Int
    private var windowStart: Int64 = 0
    private var count = 0
    private(set) var suppressed: UInt64 = 0

    init(perSecond: Int) { self.perSecond = perSecond }

    mutating func allow(now: Timestamp) -> Bool {
        let second = now.rawValue / 1000
        if second != windowStart {
            windowStart = second
            count = 0
        }
        count += 1
        if count > perSecond { suppressed += 1 }
        return count <= perSecond
    }
}
