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
        #expect(ticket.text.count == 15)
        #expect(ticket.text.hasPrefix("T-"))
        #expect(ticket.text.dropFirst(2).allSatisfy { Self.alphabet.contains($0) })
        #expect(ticket.rawValue == UInt64(TestClock.start.rawValue) << 16)
        #expect(Ticket(ticket.text) == ticket)
    }

    @Test("exact values: milliseconds << 16, plus a sequence within one millisecond")
    func exactValues() {
        var issuer = TicketIssuer()
        #expect(issuer.next(at: Timestamp(milliseconds: 0)).text == "T-0000000000001")
        #expect(issuer.next(at: Timestamp(milliseconds: 0)).text == "T-0000000000002")
        #expect(issuer.next(at: Timestamp(milliseconds: 1)).text == "T-0000000002000")  // 65536 = 2 × 32³
        #expect(issuer.next(at: Timestamp(milliseconds: 1)).text == "T-0000000002001")
        #expect(Ticket(rawValue: 31).text == "T-000000000000Z")
        #expect(Ticket(rawValue: .max).text == "T-FZZZZZZZZZZZZ")
    }

    @Test("unique and increasing within the same millisecond")
    func uniqueWithinAMillisecond() {
        var issuer = TicketIssuer()
        let tickets = (0..<5000).map { _ in issuer.next(at: TestClock.start) }
        #expect(Set(tickets).count == 5000)
        #expect(tickets == tickets.sorted())
        #expect(tickets.map(\.text) == tickets.map(\.text).sorted(), "the text sorts as the value does")
        let base = UInt64(TestClock.start.rawValue) << 16
        #expect(tickets.map(\.rawValue) == tickets.indices.map { base + UInt64($0) })
    }

    @Test("monotonic over time, even when the clock steps back")
    func monotonic() {
        var issuer = TicketIssuer()
        let times: [Int64] = [1000, 1001, 5000, 4000, 4000, 3999, 6000]
        let tickets = times.map { issuer.next(at: TestClock.start + .milliseconds($0)) }
        #expect(Set(tickets).count == times.count)
        #expect(tickets == tickets.sorted())
        // A later millisecond jumps ahead of any sequence.
        #expect(tickets.last!.rawValue == UInt64((TestClock.start + .milliseconds(6000)).rawValue) << 16)
    }

    @Test("advance(past:) makes later tickets sort after a recovered one")
    func advancePast() {
        var old = TicketIssuer()
        let recovered = old.next(at: TestClock.start + .seconds(60))

        var issuer = TicketIssuer()
        issuer.advance(past: recovered)
        let next = issuer.next(at: TestClock.start)  // the clock is behind the ledger
        #expect(next > recovered)
        #expect(next.rawValue == recovered.rawValue + 1)

        // An older ticket does not move it back.
        issuer.advance(past: Ticket(rawValue: 1))
        #expect(issuer.next(at: TestClock.start).rawValue == recovered.rawValue + 2)
    }

    @Test("parsing is the inverse of formatting, and refuses what no ticket looks like")
    func roundTrip() {
        for value: UInt64 in [0, 1, 31, 32, 65_535, 65_536, 1 << 40, UInt64(TestClock.start.rawValue) << 16 | 7, .max] {
            #expect(Ticket(Ticket(rawValue: value).text)?.rawValue == value)
            #expect(Ticket(text: Ticket(rawValue: value).bytes)?.rawValue == value)
        }
        for text in [
            "T-0000000000I00",  // I is not a Crockford digit
            "X-0000000000000", "T_0000000000000", "T-000000000000", "T-00000000000000", "t-0000000000000",
            "T-000000000000z",  // issued tickets are upper case
            "T-G000000000000",  // more than 64 bits
            "", "not a ticket",
        ] {
            #expect(Ticket(text) == nil, "\(text)")
        }
    }
}
