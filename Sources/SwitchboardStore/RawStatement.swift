import GRDB
import GRDBSQLite
import SwitchboardSchema

/// A prepared statement driven through the SQLite C API (GRDB's statement handle): parameters bound one by
/// one, without GRDB's per-execution argument arrays of existentials. Only for the ledger writer's hot path;
/// everything else goes through GRDB.
struct RawStatement {
    private let handle: OpaquePointer
    private let sql: String

    init(_ db: Database, _ sql: String) throws {
        handle = try db.cachedStatement(sql: sql).sqliteStatement
        self.sql = sql
    }

    /// SQLite copies what it is given: the values need not outlive the bind.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, _ value: Int?) {
        bind(index, value.map(Int64.init))
    }

    func bind(_ index: Int32, _ value: Bool) {
        sqlite3_bind_int64(handle, index, value ? 1 : 0)
    }

    func bind(_ index: Int32, _ value: Timestamp?) {
        bind(index, value?.rawValue)
    }

    func bind(_ index: Int32, _ value: String?) {
        guard var value else {
            sqlite3_bind_null(handle, index)
            return
        }
        value.withUTF8 { text in
            _ = text.withMemoryRebound(to: CChar.self) {
                sqlite3_bind_text(handle, index, $0.baseAddress, Int32($0.count), RawStatement.transient)
            }
        }
    }

    func bind(_ index: Int32, ticket: Ticket) {
        ticket.withText { text in
            _ = sqlite3_bind_text(
                handle, index, text.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(text.count), RawStatement.transient)
        }
    }

    /// A blob; an empty one is stored as an empty blob, not NULL (the `body` column is NOT NULL).
    func bind(_ index: Int32, blob value: [UInt8]?) {
        guard let value else {
            sqlite3_bind_null(handle, index)
            return
        }
        if value.isEmpty {
            sqlite3_bind_zeroblob(handle, index, 0)
            return
        }
        value.withUnsafeBytes { bytes in
            _ = sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), RawStatement.transient)
        }
    }

    /// Text given as bytes (the SLA snapshot's JSON, written into a reused buffer).
    func bind(_ index: Int32, utf8 value: [UInt8]?) {
        guard let value else {
            sqlite3_bind_null(handle, index)
            return
        }
        value.withUnsafeBytes { bytes in
            _ = sqlite3_bind_text(
                handle, index, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count),
                RawStatement.transient)
        }
    }

    /// Runs the statement with what is bound and resets it; returns the rows it changed.
    @discardableResult
    func execute(_ db: Database) throws -> Int {
        let code = sqlite3_step(handle)
        defer { sqlite3_reset(handle) }
        guard code == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                sql: sql)
        }
        return Int(sqlite3_changes(db.sqliteConnection))
    }
}
