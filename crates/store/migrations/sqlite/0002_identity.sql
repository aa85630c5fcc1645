-- The identity registry (SQLite): people, their sealed fingerprint templates, and rosters per sitting.
-- Keep in step with ../postgres/0002_identity.sql: same tables, columns and rules.

-- People: candidates (by ID-card number or roster id) and examiners (by account name).
CREATE TABLE people (
    kind       TEXT    NOT NULL CHECK (kind IN ('candidate', 'examiner')),
    id         TEXT    NOT NULL CHECK (length(id) BETWEEN 1 AND 64),
    name       TEXT    NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
);

-- Enrolled templates, sealed by examd (AES-256-GCM, key outside the database): the store never sees
-- plaintext. `sha256` is the hash of the plaintext standard record, the only form that enters the log.
CREATE TABLE templates (
    kind        TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    idx         INTEGER NOT NULL CHECK (idx >= 0),
    sealed      BLOB    NOT NULL,
    sha256      BLOB    NOT NULL CHECK (length(sha256) = 32),
    enrolled_ms INTEGER NOT NULL,
    PRIMARY KEY (kind, id, idx),
    FOREIGN KEY (kind, id) REFERENCES people (kind, id) ON DELETE CASCADE
);

-- One roster per sitting; an import replaces the sitting's entries.
CREATE TABLE rosters (
    sitting     TEXT    PRIMARY KEY CHECK (length(sitting) BETWEEN 1 AND 64),
    imported_ms INTEGER NOT NULL,
    imported_by TEXT    NOT NULL
);

CREATE TABLE roster_entries (
    sitting   TEXT    NOT NULL REFERENCES rosters (sitting) ON DELETE CASCADE,
    position  INTEGER NOT NULL CHECK (position >= 0),
    candidate TEXT    NOT NULL,
    name      TEXT    NOT NULL,
    seat      TEXT,
    subject   TEXT,
    PRIMARY KEY (sitting, candidate),
    UNIQUE (sitting, position)
);
