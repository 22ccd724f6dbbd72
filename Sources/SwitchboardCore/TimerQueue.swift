import HeapModule
import SwitchboardSchema

/// Core's timers in one heap. Timers are never cancelled: when one fires, Core checks whether it still
/// applies (the offer was already accepted, the worker was heard from since). So that timers left behind by
/// finished requests do not pile up for the length of their targets (hours), the heap is rebuilt without
/// them once they outnumber the ones that can still apply (see ``compact(keeping:)``).
struct TimerQueue: Sendable {
    enum Kind: Sendable, Equatable {
        /// `offer` is the request's queue generation when it was offered: it names that one offer, since
        /// attempt numbers start again at 1 after a transfer.
        case offerTimeout(ticket: Ticket, offer: UInt32)
        /// `registration` tells this registration's timer from one left by an earlier READY of the same peer.
        case workerExpiry(id: PeerID, registration: UInt64)
        case heartbeat
        /// A request's next SLA threshold; `generation` tells the latest schedule from older ones.
        case sla(ticket: Ticket, generation: UInt32)
    }

    struct Entry: Comparable, Sendable {
        let at: Timestamp
        let order: UInt64
        let kind: Kind

        static func < (lhs: Entry, rhs: Entry) -> Bool {
            lhs.at != rhs.at ? lhs.at < rhs.at : lhs.order < rhs.order
        }

        static func == (lhs: Entry, rhs: Entry) -> Bool { lhs.order == rhs.order }
    }

    private var heap = Heap<Entry>()
    private var order: UInt64 = 0

    mutating func schedule(_ kind: Kind, at: Timestamp) {
        order += 1
        heap.insert(Entry(at: at, order: order, kind: kind))
    }

    var nextDeadline: Timestamp? { heap.min?.at }

    /// Removes and returns the earliest timer if it is due.
    mutating func popDue(now: Timestamp) -> Kind? {
        guard let first = heap.min, first.at <= now else { return nil }
        heap.removeMin()
        return first.kind
    }

    var count: Int { heap.count }

    /// Drops every timer that can no longer apply, in one pass (linear in the timers held).
    mutating func compact(keeping isLive: (Kind) -> Bool) {
        heap = Heap(heap.unordered.filter { isLive($0.kind) })
    }
}
