import SwitchboardSchema
import Testing

@testable import SwitchboardCore

@Suite("TicketIssuer")
struct TicketIssuerTests {
    static let alphabet = Set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    @Test("format: T- and 13 Crockford base-32 digits")
    func format() {
        var issuer = TicketIssuer()
        let ticket = issuer.next(at: TestClock.start)
        #expect(ticket.count == 15)
        #expect(ticket.hasPrefix("T-"))
        #expect(ticket.dropFirst(2).allSatisfy { Self.alphabet.contains($0) })
        #expect(TicketIssuer.parse(ticket) == UInt64(TestClock.start.rawValue) << 16)
    }

    @Test("exact values: milliseconds << 16, plus a sequence within one millisecond")
    func exactValues() {
        var issuer = TicketIssuer()
        #expect(issuer.next(at: Timestamp(milliseconds: 0)) == "T-0000000000001")
        #expect(issuer.next(at: Timestamp(milliseconds: 0)) == "T-0000000000002")
        #expect(issuer.next(at: Timestamp(milliseconds: 1)) == "T-0000000002000")  // 65536 = 2 × 32³
        #expect(issuer.next(at: Timestamp(milliseconds: 1)) == "T-0000000002001")
        #expect(TicketIssuer.format(31) == "T-000000000000Z")
        #expect(TicketIssuer.format(UInt64.max) == "T-FZZZZZZZZZZZZ")
    }

    @Test("unique and increasing within the same millisecond")
    func uniqueWithinAMillisecond() {
        var issuer = TicketIssuer()
        let tickets = (0..<5000).map { _ in issuer.next(at: TestClock.start) }
        #expect(Set(tickets).count == 5000)
        #expect(tickets == tickets.sorted())
        let base = UInt64(TestClock.start.rawValue) << 16
        #expect(tickets.map { TicketIssuer.parse($0) } == tickets.indices.map { base + UInt64($0) })
    }

    @Test("monotonic over time, even when the clock steps back")
    func monotonic() {
        var issuer = TicketIssuer()
        let times: [Int64] = [1000, 1001, 5000, 4000, 4000, 3999, 6000]
        let tickets = times.map { issuer.next(at: TestClock.start + .milliseconds($0)) }
        #expect(Set(tickets).count == times.count)
        #expect(tickets == tickets.sorted())
        // A later millisecond jumps ahead of any sequence.
        #expect(TicketIssuer.parse(tickets.last!) == UInt64((TestClock.start + .milliseconds(6000)).rawValue) << 16)
    }

    @Test("advance(past:) makes later tickets sort after a recovered one")
    func advancePast() {
        var old = TicketIssuer()
        let recovered = old.next(at: TestClock.start + .seconds(60))

        var issuer = TicketIssuer()
        issuer.advance(past: recovered)
        let next = issuer.next(at: TestClock.start)  // the clock is behind the ledger
        #expect(next > recovered)
        #expect(TicketIssuer.parse(next) == TicketIssuer.parse(recovered)! + 1)

        // An older ticket or a malformed one does not move it back or break it.
        issuer.advance(past: "T-0000000000001")
        issuer.advance(past: "not a ticket")
        issuer.advance(past: "T-000000000000!")
        issuer.advance(past: "T-00000000000000")
        #expect(TicketIssuer.parse(issuer.next(at: TestClock.start)) == TicketIssuer.parse(recovered)! + 2)
    }

    @Test("parse is the inverse of format")
    func roundTrip() {
        for value: UInt64 in [0, 1, 31, 32, 65_535, 65_536, 1 << 40, UInt64(TestClock.start.rawValue) << 16 | 7, .max] {
            #expect(TicketIssuer.parse(TicketIssuer.format(value)) == value)
        }
        #expect(TicketIssuer.parse("T-0000000000I00") == nil)  // I is not a Crockford digit
        #expect(TicketIssuer.parse("X-0000000000000") == nil)
    }
}
