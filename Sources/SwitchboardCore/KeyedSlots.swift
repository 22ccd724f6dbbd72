/// Values by key over a ``SlotStore``: the key finds a slot through a dictionary of slot numbers (trivial
/// values, never copied), and the value is read or changed where it lives. For Core's departments and
/// workers, whose values (a queue, a set of tickets, policies) are costly to copy.
struct KeyedSlots<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private var index: [Key: Int] = [:]
    private var store = SlotStore<Value>()

    var count: Int { store.count }

    var keys: Dictionary<Key, Int>.Keys { index.keys }

    func slot(of key: Key) -> Int? { index[key] }

    func contains(_ key: Key) -> Bool { index[key] != nil }

    /// The value in a slot, read or changed where it lives.
    subscript(slot slot: Int) -> Value {
        unsafeAddress { store.address(of: slot) }
        unsafeMutableAddress { store.mutableAddress(of: slot) }
    }

    /// A copy of the value for a key, or nil; setting nil removes it.
    subscript(key: Key) -> Value? {
        get { index[key].map { store[$0] } }
        set {
            if let newValue {
                if let slot = index[key] { store[slot] = newValue } else { index[key] = store.insert(newValue) }
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// One property of a key's value, read in place; nil if there is no such key.
    @inline(__always)
    func read<T>(_ key: Key, _ property: (borrowing Value) -> T) -> T? {
        guard let slot = index[key] else { return nil }
        return property(store[slot])
    }

    /// Changes a key's value in place; nil (and no change) if there is no such key.
    @inline(__always)
    @discardableResult
    mutating func update<T>(_ key: Key, _ change: (inout Value) -> T) -> T? {
        guard let slot = index[key] else { return nil }
        return change(&store[slot])
    }

    @discardableResult
    mutating func removeValue(forKey key: Key) -> Value? {
        guard let slot = index.removeValue(forKey: key) else { return nil }
        return store.remove(slot)
    }

    /// Every value (copies), in no particular order.
    var values: [Value] { index.values.map { store[$0] } }

    /// Every key and its slot.
    var slots: Dictionary<Key, Int> { index }
}
