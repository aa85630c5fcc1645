-- Central tier: what the platform holds of every site's log.
CREATE TABLE central_sites (
    site        TEXT PRIMARY KEY,
    registered  INTEGER NOT NULL
);
CREATE TABLE central_site_keys (
    site        TEXT NOT NULL REFERENCES central_sites (site),
    public_key  BLOB NOT NULL,
    added       INTEGER NOT NULL,
    retired     INTEGER,
    PRIMARY KEY (site, public_key)
);
CREATE TABLE central_heads (
    site  TEXT PRIMARY KEY REFERENCES central_sites (site),
    seq   INTEGER NOT NULL,
    hash  BLOB NOT NULL
);
CREATE TABLE central_events (
    site      TEXT NOT NULL REFERENCES central_sites (site),
    seq       INTEGER NOT NULL,
    record    BLOB NOT NULL,
    hash      BLOB NOT NULL,
    received  INTEGER NOT NULL,
    PRIMARY KEY (site, seq)
) WITHOUT ROWID;
CREATE TABLE central_checkpoints (
    site       TEXT NOT NULL REFERENCES central_sites (site),
    tree_size  INTEGER NOT NULL,
    body       BLOB NOT NULL,
    signature  BLOB NOT NULL,
    PRIMARY KEY (site, tree_size)
);
CREATE TABLE central_alarms (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    site    TEXT NOT NULL,
    seq     INTEGER NOT NULL,
    detail  TEXT NOT NULL,
    raised  INTEGER NOT NULL
);
