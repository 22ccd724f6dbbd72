import SwitchboardSchema

/// The tickets a worker holds: a set with the cheap ticket hash of ``FastTable`` (a `Set<Ticket>` runs SipHash
/// on every offer and every answer).
struct TicketSet: Sendable, Sequence {
    private var table = FastTable<Ticket, Void>()

    var count: Int { table.count }

    var isEmpty: Bool { table.isEmpty }

    func contains(_ ticket: Ticket) -> Bool { table.contains(ticket) }

    mutating func insert(_ ticket: Ticket) {
        table.insert((), for: ticket)
    }

    @discardableResult
    mutating func remove(_ ticket: Ticket) -> Ticket? {
        table.remove(ticket) == nil ? nil : ticket
    }

    /// In no particular order: sort for anything a peer or an operator sees.
    func makeIterator() -> IndexingIterator<[Ticket]> { table.allKeys.makeIterator() }
}
