import Foundation
import Logging
import PostgresNIO
import NIOCore
import NIOConcurrencyHelpers
import NIOPosix
import NIOSSL
import SwitchboardCore
import SwitchboardSchema
import SwitchboardStore

/// The request ledger on PostgreSQL, for an active/standby pair of daemons (issue 16): the same tables,
/// group commits and reads as the SQLite ``Ledger``, behind the same ``LedgerStore`` interface and the same
/// tests. PostgreSQL's own replication (a streaming replica, Patroni) keeps the ledger from being the single
/// point of failure; deploy/OPERATIONS.md says how.
///
/// Every write is one transaction. Once ``fence(term:)`` has been called (the daemon won the leader lease),
/// every write transaction first checks that the term still holds the lease (``PostgresLease/fence(_:on:logger:)``),
/// so a leader paused past its lease commits nothing when it wakes: its write throws ``LeaseLost``.
///
/// Threading: the calls block their thread until PostgreSQL answers (on NIO futures, never on the cooperative
/// pool): call them from the ledger writer thread or a queue of their own, not from an event loop. Writes go
/// through one connection, reads through another, each reconnected when it was lost.
public final class PostgresLedger: LedgerStore {
    public let path: String
    public let location: PostgresLocation
    let logger: Logger
    private let writer: PostgresSession
    private let reader: PostgresSession
    /// The leader's term; nil until fenced (a ledger no election guards: tests and the bench).
    private let term = NIOLockedValueBox<Int64?>(nil)

    /// Connects to the database at `location` and brings its tables up to date (creating them on a new
    /// database). `idleTransactionTimeout` is set on every session (`idle_in_transaction_session_timeout`):
    /// a session paused inside a transaction (its daemon stopped) is ended by the server, so it cannot hold
    /// the lease row, or anything else, for ever.
    ///
    /// Throws ``LedgerError`` naming the database and the cause. Blocks; see the type's threading note.
    /// With `readingOnly` (reports from another process, such as `switchboard sla report`), nothing is created
    /// or migrated: a database without the ledger's tables, or migrated by a newer version, is refused.
    public init(
        location: PostgresLocation, idleTransactionTimeout: Duration = .seconds(5), readingOnly: Bool = false,
        logger: Logger
    ) throws {
        self.location = location
        self.path = location.description
        self.logger = logger
        let configuration: PostgresConnection.Configuration
        do {
            configuration = try location.connectionConfiguration(sessionSettings: [
                ("idle_in_transaction_session_timeout", "\(PostgresLease.milliseconds(idleTransactionTimeout))"),
                ("application_name", "switchboardd"),
            ])
        } catch {
            throw LedgerError(path: location.description, reason: "cannot set up the connection: \(error)")
        }
        writer = PostgresSession(configuration: configuration, logger: logger)
        reader = PostgresSession(configuration: configuration, logger: logger)
        do {
            try writer.with { connection in
                if readingOnly {
                    try Self.check(connection, path: location.description, logger: logger)
                } else {
                    try Self.migrate(connection, path: location.description, logger: logger)
                }
            }
        } catch {
            writer.close()
            throw ledgerError(error, doing: "open the ledger")
        }
    }

    /// From now on every write is fenced by leader term `token` (see ``PostgresLease``).
    public func fence(term token: Int64) {
        term.withLockedValue { $0 = token }
    }

    /// The term fencing the writes, if any.
    public var fencingTerm: Int64? { term.withLockedValue { $0 } }

    public func checkpoint() throws {}

    public func close() throws {
        writer.close()
        reader.close()
    }

    deinit {
        writer.close()
        reader.close()
    }

    // MARK: Running statements

    /// Runs `body` on the read connection, blocking the caller (see the type's threading note).
    func reading<T>(_ body: (PostgresConnection, Logger) throws -> T) throws -> T {
        do {
            return try reader.with { connection in try body(connection, logger) }
        } catch {
            throw ledgerError(error, doing: "read the ledger")
        }
    }

    /// Runs `body` in one transaction on the write connection, fenced by the leader's term once there is one;
    /// blocks the caller. Throws ``LeaseLost`` (nothing written) if the term no longer holds the lease.
    func writing<T>(_ body: (PostgresConnection, Logger) throws -> T) throws -> T {
        let token = fencingTerm
        do {
            return try writer.with { connection in
                let begin = connection.query("BEGIN", logger: logger)
                let fence = token.map { connection.query(PostgresLease.fenceQuery($0), logger: logger) }
                do {
                    _ = try begin.wait()
                    if let token, let fence, try fence.wait().rows.isEmpty { throw LeaseLost(token: token) }
                    let result = try body(connection, logger)
                    try connection.execute("COMMIT", logger: logger)
                    return result
                } catch {
                    try? connection.execute("ROLLBACK", logger: logger)
                    throw error
                }
            }
        } catch let lost as LeaseLost {
            throw lost
        } catch {
            throw ledgerError(error, doing: "write the ledger")
        }
    }

    /// An error as a ``LedgerError`` naming the database, with PostgreSQL's own message when it sent one.
    func ledgerError(_ error: any Error, doing what: String) -> any Error {
        if error is LedgerError || error is LeaseLost { return error }
        if let psql = error as? PSQLError {
            if let server = psql.serverInfo, let message = server[.message] {
                let code = server[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return LedgerError(path: path, reason: "cannot \(what): \(message)\(code)")
            }
            return LedgerError(
                path: path, reason: "cannot \(what): \(psql.code) (is PostgreSQL running at \(location.host):\(location.port)?)")
        }
        return LedgerError(path: path, reason: "cannot \(what): \(error)")
    }

    /// Refuses a database that holds no ledger, or one a newer version migrated, without changing anything.
    private static func check(_ connection: PostgresConnection, path: String, logger: Logger) throws {
        let exists = try connection.query("SELECT to_regclass('switchboard_schema') IS NOT NULL", logger: logger).wait().rows
        guard let row = exists.first, try PostgresCells(row)(0, as: Bool.self) else {
            throw LedgerError(path: path, reason: "no ledger here (its tables are missing); check the URL's database")
        }
        _ = try appliedVersions(connection, path: path, logger: logger)
    }

    /// The schema versions applied to the database; throws if any is unknown to this version.
    private static func appliedVersions(_ connection: PostgresConnection, path: String, logger: Logger) throws -> Set<Int> {
        var applied: Set<Int> = []
        for row in try connection.query("SELECT version FROM switchboard_schema", logger: logger).wait().rows {
            applied.insert(try PostgresCells(row)(0))
        }
        let unknown = applied.subtracting(PostgresSchema.migrations.map(\.version)).sorted()
        guard unknown.isEmpty else {
            throw LedgerError(
                path: path,
                reason: "the ledger was migrated by a newer switchboardd (schema versions \(unknown.map(String.init).joined(separator: ", ")) are unknown here); run that version")
        }
        return applied
    }

    /// Brings the tables up to date under the migration lock; refuses a database a newer version migrated.
    private static func migrate(_ connection: PostgresConnection, path: String, logger: Logger) throws {
        try connection.execute("BEGIN", logger: logger)
        do {
            try connection.execute("SELECT pg_advisory_xact_lock(\(PostgresSchema.migrationLock))", logger: logger)
            try connection.execute(
                "CREATE TABLE IF NOT EXISTS switchboard_schema (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                logger: logger)
            let applied = try appliedVersions(connection, path: path, logger: logger)
            for migration in PostgresSchema.migrations where !applied.contains(migration.version) {
                for statement in migration.sql.components(separatedBy: ";\n") {
                    let sql = statement.trimmingCharacters(in: .whitespacesAndNewlines)
                    guard !sql.isEmpty else { continue }
                    try connection.execute(sql, logger: logger)
                }
                _ = try connection.query(
                    PostgresStatement(
                        "INSERT INTO switchboard_schema (version, name) VALUES (?, ?)",
                        [.int(migration.version), .text(migration.name)]).query,
                    logger: logger
                ).wait()
            }
            try connection.execute("COMMIT", logger: logger)
        } catch {
            try? connection.execute("ROLLBACK", logger: logger)
            throw error
        }
    }
}

/// One connection used by one thread at a time (a lock around each use), opened at first use and again after
/// it was lost.
final class PostgresSession: @unchecked Sendable {
    private let configuration: PostgresConnection.Configuration
    private let logger: Logger
    private let lock = NIOLock()
    private var connection: PostgresConnection?
    private var nextID = 0

    init(configuration: PostgresConnection.Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    func with<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try lock.withLock {
            if connection == nil || connection!.isClosed {
                nextID += 1
                connection = try PostgresConnection.connect(
                    on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: nextID, logger: logger
                ).wait()
            }
            return try body(connection!)
        }
    }

    func close() {
        lock.withLock {
            if let connection { try? connection.close().wait() }
            connection = nil
        }
    }
}

extension PostgresConnection {
    /// Runs one statement without parameters, its rows ignored.
    func execute(_ sql: String, logger: Logger) throws {
        _ = try query(PostgresQuery(unsafeSQL: sql), logger: logger).wait()
    }
}

extension PostgresLedger {
    /// For tests: runs `sql` and returns its rows, every column read as text (cast in the SQL what is not).
    package func rawRows(_ sql: String) throws -> [[String?]] {
        try reading { connection, logger in
            try connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).wait().rows.map { row in
                try row.map { cell in try cell.decode(String?.self, context: .default) }
            }
        }
    }

    /// For tests: runs statements (each ending its line with `;`) outside the ledger's own writes.
    package func rawExecute(_ sql: String) throws {
        try reading { connection, logger in
            for statement in sql.components(separatedBy: ";\n") { try connection.execute(statement, logger: logger) }
        }
    }
}
