import SwitchboardSchema

/// A key with a cheap hash: what ``FastTable`` indexes by. Only for keys an attacker cannot choose in bulk
/// (tickets the broker issues, routing identities libzmq assigns, configured department names): the hash is
/// not keyed, unlike `Hasher`'s, which is what a `Dictionary` of client-chosen keys (request ids) needs.
protocol FastHashable: Equatable, Sendable {
    var fastHash: UInt64 { get }
}

extension Ticket: FastHashable {
    /// Tickets are sequential numbers: the table's Fibonacci hashing spreads them.
    var fastHash: UInt64 { rawValue }
}

extension PeerID: FastHashable {}

extension String: FastHashable {
    /// FNV-1a over the UTF-8 bytes.
    var fastHash: UInt64 {
        var text = self
        return text.withUTF8 { bytes in
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
            return hash
        }
    }
}

/// A client's request id as a key. Agents choose request ids, so the hash is the standard library's seeded
/// SipHash (``FastTable`` keeps it and never hashes a key again as it grows, unlike a `Dictionary`).
struct RequestIDKey: FastHashable {
    let text: String

    init(_ text: String) { self.text = text }

    var fastHash: UInt64 { UInt64(UInt(bitPattern: text.hashValue)) }
}

/// Values by key: an open-addressing index (one multiplication and a probe or two) over a ``SlotStore`` that
/// keeps the values where they live. A value keeps its slot until it is removed, so a slot found once may be
/// used until then; `table[slot: s].field` reads or changes the field in place, never a copy of the value.
struct FastTable<Key: FastHashable, Value: Sendable>: Sendable {
    private var keys: [Key?]
    private var hashes: [UInt64]
    /// Slot of each entry + 1; 0 marks an empty entry.
    private var entries: [Int32]
    private var shift: UInt64
    private var store = SlotStore<Value>()

    init() {
        keys = Array(repeating: nil, count: 16)
        hashes = Array(repeating: 0, count: 16)
        entries = Array(repeating: 0, count: 16)
        shift = 64 - 4
    }

    var count: Int { store.count }

    var isEmpty: Bool { store.count == 0 }

    private var mask: Int { entries.count - 1 }

    @inline(__always)
    private func home(_ hash: UInt64) -> Int {
        Int(truncatingIfNeeded: (hash &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Where `key` is in the index, or where it would go.
    @inline(__always)
    private func position(of key: Key, hash: UInt64) -> (index: Int, found: Bool) {
        var index = home(hash)
        while entries[index] != 0 {
            if hashes[index] == hash && keys[index] == key { return (index, true) }
            index = (index + 1) & mask
        }
        return (index, false)
    }

    /// The slot of `key`'s value, if the table has it.
    @inline(__always)
    func slot(of key: Key) -> Int? {
        let (index, found) = position(of: key, hash: key.fastHash)
        return found ? Int(entries[index]) - 1 : nil
    }

    func contains(_ key: Key) -> Bool { slot(of: key) != nil }

    /// The value in a slot, read or changed where it lives.
    subscript(slot slot: Int) -> Value {
        unsafeAddress { store.address(of: slot) }
        unsafeMutableAddress { store.mutableAddress(of: slot) }
    }

    /// A copy of the value for a key, or nil; setting nil removes it. Off the hot path: read fields through
    /// ``slot(of:)`` and ``subscript(slot:)`` instead.
    subscript(key: Key) -> Value? {
        get { slot(of: key).map { store[$0] } }
        set {
            if let newValue {
                if let slot = slot(of: key) { store[slot] = newValue } else { insert(newValue, for: key) }
            } else {
                remove(key)
            }
        }
    }

    /// One property of a key's value, read in place; nil if there is no such key.
    @inline(__always)
    func read<T>(_ key: Key, _ property: (borrowing Value) -> T) -> T? {
        guard let slot = slot(of: key) else { return nil }
        return property(store[slot])
    }

    /// Changes a key's value in place; nil (and no change) if there is no such key.
    @inline(__always)
    @discardableResult
    mutating func update<T>(_ key: Key, _ change: (inout Value) -> T) -> T? {
        guard let slot = slot(of: key) else { return nil }
        return change(&store[slot])
    }

    /// Adds the value for a key (or replaces it); returns its slot.
    @discardableResult
    mutating func insert(_ value: consuming Value, for key: Key) -> Int {
        let hash = key.fastHash
        let (index, found) = position(of: key, hash: hash)
        if found {
            let slot = Int(entries[index]) - 1
            store[slot] = value
            return slot
        }
        let slot = store.insert(value)
        keys[index] = key
        hashes[index] = hash
        entries[index] = Int32(slot + 1)
        if (store.count + 1) * 4 > entries.count * 3 { grow() }
        return slot
    }

    /// Removes the value for `key` and returns it. Later entries of its probe run move back into the gap, so no
    /// tombstone is left behind.
    @discardableResult
    mutating func remove(_ key: Key) -> Value? {
        let (found, present) = position(of: key, hash: key.fastHash)
        guard present else { return nil }
        let removed = store.remove(Int(entries[found]) - 1)
        var hole = found
        entries[hole] = 0
        keys[hole] = nil
        var index = (hole + 1) & mask
        while entries[index] != 0 {
            let wanted = home(hashes[index])
            // The entry at `index` may fill the hole if its home is not in (hole, index], cyclically.
            let between = hole <= index ? (hole < wanted && wanted <= index) : (hole < wanted || wanted <= index)
            if !between {
                keys[hole] = keys[index].take()
                hashes[hole] = hashes[index]
                entries[hole] = entries[index]
                entries[index] = 0
                hole = index
            }
            index = (index + 1) & mask
        }
        return removed
    }

    private mutating func grow() {
        var oldKeys = keys
        let oldHashes = hashes, oldEntries = entries
        keys = Array(repeating: nil, count: oldEntries.count * 2)
        hashes = Array(repeating: 0, count: oldEntries.count * 2)
        entries = Array(repeating: 0, count: oldEntries.count * 2)
        shift -= 1
        for index in oldEntries.indices where oldEntries[index] != 0 {
            var position = home(oldHashes[index])
            while entries[position] != 0 { position = (position + 1) & mask }
            keys[position] = oldKeys[index].take()
            hashes[position] = oldHashes[index]
            entries[position] = oldEntries[index]
        }
    }

    /// Every key with its value's slot, in no particular order.
    var slots: [(key: Key, slot: Int)] {
        entries.indices.compactMap { entries[$0] == 0 ? nil : (keys[$0]!, Int(entries[$0]) - 1) }
    }

    /// Every key, in no particular order.
    var allKeys: [Key] { slots.map(\.key) }

    /// Every value (copies), in no particular order.
    var allValues: [Value] { store.slots.map { store[$0] } }
}
