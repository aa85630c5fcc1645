-- Central tier: the platform's view of the exam flow, projected from the sites' events in the
-- same transaction that stores them, and central's own accounts.
CREATE TABLE central_flow (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    site       TEXT NOT NULL REFERENCES central_sites (site),
    seq        INTEGER NOT NULL,
    time       INTEGER NOT NULL,
    step       TEXT NOT NULL,
    code       TEXT,
    candidate  TEXT,
    session    TEXT,
    kind       TEXT NOT NULL,
    detail     TEXT NOT NULL,
    UNIQUE (site, seq)
);
CREATE INDEX central_flow_candidate ON central_flow (candidate, time) WHERE candidate IS NOT NULL;
CREATE INDEX central_flow_site_time ON central_flow (site, time);
CREATE TABLE central_accounts (
    name        TEXT PRIMARY KEY,
    role        TEXT NOT NULL,
    token_hash  BLOB NOT NULL UNIQUE,
    created     INTEGER NOT NULL
);
