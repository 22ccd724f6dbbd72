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

    enum CodingKeys: String, CodingKey {
        case ticket, department, priority, state, attempts, submitter, body, worker, reason, failure, updates
        case deadline, answer, sla
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

    /// Read by column name, without Codable's machinery: recovery reads 100,000 rows at start.
    init(row: Row) throws {
        ticket = row["ticket"]
        requestID = row["request_id"]
        department = row["department"]
        priority = row["priority"]
        state = row["state"]
        attempts = row["attempts"]
        submitter = row["submitter"]
        body = row["body"] ?? Data()
        worker = row["worker"]
        reason = row["reason"]
        failure = row["failure"]
        updates = row["updates"]
        submittedAt = row["submitted_at"]
        updatedAt = row["updated_at"]
        deadline = row["deadline"]
        answeredAt = row["answered_at"]
        answer = row["answer"]
        finishedAt = row["finished_at"]
        sla = row["sla"]
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
            sla: sla.flatMap { try? SLASnapshot.decode(json: Array($0.utf8)) })
    }
}
