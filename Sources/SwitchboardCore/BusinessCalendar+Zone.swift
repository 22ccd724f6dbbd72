import Foundation
import Synchronization

extension BusinessCalendar {
    /// A time zone's UTC offsets as pieces of constant offset: piece `i` covers `starts[i]..<starts[i + 1]`
    /// (milliseconds since the epoch, UTC) with offset `offsets[i]`.
    ///
    /// Built once per zone per process from Foundation's transitions between 1900 and 2200; the first piece
    /// reaches back to -``farFuture`` and the last forward to ``farFuture`` with the offsets at the table's edges.
    /// Immutable, so shared between copies and threads.
    final class ZoneOffsets: Sendable {
        let identifier: String
        let starts: [Int64]
        let offsets: [Int64]

        static let utc = ZoneOffsets(identifier: "UTC", starts: [-farFuture.rawValue], offsets: [0])

        private static let cache = Mutex<[String: ZoneOffsets?]>([:])

        private init(identifier: String, starts: [Int64], offsets: [Int64]) {
            self.identifier = identifier
            self.starts = starts
            self.offsets = offsets
        }

        /// The zone with this IANA identifier, or nil if Foundation does not know it.
        static func named(_ identifier: String) -> ZoneOffsets? {
            cache.withLock { cache in
                if let known = cache[identifier] { return known }
                let built = TimeZone(identifier: identifier).map { build(identifier: identifier, zone: $0) }
                cache[identifier] = built
                return built
            }
        }

        private static func build(identifier: String, zone: TimeZone) -> ZoneOffsets {
            let first = Date(timeIntervalSince1970: -2_208_988_800)  // 1900-01-01T00:00Z
            let last = Date(timeIntervalSince1970: 7_258_118_400)  // 2200-01-01T00:00Z
            var starts = [-farFuture.rawValue]
            var offsets = [Int64(zone.secondsFromGMT(for: first)) * 1000]
            var date = first
            while let next = zone.nextDaylightSavingTimeTransition(after: date), next > date, next < last {
                let offset = Int64(zone.secondsFromGMT(for: next)) * 1000
                if offset != offsets[offsets.count - 1] {
                    starts.append(Int64((next.timeIntervalSince1970 * 1000).rounded()))
                    offsets.append(offset)
                }
                date = next
            }
            return ZoneOffsets(identifier: identifier, starts: starts, offsets: offsets)
        }

        /// The piece containing `instant` (which is at least -``farFuture``).
        func piece(containing instant: Int64) -> Int {
            var low = 0
            var high = starts.count
            while high - low > 1 {
                let middle = (low + high) / 2
                if starts[middle] <= instant { low = middle } else { high = middle }
            }
            return low
        }

        /// Where piece `index` ends; the last piece ends at ``farFuture``.
        func end(of index: Int) -> Int64 {
            index + 1 < starts.count ? starts[index + 1] : farFuture.rawValue
        }
    }
}
