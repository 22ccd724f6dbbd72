import Foundation
import GRDB
import SwitchboardCore
import SwitchboardSchema

/// A row of the `request` table. Written by ``ChangeWriter`` with prepared statements; read with this record.
struct RequestRow: Codable, FetchableRecord, TableRecord {
    static let databaseTableName = "request"

    var ticket: String
    var requestID: String
    var department: String
    var priority: String
    var state: String
    var attempts: Int
    var submitter: String
    var body: Data
    var worker: String?
    var reason: String?
    var failure: String?
    var updates: Int
    var submittedAt: Int64
    var updatedAt: Int64
    var deadline: Int64
    var answeredAt: Int64?
    var answer: Data?
    var finishedAt: Int64?
    var sla: String?
    var agent: String?
    var via: String?

    enum CodingKeys: String, CodingKey {
        case ticket, department, priority, state, attempts, submitter, body, worker, reason, failure, updates
        case deadline, answer, sla, agent, via
        case requestID = "request_id"
        case submittedAt = "submitted_at"
        case updatedAt = "updated_at"
        case answeredAt = "answered_at"
        case finishedAt = "finished_at"
    }

    enum Columns {
        static let ticket = Column(CodingKeys.ticket)
        static let requestID = Column(CodingKeys.requestID)
        static let state = Column(CodingKeys.state)
        static let finishedAt = Column(CodingKeys.finishedAt)
    }

    /// The columns every fetch of this record selects, in the order ``init(row:)`` reads them by position.
    static var databaseSelection: [any SQLSelectable] {
        [
            CodingKeys.ticket, .requestID, .department, .priority, .state, .attempts, .submitter, .body, .worker,
            .reason, .failure, .updates, .submittedAt, .updatedAt, .deadline, .answeredAt, .answer, .finishedAt,
            .sla, .agent, .via,
        ].map { Column($0.stringValue) }
    }

    /// Read by position (the order of ``databaseSelection``), without Codable's machinery or a look-up of
    /// each column's name: recovery reads 100,000 rows at start.
    init(row: Row) throws {
        ticket = row[0]
        requestID = row[1]
        department = row[2]
        priority = row[3]
        state = row[4]
        attempts = row[5]
        submitter = row[6]
        body = row[7] ?? Data()
        worker = row[8]
        reason = row[9]
        failure = row[10]
        updates = row[11]
        submittedAt = row[12]
        updatedAt = row[13]
        deadline = row[14]
        answeredAt = row[15]
        answer = row[16]
        finishedAt = row[17]
        sla = row[18]
        agent = row[19]
        via = row[20]
    }

    /// The public value; `path` names the ledger in the error for a value this version does not know.
    func stored(path: String) throws -> StoredRequest {
        guard let priority = Priority(rawValue: priority) else {
            throw LedgerError.unknownValue(path: path, column: "priority", value: priority, ticket: ticket)
        }
        guard let state = RequestState(rawValue: state) else {
            throw LedgerError.unknownValue(path: path, column: "state", value: state, ticket: ticket)
        }
        return StoredRequest(
            ticket: ticket, requestID: requestID, department: department, priority: priority, state: state,
            attempts: attempts, submitter: submitter, body: [UInt8](body), worker: worker, reason: reason,
            failure: failure, updates: updates, submittedAt: Timestamp(milliseconds: submittedAt),
            updatedAt: Timestamp(milliseconds: updatedAt), deadline: Timestamp(milliseconds: deadline),
            answeredAt: answeredAt.map(Timestamp.init(milliseconds:)), answer: answer.map { [UInt8]($0) },
            finishedAt: finishedAt.map(Timestamp.init(milliseconds:)),
            sla: sla.flatMap { try? SLASnapshot.decode(json: Array($0.utf8)) }, agent: agent, via: via)
    }
}
