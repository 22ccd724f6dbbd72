import HeapModule
import SwitchboardSchema

/// One department's queue: highest priority first, then earliest deadline, then oldest.
///
/// Entries are never removed from the middle; a request that leaves the queue (cancelled, transferred)
/// bumps its generation, and stale entries are skipped when they reach the front.
struct RequestQueue: Sendable {
    struct Entry: Comparable, Sendable {
        let rank: Int
        let deadline: Timestamp
        let sequence: UInt64
        let ticket: Ticket
        let generation: UInt32

        static func < (lhs: Entry, rhs: Entry) -> Bool {
            if lhs.rank != rhs.rank { return lhs.rank < rhs.rank }
            if lhs.deadline != rhs.deadline { return lhs.deadline < rhs.deadline }
            return lhs.sequence < rhs.sequence
        }

        static func == (lhs: Entry, rhs: Entry) -> Bool {
            lhs.sequence == rhs.sequence && lhs.generation == rhs.generation
        }

        /// The entry of a request as it stands.
        init(_ request: borrowing RequestRecord) {
            rank = request.priority.rank
            deadline = request.deadline
            sequence = request.sequence
            ticket = request.ticket
            generation = request.queueGeneration
        }
    }

    private var heap = Heap<Entry>()
    /// Requests really waiting (stale entries excluded).
    private(set) var count = 0

    mutating func push(_ entry: Entry) {
        heap.insert(entry)
        count += 1
    }

    /// The live request at the front, dropping stale entries on the way.
    mutating func front(isLive: (Entry) -> Bool) -> Entry? {
        while let entry = heap.min {
            if isLive(entry) { return entry }
            heap.removeMin()
        }
        return nil
    }

    mutating func removeFront() {
        heap.removeMin()
        count -= 1
    }

    /// A request left the queue without reaching the front; its entry goes stale.
    mutating func forget() {
        count -= 1
    }

    var isEmpty: Bool { count == 0 }
}
