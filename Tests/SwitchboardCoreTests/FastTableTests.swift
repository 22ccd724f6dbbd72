import SwitchboardSchema
import Synchronization
import Testing

@testable import SwitchboardCore

/// The broker's tables against the standard library's: the same random inserts, replacements and removals must
/// leave the same contents, and the slots handed out must stay put.
@Suite("FastTable and SlotStore")
struct FastTableTests {
    /// A deterministic generator (SplitMix64), so a failure can be replayed.
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test("random operations leave what a Dictionary would hold", arguments: [1, 2, 3])
    func matchesDictionary(seed: UInt64) {
        var random = Random(state: seed)
        var table = FastTable<Ticket, Int>()
        var reference: [Ticket: Int] = [:]
        // A key space a few times the live count makes probe runs, removals inside them, and regrowth.
        for step in 0..<20_000 {
            let key = Ticket(rawValue: random.next(upperBound: 3_000 as UInt64) << 16)
            switch random.next(upperBound: 10 as UInt64) {
            case 0..<5:
                table.insert(step, for: key)
                reference[key] = step
            case 5..<8:
                #expect(table.remove(key) == reference.removeValue(forKey: key))
            default:
                #expect(table[key] == reference[key])
            }
        }
        #expect(table.count == reference.count)
        #expect(Dictionary(uniqueKeysWithValues: table.slots.map { ($0.key, table[slot: $0.slot]) }) == reference)
        for key in reference.keys { #expect(table.contains(key)) }
    }

    @Test("string keys: equal names, different storage, one entry")
    func stringKeys() {
        var table = FastTable<String, Int>()
        table.insert(1, for: "claims")
        let built = String(["cl", "aims"].joined())
        #expect(table[built] == 1)
        table.insert(2, for: built)
        #expect(table.count == 1)
        #expect(table["claims"] == 2)
        #expect(table["pharmacy"] == nil)
    }

    @Test("a slot stays with its value while others come and go, and a change through it is seen by key")
    func slotsAreStable() {
        var table = FastTable<Ticket, [Int]>()
        let kept = Ticket(rawValue: 7 << 16)
        let slot = table.insert([7], for: kept)
        for value in 0..<5_000 { table.insert([value], for: Ticket(rawValue: UInt64(value + 100) << 16)) }
        for value in stride(from: 0, to: 5_000, by: 2) { table.remove(Ticket(rawValue: UInt64(value + 100) << 16)) }
        #expect(table.slot(of: kept) == slot)
        table[slot: slot].append(8)
        #expect(table[kept] == [7, 8])
        #expect(table.update(kept) { $0.count } == 2)
        #expect(table.read(kept) { $0.last } == 8)
        #expect(table.update(Ticket(rawValue: 1)) { $0.count } == nil, "no such key: no change")
    }

    @Test("copies are independent (copy on write)")
    func copyOnWrite() {
        var original = FastTable<String, [Int]>()
        let slot = original.insert([1], for: "claims")
        var copy = original
        copy[slot: slot].append(2)
        copy.insert([3], for: "pharmacy")
        #expect(original["claims"] == [1])
        #expect(original["pharmacy"] == nil)
        #expect(copy["claims"] == [1, 2])
        original.remove("claims")
        #expect(copy["claims"] == [1, 2])
    }

    @Test("a freed slot is reused, and its old value is released")
    func slotReuse() {
        final class Tracked: Sendable {
            let released: @Sendable () -> Void
            init(_ released: @escaping @Sendable () -> Void) { self.released = released }
            deinit { released() }
        }
        let counter = ReleaseCounter()
        var store = SlotStore<Tracked>()
        let first = store.insert(Tracked { counter.increment() })
        _ = store.insert(Tracked { counter.increment() })
        store.remove(first)
        #expect(counter.value == 1)
        #expect(store.insert(Tracked { counter.increment() }) == first)
        #expect(store.count == 2)
        #expect(store.slots.count == 2)
        store = SlotStore()
        #expect(counter.value == 3, "the store's values are released with it")
    }
}

/// Counts releases from a value's deinit.
final class ReleaseCounter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func increment() { count.withLock { $0 += 1 } }
}

@Suite("PeerID")
struct PeerIDTests {
    @Test("identities of any length keep their bytes, and equal bytes make equal ids", arguments: [0, 1, 5, 16, 17, 255])
    func roundTrip(length: Int) {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 1) }
        let id = PeerID(bytes)
        #expect(id.bytes == bytes)
        #expect(id.count == length)
        #expect(id == PeerID(bytes[...]))
        #expect(id == PeerID(AnyCollection(bytes)))
        #expect(id.fastHash == PeerID(bytes[...]).fastHash)
        #expect(id.hex.count == 2 * length)
    }

    @Test("ids that differ in one byte, or only in length, differ")
    func distinct() {
        let five: [UInt8] = [0, 0x80, 0, 0x41, 0xA7]
        var other = five
        other[4] = 0xA8
        #expect(PeerID(five) != PeerID(other))
        #expect(PeerID(five + [0]) != PeerID(five), "a trailing zero byte is part of the identity")
        #expect(PeerID(five).fastHash != PeerID(five + [0]).fastHash)
        #expect(PeerID(five).hex == "00800041a7")
    }
}
