//! Persistence for examd: the event log and its projections on SQLite (embedded) and PostgreSQL, through sqlx.
