-- The event log, its projections, checkpoints, accounts and sessions (SQLite).
-- Keep in step with ../postgres/0001_init.sql: same tables, columns and rules.

-- The log: one row per event, append-only. `record` holds the canonical bytes (audit::encode),
-- `hash` the chain hash after the event; time_ms and kind are copies for queries.
CREATE TABLE events (
    seq     INTEGER PRIMARY KEY CHECK (seq >= 1),
    time_ms INTEGER NOT NULL,
    kind    INTEGER NOT NULL CHECK (kind BETWEEN 0 AND 65535),
    record  BLOB    NOT NULL,
    hash    BLOB    NOT NULL CHECK (length(hash) = 32)
);
CREATE INDEX events_kind_seq ON events (kind, seq);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;

-- Projection: which events name a subject (kind code, id).
CREATE TABLE event_subjects (
    subject_kind INTEGER NOT NULL CHECK (subject_kind BETWEEN 0 AND 255),
    subject_id   TEXT    NOT NULL,
    seq          INTEGER NOT NULL REFERENCES events (seq),
    PRIMARY KEY (subject_kind, subject_id, seq)
) WITHOUT ROWID;

-- Projection: number of events per kind code, updated in the append transaction.
CREATE TABLE kind_counts (
    kind INTEGER PRIMARY KEY CHECK (kind BETWEEN 0 AND 65535),
    n    INTEGER NOT NULL CHECK (n >= 0)
);

-- Signed checkpoints over the Merkle root of the first tree_size events.
CREATE TABLE checkpoints (
    tree_size INTEGER PRIMARY KEY CHECK (tree_size >= 0),
    body      BLOB NOT NULL,
    signature BLOB NOT NULL
);

CREATE TABLE users (
    name         TEXT    PRIMARY KEY,
    role         TEXT    NOT NULL CHECK (role IN ('admin', 'examiner', 'auditor', 'device')),
    display_name TEXT    NOT NULL,
    secret_hash  TEXT    NOT NULL,
    enabled      INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_ms   INTEGER NOT NULL
);

-- Login sessions, by SHA-256 of the token (the token itself is never stored).
CREATE TABLE sessions (
    token_hash BLOB    PRIMARY KEY CHECK (length(token_hash) = 32),
    user_name  TEXT    NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    role       TEXT    NOT NULL CHECK (role IN ('admin', 'examiner', 'auditor', 'device')),
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_ms);
CREATE INDEX sessions_user ON sessions (user_name);
