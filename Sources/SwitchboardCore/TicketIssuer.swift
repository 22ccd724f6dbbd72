import SwitchboardSchema

/// Issues tickets that are unique, short enough to read over the phone, and sort by submission time:
/// (milliseconds << 16 | sequence), written `T-` and 13 Crockford base-32 digits (see ``Ticket``).
public struct TicketIssuer: Sendable {
    private var last: UInt64 = 0

    public init() {}

    public mutating func next(at now: Timestamp) -> Ticket {
        let candidate = UInt64(max(0, now.rawValue)) << 16
        last = max(candidate, last + 1)
        return Ticket(rawValue: last)
    }

    /// Makes later tickets sort after `ticket` (used after recovering tickets from the ledger).
    public mutating func advance(past ticket: Ticket) {
        last = max(last, ticket.rawValue)
    }
}
