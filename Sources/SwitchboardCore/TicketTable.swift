import SwitchboardSchema

/// Values by ticket: an open-addressing index from ticket to slot (one multiplication and a probe or two:
/// tickets are sequential numbers, which a Fibonacci hash spreads) over a ``SlotStore`` that keeps the values
/// in place. A value keeps its slot until it is removed, so a slot found once may be used until then.
struct TicketTable<Value: Sendable>: Sendable {
    private var keys: [UInt64]
    /// Slot of each key + 1; 0 marks an empty entry.
    private var entries: [Int32]
    private var shift: UInt64
    private var store = SlotStore<Value>()

    init() {
        keys = Array(repeating: 0, count: 16)
        entries = Array(repeating: 0, count: 16)
        shift = 64 - 4
    }

    var count: Int { store.count }

    private var mask: Int { keys.count - 1 }

    @inline(__always)
    private func home(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Where `ticket` is in the index, or where it would go.
    @inline(__always)
    private func position(of key: UInt64) -> (index: Int, found: Bool) {
        var index = home(key)
        while entries[index] != 0 {
            if keys[index] == key { return (index, true) }
            index = (index + 1) & mask
        }
        return (index, false)
    }

    /// The slot of `ticket`'s value, if the table has it.
    @inline(__always)
    func slot(of ticket: Ticket) -> Int? {
        let (index, found) = position(of: ticket.rawValue)
        return found ? Int(entries[index]) - 1 : nil
    }

    func contains(_ ticket: Ticket) -> Bool { slot(of: ticket) != nil }

    /// The value in a slot, read or changed where it lives.
    subscript(slot slot: Int) -> Value {
        unsafeAddress { store.address(of: slot) }
        unsafeMutableAddress { store.mutableAddress(of: slot) }
    }

    /// A copy of the value for a ticket, or nil; in place when changed; setting nil removes it.
    subscript(ticket: Ticket) -> Value? {
        get { slot(of: ticket).map { store[$0] } }
        set {
            if let newValue {
                if let slot = slot(of: ticket) { store[slot] = newValue } else { insert(newValue, for: ticket) }
            } else {
                remove(ticket)
            }
        }
    }

    /// One property of a ticket's value, read in place; nil if the table does not have the ticket.
    @inline(__always)
    func read<T>(_ ticket: Ticket, _ property: (borrowing Value) -> T) -> T? {
        guard let slot = slot(of: ticket) else { return nil }
        return property(store[slot])
    }

    /// Changes a ticket's value in place; nil (and no change) if the table does not have the ticket.
    @inline(__always)
    @discardableResult
    mutating func update<T>(_ ticket: Ticket, _ change: (inout Value) -> T) -> T? {
        guard let slot = slot(of: ticket) else { return nil }
        return change(&store[slot])
    }

    /// Adds the value for a ticket the table does not have (or replaces it); returns its slot.
    @discardableResult
    mutating func insert(_ value: Value, for ticket: Ticket) -> Int {
        let (index, found) = position(of: ticket.rawValue)
        if found {
            let slot = Int(entries[index]) - 1
            store[slot] = value
            return slot
        }
        let slot = store.insert(value)
        keys[index] = ticket.rawValue
        entries[index] = Int32(slot + 1)
        if (store.count + 1) * 4 > keys.count * 3 { grow() }
        return slot
    }

    /// Removes the value for `ticket` and returns it. Later entries of its probe run move back into the gap, so
    /// no tombstone is left behind.
    @discardableResult
    mutating func remove(_ ticket: Ticket) -> Value? {
        let (found, present) = position(of: ticket.rawValue)
        guard present else { return nil }
        let removed = store.remove(Int(entries[found]) - 1)
        var hole = found
        entries[hole] = 0
        var index = (hole + 1) & mask
        while entries[index] != 0 {
            let wanted = home(keys[index])
            // The entry at `index` may fill the hole if its home is not in (hole, index], cyclically.
            let between = hole <= index ? (hole < wanted && wanted <= index) : (hole < wanted || wanted <= index)
            if !between {
                keys[hole] = keys[index]
                entries[hole] = entries[index]
                entries[index] = 0
                hole = index
            }
            index = (index + 1) & mask
        }
        return removed
    }

    private mutating func grow() {
        let oldKeys = keys, oldEntries = entries
        keys = Array(repeating: 0, count: oldKeys.count * 2)
        entries = Array(repeating: 0, count: oldKeys.count * 2)
        shift -= 1
        for index in oldKeys.indices where oldEntries[index] != 0 {
            let (position, _) = position(of: oldKeys[index])
            keys[position] = oldKeys[index]
            entries[position] = oldEntries[index]
        }
    }

    /// Every value (copies), in no particular order.
    var allValues: [Value] { store.slots.map { store[$0] } }

    /// Every ticket, in no particular order.
    var tickets: [Ticket] {
        keys.indices.compactMap { entries[$0] == 0 ? nil : Ticket(rawValue: keys[$0]) }
    }
}
