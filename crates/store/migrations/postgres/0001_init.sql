-- The event log, its projections, checkpoints, accounts and sessions (PostgreSQL).
-- Keep in step with ../sqlite/0001_init.sql: same tables, columns and rules.

-- The log: one row per event, append-only. `record` holds the canonical bytes (audit::encode),
-- `hash` the chain hash after the event; time_ms and kind are copies for queries.
CREATE TABLE events (
    seq     BIGINT  PRIMARY KEY CHECK (seq >= 1),
    time_ms BIGINT  NOT NULL,
    kind    INTEGER NOT NULL CHECK (kind BETWEEN 0 AND 65535),
    record  BYTEA   NOT NULL,
    hash    BYTEA   NOT NULL CHECK (octet_length(hash) = 32)
);
CREATE INDEX events_kind_seq ON events (kind, seq);

CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only';
END
$$;
CREATE TRIGGER events_no_update_or_delete BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();

-- Projection: which events name a subject (kind code, id).
CREATE TABLE event_subjects (
    subject_kind SMALLINT NOT NULL CHECK (subject_kind BETWEEN 0 AND 255),
    subject_id   TEXT     NOT NULL,
    seq          BIGINT   NOT NULL REFERENCES events (seq),
    PRIMARY KEY (subject_kind, subject_id, seq)
);

-- Projection: number of events per kind code, updated in the append transaction.
CREATE TABLE kind_counts (
    kind INTEGER PRIMARY KEY CHECK (kind BETWEEN 0 AND 65535),
    n    BIGINT  NOT NULL CHECK (n >= 0)
);

-- Signed checkpoints over the Merkle root of the first tree_size events.
CREATE TABLE checkpoints (
    tree_size BIGINT PRIMARY KEY CHECK (tree_size >= 0),
    body      BYTEA  NOT NULL,
    signature BYTEA  NOT NULL
);

CREATE TABLE users (
    name         TEXT    PRIMARY KEY,
    role         TEXT    NOT NULL CHECK (role IN ('admin', 'examiner', 'auditor', 'device')),
    display_name TEXT    NOT NULL,
    secret_hash  TEXT    NOT NULL,
    enabled      BOOLEAN NOT NULL DEFAULT TRUE,
    created_ms   BIGINT  NOT NULL
);

-- Login sessions, by SHA-256 of the token (the token itself is never stored).
CREATE TABLE sessions (
    token_hash BYTEA  PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    user_name  TEXT   NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    role       TEXT   NOT NULL CHECK (role IN ('admin', 'examiner', 'auditor', 'device')),
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_ms);
CREATE INDEX sessions_user ON sessions (user_name);
