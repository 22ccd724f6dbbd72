import Foundation
import GRDB
import SwitchboardSchema

extension Ledger {
    /// What the department and the agent told each other of a ticket besides its answer: its interim updates,
    /// the questions it asked and the agent's replies, oldest first, bodies included (for the ticket's own agent
    /// only).
    public func messages(ticket: String) throws -> [(type: EventType, at: Timestamp, body: [UInt8])] {
        try reportingErrors {
            try writer.read { db in
                try Row.fetchAll(
                    db,
                    sql: "SELECT type, at, body FROM request_event WHERE ticket = ? AND type IN (?, ?, ?) ORDER BY id",
                    arguments: [
                        ticket, EventType.requestUpdated.rawValue, EventType.requestWaitingOnAgent.rawValue,
                        EventType.requestInfoReceived.rawValue,
                    ]
                ).compactMap { row in
                    guard let type = EventType(rawValue: row[0]) else { return nil }
                    let body: Data? = row[2]
                    return (type, Timestamp(milliseconds: row[1]), [UInt8](body ?? Data()))
                }
            }
        }
    }
}
