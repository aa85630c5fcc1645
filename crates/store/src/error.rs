//! Store errors.

/// A store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A uniqueness or continuity rule was broken; names the constraint.
    #[error("conflict on {constraint}")]
    Conflict {
        /// The constraint or rule, e.g. `events_pkey` or `seq continuity`.
        constraint: String,
    },
    /// Stored data could not be read back (a corrupt row, an unknown role); names what.
    #[error("corrupt data in {what}: {detail}")]
    Corrupt {
        /// Which table and column.
        what: &'static str,
        /// What was wrong.
        detail: String,
    },
    /// The database failed.
    #[error("database error: {0}")]
    Backend(#[from] sqlx::Error),
    /// Migrations failed.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}
