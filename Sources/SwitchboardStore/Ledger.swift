import Foundation
import CSQLiteTuning
import GRDB

/// The durable request ledger: every request, every change of its state, and worker comings and goings,
/// in one SQLite database (`<directory>/switchboard.sqlite`, WAL) through GRDB.
///
/// Threading: thread-safe (GRDB serializes writes on one connection and reads on a small pool of
/// snapshot readers), but every call blocks the calling thread on the disk. Call it from the ledger writer
/// thread (or at start-up), never from the broker thread nor from a task of the cooperative pool.
/// ``apply(_:)`` is meant for one writer thread: each call is one transaction, in call order.
public final class Ledger: LedgerStore {
    /// The database file (`:memory:` for ``init(inMemoryForTesting:)``).
    public let path: String
    /// The database. A `DatabasePool` (WAL) on a file; a `DatabaseQueue` in memory for tests.
    let writer: any DatabaseWriter
    /// Held while the ledger is open; nil in memory.
    private let lock: DirectoryLock?

    /// How long a write waits for a lock held by another connection before it fails (SQLITE_BUSY).
    /// Short: the flock keeps other daemons out, so only an operator's sqlite3 shell could hold one.
    static let busyTimeout: Double = 0.5
    /// File name of the database in the data directory.
    public static let fileName = "switchboard.sqlite"

    /// Opens or creates `<directory>/switchboard.sqlite` (creating the directory), in WAL mode, checks it
    /// (`PRAGMA quick_check`, which reads the whole file: seconds for a ledger of gigabytes), applies
    /// migrations, and takes an exclusive advisory lock (`flock` on `<directory>/switchboard.sqlite.lock`,
    /// held until ``close()`` or deinit) so two daemons can't share a ledger.
    ///
    /// Throws ``LedgerError`` naming the file or directory and the cause: the directory cannot be created or
    /// written, the ledger is locked by another process, the file is not a SQLite database or is corrupt, or
    /// was written by a newer version. A bad file is never recreated nor overwritten.
    public init(directory: String, durability: Durability = .fsync) throws(LedgerError) {
        let directory = directory.isEmpty ? "." : directory
        let path = (directory.hasSuffix("/") ? directory : directory + "/") + Ledger.fileName
        try DataDirectory.prepare(directory)
        let lock = try DirectoryLock(path: path + ".lock", databasePath: path)
        try DatabaseFile.prepare(path)
        do {
            // Checked on a plain connection first: opening the pool in WAL mode may write to the file.
            try Ledger.check(path: path)
            var configuration = Ledger.configuration()
            configuration.maximumReaderCount = 2
            let pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB sets synchronous = NORMAL when it switches to WAL; the writer connection is the one that counts.
            // The WAL is truncated back to 64 MiB after checkpoints, so one burst does not keep a huge file.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = \(durability.synchronous)")
                try db.execute(sql: "PRAGMA journal_size_limit = \(64 << 20)")
            }
            try LedgerSchema.migrator.migrate(pool)
            self.writer = pool
        } catch let error as LedgerError {
            throw error
        } catch let error as DatabaseError {
            throw LedgerError.database(path, error)
        } catch {
            throw LedgerError(path: path, reason: "cannot open the ledger: \(error)")
        }
        self.path = path
        self.lock = lock
    }

    /// Opens an existing ledger for reading only (reports, from another process while the daemon runs): no
    /// lock, no migrations, no writes. Throws if there is no ledger there or it cannot be read.
    public init(readingFrom directory: String) throws(LedgerError) {
        let directory = directory.isEmpty ? "." : directory
        let path = (directory.hasSuffix("/") ? directory : directory + "/") + Ledger.fileName
        do {
            var configuration = Ledger.configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            let known = try queue.read { db in try LedgerSchema.migrator.appliedIdentifiers(db) }
            guard known.contains("v1: requests and events") else {
                throw LedgerError(path: path, reason: "no ledger here (its tables are missing); check the data directory")
            }
            self.writer = queue
        } catch let error as LedgerError {
            throw error
        } catch let error as DatabaseError {
            throw LedgerError.database(path, error)
        } catch {
            throw LedgerError(path: path, reason: "cannot read the ledger: \(error)")
        }
        self.path = path
        self.lock = nil
    }

    /// A fresh ledger in memory, for tests: no file, no lock.
    public init(inMemoryForTesting: ()) throws {
        let queue = try DatabaseQueue(configuration: Ledger.configuration())
        try LedgerSchema.migrator.migrate(queue)
        self.writer = queue
        self.path = ":memory:"
        self.lock = nil
    }

    /// Moves everything committed from the write-ahead log into the database file and empties the log, so that
    /// the file alone holds the ledger (a copy of it after a clean stop is complete). Fails while a reader is
    /// in the middle of a read; the log is then left as it is, which loses nothing.
    public func checkpoint() throws {
        do {
            try writer.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        } catch let error as DatabaseError {
            throw LedgerError.database(path, error)
        }
    }

    /// Closes the database and releases the lock. Later calls throw. Idempotent.
    public func close() throws {
        do {
            try writer.close()
        } catch let error as DatabaseError {
            throw LedgerError.database(path, error)
        }
        lock?.release()
    }

    deinit {
        // Close the connections before letting another daemon in.
        try? writer.close()
        lock?.release()
    }

    /// Runs `body`, turning an SQLite error into a ``LedgerError`` that names the file and says what it means.
    func reportingErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw LedgerError.database(path, error)
        }
    }

    /// SQLite set up for the ledger's use before its first connection: no memory statistics (a global mutex
    /// on every allocation).
    private static let sqliteTuned: Void = { _ = switchboard_sqlite_disable_memstatus() }()

    static func configuration() -> Configuration {
        _ = sqliteTuned
        var configuration = Configuration()
        configuration.label = "switchboard.ledger"
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(busyTimeout)
        return configuration
    }

    /// Refuses a damaged file, someone else's database, and a ledger from a newer version, before migrating.
    private static func check(path: String) throws {
        let queue = try DatabaseQueue(path: path, configuration: configuration())
        defer { try? queue.close() }
        try queue.inDatabase { db in
            let problems = try String.fetchAll(db, sql: "PRAGMA quick_check(5)")
            if problems != ["ok"] {
                let lines = problems.flatMap { $0.split(separator: "\n") }.filter { !$0.hasPrefix("***") }
                throw LedgerError.corrupt(path, "quick_check: " + lines.joined(separator: "; "))
            }
            let tables = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name
                """)
            if !tables.isEmpty && !tables.contains("grdb_migrations") {
                throw LedgerError.notALedger(path, tables: tables)
            }
            let migrator = LedgerSchema.migrator
            if try migrator.hasBeenSuperseded(db) {
                let unknown = try migrator.appliedIdentifiers(db).subtracting(migrator.migrations).sorted()
                throw LedgerError.newerLedger(path, unknown: unknown)
            }
        }
    }
}
