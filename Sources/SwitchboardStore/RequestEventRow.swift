import Foundation
import GRDB
import SwitchboardSchema

/// A row of the `request_event` table: one change of a request. `body` holds the body of an update or of a
/// duplicate answer (the request and its first answer live in the `request` row).
struct RequestEventRow: Codable, FetchableRecord, TableRecord {
    static let databaseTableName = "request_event"

    var id: Int64
    var ticket: String
    var type: String
    var at: Int64
    var department: String?
    var fromDepartment: String?
    var state: String?
    var attempt: Int?
    var worker: String?
    var reason: String?
    var body: Data?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, ticket, type, at, department, state, attempt, worker, reason, body
        case fromDepartment = "from_department"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let ticket = Column(CodingKeys.ticket)
        static let body = Column(CodingKeys.body)
    }

    /// The public value, without the body.
    func stored(path: String) throws -> StoredEvent {
        guard let eventType = EventType(rawValue: type) else {
            throw LedgerError.unknownValue(path: path, column: "type", value: type, ticket: ticket)
        }
        var requestState: RequestState?
        if let state {
            guard let known = RequestState(rawValue: state) else {
                throw LedgerError.unknownValue(path: path, column: "state", value: state, ticket: ticket)
            }
            requestState = known
        }
        return StoredEvent(
            id: id, type: eventType, at: Timestamp(milliseconds: at), department: department,
            fromDepartment: fromDepartment, state: requestState, attempt: attempt, worker: worker, reason: reason)
    }
}
