import GRDB

/// The ledger's tables, as string-named migrations. A migration that has shipped is never edited:
/// changes come as new migrations appended to the list.
enum LedgerSchema {
    /// Every migration, in order.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: requests and events") { db in
            // Times are milliseconds since the Unix epoch (UTC). Bodies and answers are opaque bytes.
            try db.execute(sql: """
                CREATE TABLE request (
                    ticket TEXT NOT NULL PRIMARY KEY,
                    request_id TEXT NOT NULL UNIQUE,
                    department TEXT NOT NULL,
                    priority TEXT NOT NULL,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    submitter TEXT NOT NULL,
                    body BLOB NOT NULL,
                    worker TEXT,
                    reason TEXT,
                    failure TEXT,
                    updates INTEGER NOT NULL DEFAULT 0,
                    submitted_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    deadline INTEGER NOT NULL,
                    answered_at INTEGER,
                    answer BLOB,
                    finished_at INTEGER
                ) STRICT;
                CREATE INDEX request_open ON request(ticket) WHERE finished_at IS NULL;
                CREATE INDEX request_finished ON request(finished_at, ticket) WHERE finished_at IS NOT NULL;

                CREATE TABLE request_event (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    ticket TEXT NOT NULL REFERENCES request(ticket) ON DELETE CASCADE,
                    type TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    department TEXT,
                    from_department TEXT,
                    state TEXT,
                    attempt INTEGER,
                    worker TEXT,
                    reason TEXT,
                    body BLOB
                ) STRICT;
                CREATE INDEX request_event_ticket ON request_event(ticket, id);

                CREATE TABLE worker_event (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    type TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    worker TEXT NOT NULL,
                    departments TEXT NOT NULL,
                    credit INTEGER,
                    reason TEXT
                ) STRICT;
                CREATE INDEX worker_event_at ON worker_event(at);
                """)
        }
        migrator.registerMigration("v2: service levels") { db in
            // The pinned SLA policy and clock states of each request, as JSON (SLASnapshot).
            try db.execute(sql: "ALTER TABLE request ADD COLUMN sla TEXT")
        }
        migrator.registerMigration("v3: operations") { db in
            // The SLA clock of warning and breach events; indexes to list the latest events of a type (recent
            // breaches on the dashboard) and requests by state (the API's lists) without scanning everything.
            try db.execute(sql: """
                ALTER TABLE request_event ADD COLUMN target TEXT;
                CREATE INDEX request_event_type ON request_event(type, id);
                CREATE INDEX request_state ON request(state, submitted_at);
                """)
        }
        migrator.registerMigration("v4: audit trail") { db in
            // Who submitted, served, viewed or cancelled which ticket, and every refusal (CURVE on). No bodies.
            try db.execute(sql: """
                CREATE TABLE audit (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at INTEGER NOT NULL,
                    principal TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    action TEXT NOT NULL,
                    ticket TEXT,
                    department TEXT,
                    outcome TEXT NOT NULL,
                    reason TEXT
                ) STRICT;
                CREATE INDEX audit_ticket ON audit(ticket, id);
                CREATE INDEX audit_at ON audit(at);
                """)
        }
        migrator.registerMigration("v5: compact history") { db in
            // A request's routine course (submitted, offered, accepted, answered by its holder) is kept in its row,
            // not as history rows: `trail` says which of those events the history still shows from the columns
            // (1 submitted, 2 offered, 4 accepted, 8 answered); rows written before this migration have 0 and
            // their whole history in request_event. See RequestWrite.
            try db.execute(sql: """
                ALTER TABLE request ADD COLUMN offered_at INTEGER;
                ALTER TABLE request ADD COLUMN accepted_at INTEGER;
                ALTER TABLE request ADD COLUMN trail INTEGER NOT NULL DEFAULT 0;
                """)
            // Open requests are found through request_state (recovery asks by state): a second index of them
            // only cost each request an entry written at submission and removed at its answer.
            try db.execute(sql: "DROP INDEX request_open")
        }
        migrator.registerMigration("v6: agents over HTTP") { db in
            // `agent`: the named agent that submitted (a principal), NULL for an anonymous connection; rows from
            // before keep their submitter as owner, as recovery read them until now. `via`: the integration.
            // `notification`: what agents' event streams and webhooks carry, numbered durably (AUTOINCREMENT:
            // an id is never reused, even after pruning), written in the transaction of the change it tells.
            // `webhook_delivery`: the outbox, one row per webhook and notification, updated per attempt.
            try db.execute(sql: """
                ALTER TABLE request ADD COLUMN agent TEXT;
                ALTER TABLE request ADD COLUMN via TEXT;
                UPDATE request SET agent = submitter;
                CREATE INDEX request_agent ON request(agent, submitted_at) WHERE agent IS NOT NULL;

                CREATE TABLE notification (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    ticket TEXT NOT NULL,
                    type TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    agent TEXT,
                    via TEXT,
                    department TEXT NOT NULL,
                    payload BLOB NOT NULL
                ) STRICT;
                CREATE INDEX notification_agent ON notification(agent, id) WHERE agent IS NOT NULL;
                CREATE INDEX notification_via ON notification(via, id) WHERE via IS NOT NULL;
                CREATE INDEX notification_ticket ON notification(ticket);

                CREATE TABLE webhook_delivery (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    webhook TEXT NOT NULL,
                    notification INTEGER NOT NULL REFERENCES notification(id) ON DELETE CASCADE,
                    state TEXT NOT NULL DEFAULT 'pending',
                    attempts INTEGER NOT NULL DEFAULT 0,
                    created_at INTEGER NOT NULL,
                    next_attempt_at INTEGER NOT NULL,
                    delivered_at INTEGER,
                    last_status INTEGER,
                    last_error TEXT
                ) STRICT;
                CREATE INDEX webhook_delivery_pending ON webhook_delivery(next_attempt_at) WHERE state = 'pending';
                CREATE INDEX webhook_delivery_webhook ON webhook_delivery(webhook, id);

                CREATE TABLE ledger_meta (
                    key TEXT NOT NULL PRIMARY KEY,
                    value INTEGER NOT NULL
                ) STRICT;
                """)
        }
        return migrator
    }
}
