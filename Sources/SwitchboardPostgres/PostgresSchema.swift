/// The PostgreSQL ledger's tables: the SQLite ledger's (LedgerSchema, as of its v6), in PostgreSQL's types.
/// Times are milliseconds since the Unix epoch, bodies opaque bytes. Migrations are numbered and applied in
/// order under an advisory lock, so two daemons starting at once do not both run one; a shipped migration is
/// never edited.
enum PostgresSchema {
    /// Held (transaction-scoped) while migrating: an arbitrary constant of Switchboard's own.
    static let migrationLock: Int64 = 0x5357_4244_0001

    static let migrations: [(version: Int, name: String, sql: String)] = [
        (1, "the ledger", """
            CREATE TABLE request (
                ticket TEXT NOT NULL PRIMARY KEY,
                request_id TEXT NOT NULL UNIQUE,
                department TEXT NOT NULL,
                priority TEXT NOT NULL,
                state TEXT NOT NULL,
                attempts BIGINT NOT NULL DEFAULT 0,
                submitter TEXT NOT NULL,
                body BYTEA NOT NULL,
                worker TEXT,
                reason TEXT,
                failure TEXT,
                updates BIGINT NOT NULL DEFAULT 0,
                submitted_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                deadline BIGINT NOT NULL,
                answered_at BIGINT,
                answer BYTEA,
                finished_at BIGINT,
                sla TEXT,
                offered_at BIGINT,
                accepted_at BIGINT,
                trail BIGINT NOT NULL DEFAULT 0,
                agent TEXT,
                via TEXT
            );
            CREATE INDEX request_finished ON request(finished_at, ticket) WHERE finished_at IS NOT NULL;
            CREATE INDEX request_state ON request(state, submitted_at);
            CREATE INDEX request_agent ON request(agent, submitted_at) WHERE agent IS NOT NULL;

            CREATE TABLE request_event (
                id BIGSERIAL PRIMARY KEY,
                ticket TEXT NOT NULL REFERENCES request(ticket) ON DELETE CASCADE,
                type TEXT NOT NULL,
                at BIGINT NOT NULL,
                department TEXT,
                from_department TEXT,
                state TEXT,
                attempt BIGINT,
                worker TEXT,
                reason TEXT,
                body BYTEA,
                target TEXT
            );
            CREATE INDEX request_event_ticket ON request_event(ticket, id);
            CREATE INDEX request_event_type ON request_event(type, id);

            CREATE TABLE worker_event (
                id BIGSERIAL PRIMARY KEY,
                type TEXT NOT NULL,
                at BIGINT NOT NULL,
                worker TEXT NOT NULL,
                departments TEXT NOT NULL,
                credit BIGINT,
                reason TEXT
            );
            CREATE INDEX worker_event_at ON worker_event(at);

            CREATE TABLE audit (
                id BIGSERIAL PRIMARY KEY,
                at BIGINT NOT NULL,
                principal TEXT NOT NULL,
                kind TEXT NOT NULL,
                action TEXT NOT NULL,
                ticket TEXT,
                department TEXT,
                outcome TEXT NOT NULL,
                reason TEXT
            );
            CREATE INDEX audit_ticket ON audit(ticket, id);
            CREATE INDEX audit_at ON audit(at);

            CREATE TABLE notification (
                id BIGSERIAL PRIMARY KEY,
                ticket TEXT NOT NULL,
                type TEXT NOT NULL,
                at BIGINT NOT NULL,
                agent TEXT,
                via TEXT,
                department TEXT NOT NULL,
                payload BYTEA NOT NULL
            );
            CREATE INDEX notification_agent ON notification(agent, id) WHERE agent IS NOT NULL;
            CREATE INDEX notification_via ON notification(via, id) WHERE via IS NOT NULL;
            CREATE INDEX notification_ticket ON notification(ticket);

            CREATE TABLE webhook_delivery (
                id BIGSERIAL PRIMARY KEY,
                webhook TEXT NOT NULL,
                notification BIGINT NOT NULL REFERENCES notification(id) ON DELETE CASCADE,
                state TEXT NOT NULL DEFAULT 'pending',
                attempts BIGINT NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL,
                next_attempt_at BIGINT NOT NULL,
                delivered_at BIGINT,
                last_status BIGINT,
                last_error TEXT
            );
            CREATE INDEX webhook_delivery_pending ON webhook_delivery(next_attempt_at) WHERE state = 'pending';
            CREATE INDEX webhook_delivery_webhook ON webhook_delivery(webhook, id);

            CREATE TABLE ledger_meta (
                key TEXT NOT NULL PRIMARY KEY,
                value BIGINT NOT NULL
            );

            \(PostgresLease.tableSQL);
            """),
    ]
}
