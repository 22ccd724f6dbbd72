/// A Prometheus-style histogram with fixed upper bounds: cumulative counts are computed when it is read,
/// so an observation is one bucket search and two additions (it runs on the broker thread).
public struct Histogram: Sendable, Equatable {
    /// Upper bounds, ascending; the implicit last bucket is +Inf.
    public let bounds: [Double]
    /// Observations per bucket (not cumulative); one more than `bounds`, the last for +Inf.
    public private(set) var counts: [UInt64]
    public private(set) var sum: Double = 0
    public private(set) var count: UInt64 = 0

    public init(bounds: [Double]) {
        precondition(bounds == bounds.sorted() && Set(bounds).count == bounds.count, "bounds must ascend")
        self.bounds = bounds
        counts = Array(repeating: 0, count: bounds.count + 1)
    }

    public mutating func observe(_ value: Double) {
        var low = 0, high = bounds.count
        while low < high {
            let middle = (low + high) / 2
            if value <= bounds[middle] { high = middle } else { low = middle + 1 }
        }
        counts[low] += 1
        sum += value
        count += 1
    }

    /// Cumulative counts per upper bound (the last is +Inf and equals `count`).
    public var cumulative: [UInt64] {
        var total: UInt64 = 0
        return counts.map { total += $0; return total }
    }

    /// Response times of people-facing work: seconds to days.
    public static let serviceTimeBounds: [Double] = [
        1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800,
    ]
    /// Ledger commits: 100 µs to 5 s.
    public static let commitTimeBounds: [Double] = [
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
    ]
    /// Changes per committed batch.
    public static let batchSizeBounds: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096]
}
