import GRDB

/// A row of the `worker_event` table: a worker joined, left or was lost. `departments` is comma-separated
/// (department names never contain a comma).
struct WorkerEventRow: Codable, FetchableRecord, TableRecord, Equatable {
    static let databaseTableName = "worker_event"

    var id: Int64
    var type: String
    var at: Int64
    var worker: String
    var departments: String
    var credit: Int?
    var reason: String?

    enum Columns {
        static let id = Column("id")
        static let at = Column("at")
    }
}
