-- The Merkle frontier of the log at each checkpoint (PostgreSQL).
-- Keep in step with ../sqlite/0003_frontier.sql: same tables, columns and rules.

-- `frontier` holds audit::Frontier::to_bytes of the first tree_size events. The log writer stores it
-- after the checkpoint of the same size, so a restart verifies the chain only from there on.
CREATE TABLE log_frontiers (
    tree_size BIGINT PRIMARY KEY CHECK (tree_size >= 1),
    frontier  BYTEA  NOT NULL
);
