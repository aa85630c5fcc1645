-- Central tier: what the platform holds of every site's log.
CREATE TABLE central_sites (
    site        TEXT PRIMARY KEY,
    registered  BIGINT NOT NULL
);
CREATE TABLE central_site_keys (
    site        TEXT NOT NULL REFERENCES central_sites (site),
    public_key  BYTEA NOT NULL,
    added       BIGINT NOT NULL,
    retired     BIGINT,
    PRIMARY KEY (site, public_key)
);
CREATE TABLE central_heads (
    site  TEXT PRIMARY KEY REFERENCES central_sites (site),
    seq   BIGINT NOT NULL,
    hash  BYTEA NOT NULL
);
CREATE TABLE central_events (
    site      TEXT NOT NULL REFERENCES central_sites (site),
    seq       BIGINT NOT NULL,
    record    BYTEA NOT NULL,
    hash      BYTEA NOT NULL,
    received  BIGINT NOT NULL,
    PRIMARY KEY (site, seq)
);
CREATE TABLE central_checkpoints (
    site       TEXT NOT NULL REFERENCES central_sites (site),
    tree_size  BIGINT NOT NULL,
    body       BYTEA NOT NULL,
    signature  BYTEA NOT NULL,
    PRIMARY KEY (site, tree_size)
);
CREATE TABLE central_alarms (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site    TEXT NOT NULL,
    seq     BIGINT NOT NULL,
    detail  TEXT NOT NULL,
    raised  BIGINT NOT NULL
);
