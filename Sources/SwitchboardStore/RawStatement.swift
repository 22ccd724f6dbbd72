import GRDB
import GRDBSQLite
import SwitchboardSchema

/// A prepared statement driven through the SQLite C API (GRDB's statement handle): parameters bound one by
/// one, without GRDB's per-execution argument arrays of existentials. Only for the ledger writer's hot path;
/// everything else goes through GRDB.
///
/// Text and blobs are copied into the statement's arena and bound from there without SQLite copying them
/// again (`SQLITE_STATIC`): the arena keeps them until the statement runs, and every parameter is bound anew
/// before each run, so SQLite never reads an old value.
struct RawStatement {
    private let handle: OpaquePointer
    private let sql: String
    private let arena: BindArena

    init(_ db: Database, _ sql: String) throws {
        handle = try db.cachedStatement(sql: sql).sqliteStatement
        self.sql = sql
        arena = BindArena()
    }

    /// SQLite copies what it is given: the values need not outlive the bind.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    /// Binds bytes kept in the arena until the statement next runs.
    private func bindStatic(_ index: Int32, text: Bool, _ bytes: UnsafeRawBufferPointer) {
        guard let stored = arena.keep(bytes) else {
            // Larger than the arena: SQLite keeps its own copy.
            if text {
                _ = sqlite3_bind_text(
                    handle, index, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), Self.transient)
            } else {
                _ = sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), Self.transient)
            }
            return
        }
        if text {
            _ = sqlite3_bind_text(handle, index, stored.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil)
        } else {
            _ = sqlite3_bind_blob(handle, index, stored, Int32(bytes.count), nil)
        }
    }

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
        value.withUTF8 { bindStatic(index, text: true, UnsafeRawBufferPointer($0)) }
    }

    func bind(_ index: Int32, ticket: Ticket) {
        ticket.withText { bindStatic(index, text: true, $0) }
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
        value.withUnsafeBytes { bindStatic(index, text: false, $0) }
    }

    /// Text given as bytes (the SLA snapshot's JSON, written into a reused buffer).
    func bind(_ index: Int32, utf8 value: [UInt8]?) {
        guard let value else {
            sqlite3_bind_null(handle, index)
            return
        }
        value.withUnsafeBytes { bindStatic(index, text: true, $0) }
    }

    /// Runs the statement with what is bound and resets it; returns the rows it changed.
    @discardableResult
    func execute(_ db: Database) throws -> Int {
        let code = sqlite3_step(handle)
        defer {
            sqlite3_reset(handle)
            // No binding may outlive the arena's bytes.
            sqlite3_clear_bindings(handle)
            arena.clear()
        }
        guard code == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                sql: sql)
        }
        return Int(sqlite3_changes(db.sqliteConnection))
    }
}

/// Memory a statement's text and blob parameters are copied into, reused from one run to the next. Owned by
/// one statement of the ledger writer's connection: one thread.
final class BindArena {
    private static let capacity = 16 * 1024
    private let base = UnsafeMutableRawPointer.allocate(byteCount: BindArena.capacity, alignment: 8)
    private var used = 0

    /// A copy of `bytes` in the arena, or nil if it has no room left.
    func keep(_ bytes: UnsafeRawBufferPointer) -> UnsafeMutableRawPointer? {
        guard used + bytes.count <= BindArena.capacity else { return nil }
        let target = base + used
        if let source = bytes.baseAddress, !bytes.isEmpty { target.copyMemory(from: source, byteCount: bytes.count) }
        used += bytes.count
        return target
    }

    func clear() { used = 0 }

    deinit { base.deallocate() }
}
