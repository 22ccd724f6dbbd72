import SwitchboardSchema

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
