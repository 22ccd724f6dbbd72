import Logging
import PostgresNIO

/// The leader lease of the daemons that share one PostgreSQL ledger (issue 16): one row, whose holder leads
/// until `expires_at`, and a fencing token that grows by one at every change of leader.
///
/// Time is the database's (`clock_timestamp()`), never a daemon's: two machines' clocks need not agree. A
/// leader renews well within the lease; a standby takes the lease only once it has expired, and the new term
/// gets the next token. Every ledger commit runs ``fence(_:on:logger:)`` first, in its own transaction: it
/// fails unless the token still holds an unexpired lease, and it locks the lease row (`FOR SHARE`), so a
/// takeover waits for a commit in flight and a commit never lands after a takeover. A leader that was paused
/// past its lease (SIGSTOP, a long GC-like stall, a partition) therefore cannot commit anything when it wakes.
public struct PostgresLease: Sendable {
    /// Who leads now, as the database sees it.
    public struct Holder: Sendable, Equatable {
        public var name: String
        public var token: Int64
        /// Milliseconds until the lease expires (negative: expired, nobody leads).
        public var remainingMilliseconds: Int64

        public init(name: String, token: Int64, remainingMilliseconds: Int64) {
            self.name = name
            self.token = token
            self.remainingMilliseconds = remainingMilliseconds
        }
    }

    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The lease's table; the ledger's schema creates it too (PostgresSchema).
    static let tableSQL = """
        CREATE TABLE IF NOT EXISTS switchboard_leader (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            holder TEXT NOT NULL,
            token BIGINT NOT NULL,
            expires_at TIMESTAMPTZ NOT NULL
        )
        """

    /// Creates the lease's table if it is not there (idempotent), for a database without the ledger's schema.
    public func prepare() async throws {
        try await client.query(PostgresQuery(unsafeSQL: Self.tableSQL), logger: logger)
    }

    /// Takes the lease for `holder` if nobody holds an unexpired one; returns the new term's token, or nil if
    /// someone (`holder` itself included: use ``renew(holder:token:for:)``) still leads.
    public func acquire(holder: String, for lease: Duration) async throws -> Int64? {
        let milliseconds = Self.milliseconds(lease)
        let rows = try await client.query(
            """
            INSERT INTO switchboard_leader AS l (id, holder, token, expires_at)
            VALUES (1, \(holder), 1, clock_timestamp() + \(milliseconds)::bigint * interval '1 millisecond')
            ON CONFLICT (id) DO UPDATE
                SET holder = EXCLUDED.holder, token = l.token + 1, expires_at = EXCLUDED.expires_at
                WHERE l.expires_at <= clock_timestamp()
            RETURNING token
            """, logger: logger)
        for try await token in rows.decode(Int64.self) { return token }
        return nil
    }

    /// Extends the lease of `holder`'s term `token`; false if it has expired or another term began (the caller
    /// no longer leads and must stop at once).
    public func renew(holder: String, token: Int64, for lease: Duration) async throws -> Bool {
        let milliseconds = Self.milliseconds(lease)
        let rows = try await client.query(
            """
            UPDATE switchboard_leader
            SET expires_at = clock_timestamp() + \(milliseconds)::bigint * interval '1 millisecond'
            WHERE id = 1 AND holder = \(holder) AND token = \(token) AND expires_at > clock_timestamp()
            RETURNING token
            """, logger: logger)
        for try await _ in rows.decode(Int64.self) { return true }
        return false
    }

    /// Ends `holder`'s term now (a graceful stop): a standby takes over at its next try, not a lease later.
    public func release(holder: String, token: Int64) async throws {
        try await client.query(
            """
            UPDATE switchboard_leader SET expires_at = clock_timestamp()
            WHERE id = 1 AND holder = \(holder) AND token = \(token)
            """, logger: logger)
    }

    /// The current holder, if a lease was ever taken.
    public func current() async throws -> Holder? {
        let rows = try await client.query(
            """
            SELECT holder, token, (extract(epoch FROM (expires_at - clock_timestamp())) * 1000)::bigint
            FROM switchboard_leader WHERE id = 1
            """, logger: logger)
        for try await (name, token, remaining) in rows.decode((String, Int64, Int64).self) {
            return Holder(name: name, token: token, remainingMilliseconds: remaining)
        }
        return nil
    }

    /// The first statement of every fenced transaction: throws ``LeaseLost`` unless term `token` still holds an
    /// unexpired lease, and keeps the lease row locked until the transaction ends (no takeover in between).
    public static func fence(_ token: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        let rows = try await connection.query(fenceQuery(token), logger: logger)
        for try await _ in rows.decode(Int64.self) { return }
        throw LeaseLost(token: token)
    }

    /// Runs `body` in a transaction fenced by term `token`: committed only if the term still leads, else rolled
    /// back with ``LeaseLost`` (unwrapped from PostgresNIO's transaction error, so callers can tell it apart).
    public static func fencedTransaction<T: Sendable>(
        _ token: Int64, client: PostgresClient, logger: Logger,
        _ body: @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await fence(token, on: connection, logger: logger)
                return try await body(connection)
            }
        } catch let error as PostgresTransactionError {
            if let lost = error.closureError as? LeaseLost { throw lost }
            throw error
        }
    }

    /// The fence's query: one row while term `token` holds an unexpired lease, which it locks until the
    /// transaction ends (`FOR SHARE`: commits of the same term do not wait on each other; a takeover waits).
    static func fenceQuery(_ token: Int64) -> PostgresQuery {
        "SELECT token FROM switchboard_leader WHERE id = 1 AND token = \(token) AND expires_at > clock_timestamp() FOR SHARE"
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}

/// A fenced commit (or a renewal) found that this daemon's term is over: another daemon leads now, or the
/// lease expired. Nothing of the transaction was written; the daemon must stop serving as leader.
public struct LeaseLost: Error, CustomStringConvertible {
    public var token: Int64
    public var description: String {
        "the leader lease of term \(token) is lost (expired, or another daemon took over): nothing was committed"
    }
}
