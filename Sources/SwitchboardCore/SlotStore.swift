/// Values in numbered slots, read and changed where they live: `store[slot].field` goes through the value's
/// address, so reading a field copies nothing and writing one copies nothing (a `Dictionary`'s getter, or a
/// `_read` that yields an array element, copies the whole value and retains every reference in it).
///
/// A slot keeps its number until its value is removed; freed slots are reused. Copy-on-write, like the
/// standard collections, so the types that hold one keep value semantics.
struct SlotStore<Value> {
    private var buffer: Buffer
    private var free: [Int] = []
    private(set) var count = 0

    init(capacity: Int = 16) {
        buffer = Buffer(capacity: max(1, capacity))
    }

    /// The value in a live slot.
    subscript(slot: Int) -> Value {
        unsafeAddress { address(of: slot) }
        unsafeMutableAddress { mutableAddress(of: slot) }
    }

    /// Where a live slot's value is, for reading; valid until the store next changes.
    func address(of slot: Int) -> UnsafePointer<Value> {
        precondition(buffer.live[slot], "slot \(slot) is empty")
        return UnsafePointer(buffer.values + slot)
    }

    /// Where a live slot's value is, for changing it in place (the store is made unique first).
    mutating func mutableAddress(of slot: Int) -> UnsafeMutablePointer<Value> {
        precondition(buffer.live[slot], "slot \(slot) is empty")
        makeUnique()
        return buffer.values + slot
    }

    func isLive(_ slot: Int) -> Bool { slot >= 0 && slot < buffer.capacity && buffer.live[slot] }

    /// Stores a value in a free slot; returns the slot.
    mutating func insert(_ value: consuming Value) -> Int {
        makeUnique()
        let slot: Int
        if let reused = free.popLast() {
            slot = reused
        } else {
            if buffer.used == buffer.capacity { buffer = buffer.moved(capacity: buffer.capacity * 2) }
            slot = buffer.used
            buffer.used += 1
        }
        (buffer.values + slot).initialize(to: value)
        buffer.live[slot] = true
        count += 1
        return slot
    }

    /// Takes the value out of a live slot and frees the slot.
    @discardableResult
    mutating func remove(_ slot: Int) -> Value {
        precondition(buffer.live[slot], "slot \(slot) is empty")
        makeUnique()
        buffer.live[slot] = false
        free.append(slot)
        count -= 1
        return (buffer.values + slot).move()
    }

    /// The live slots, in slot order.
    var slots: [Int] { (0..<buffer.used).filter { buffer.live[$0] } }

    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&buffer) { buffer = buffer.copy(capacity: buffer.capacity) }
    }

    /// The slots' memory. Mutated only through a uniquely referenced `SlotStore`.
    private final class Buffer {
        let capacity: Int
        let values: UnsafeMutablePointer<Value>
        // Checked statically by the store (changed only when uniquely referenced): no dynamic exclusivity check
        // on every access.
        @exclusivity(unchecked) var live: [Bool]
        /// Slots ever used: those at or past it have never held a value.
        @exclusivity(unchecked) var used = 0

        init(capacity: Int) {
            self.capacity = capacity
            values = .allocate(capacity: capacity)
            live = Array(repeating: false, count: capacity)
        }

        func copy(capacity: Int) -> Buffer {
            let copy = Buffer(capacity: capacity)
            for slot in 0..<used where live[slot] { (copy.values + slot).initialize(to: values[slot]) }
            copy.live.replaceSubrange(0..<used, with: live[0..<used])
            copy.used = used
            return copy
        }

        /// A larger buffer with the values moved into it (this one is left empty); only for a unique buffer.
        func moved(capacity: Int) -> Buffer {
            let moved = Buffer(capacity: capacity)
            moved.values.moveInitialize(from: values, count: used)
            moved.live.replaceSubrange(0..<used, with: live[0..<used])
            moved.used = used
            // Empty slots were moved as uninitialized memory: nothing to do for them in either buffer.
            live = Array(repeating: false, count: capacity)
            used = 0
            return moved
        }

        deinit {
            for slot in 0..<used where live[slot] { (values + slot).deinitialize(count: 1) }
            values.deallocate()
        }
    }
}

// The buffer is only ever changed through a uniquely referenced store (copy-on-write), like an Array's.
extension SlotStore: @unchecked Sendable where Value: Sendable {}
