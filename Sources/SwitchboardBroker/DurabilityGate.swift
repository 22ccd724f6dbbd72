/// Holds back what may be sent only once the ledger has made durable the changes recorded before it: an
/// ACCEPTED only after its submission is committed, an answer only after it is, and nothing an agent is told
/// overtakes what it was told before. Pure bookkeeping, no I/O: the broker loop records changes, posts them to
/// the ledger writer as numbered groups, passes each message through ``admit(_:)``, and sends what
/// ``durable(through:)`` releases.
///
/// Messages to workers do not pass through the gate: a request may be offered before its submission is
/// durable (a crash before the commit loses a request no agent was told about, and the worker's answer to it
/// is refused as unknown); its answer still reaches the agent only once durable.
struct DurabilityGate<Message> {
    /// Groups handed to the ledger writer so far, and the last one the writer reported durable.
    private(set) var posted: UInt64 = 0
    private(set) var durable: UInt64 = 0
    /// Changes were recorded since the last group was posted: they go in the next one.
    private(set) var recordedSincePost = false
    /// Held messages in order, from `head` on (an array, not a Deque: appending to a Deque copies the element).
    private var held: [(group: UInt64, message: Message)] = []
    private var head = 0

    /// A change was recorded; it belongs to the next group.
    mutating func recorded() {
        recordedSincePost = true
    }

    /// The changes recorded since the last post are handed to the writer: the number of their group, or nil
    /// if nothing was recorded (an empty group is not posted).
    mutating func post() -> UInt64? {
        guard recordedSincePost else { return nil }
        recordedSincePost = false
        posted += 1
        return posted
    }

    /// Forces a group even if nothing was recorded (audit lines travel alone): its number.
    mutating func postEmpty() -> UInt64 {
        recordedSincePost = false
        posted += 1
        return posted
    }

    /// The group a message admitted now depends on: the one that will carry what was recorded so far.
    var pendingGroup: UInt64 { recordedSincePost ? posted + 1 : posted }

    /// A message that must not overtake anything recorded before it: returned to be sent now if that is all
    /// durable and nothing is held before it, otherwise held (nil).
    mutating func admit(_ message: consuming Message) -> Message? {
        let group = pendingGroup
        if group <= durable && head == held.count { return message }
        held.append((group, consume message))
        return nil
    }

    /// The writer made every group up to `group` durable: the messages that waited on them, in order.
    mutating func durable(through group: UInt64) -> [Message] {
        durable = max(durable, group)
        var end = head
        while end < held.count && held[end].group <= durable { end += 1 }
        guard end > head else { return [] }
        let released = held[head..<end].map(\.message)
        head = end
        if head == held.count {
            held.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1024 && head * 2 > held.count {
            held.removeFirst(head)
            head = 0
        }
        return released
    }

    /// Messages still waiting for the ledger.
    var heldCount: Int { held.count - head }

    /// The ledger will confirm nothing more (the broker is stopping): every message still held, in order.
    mutating func abandon() -> [Message] {
        defer {
            held.removeAll()
            head = 0
        }
        return held[head...].map(\.message)
    }
}
