//! Store errors, and the mapping from sqlx errors to them.

use sqlx::error::ErrorKind;

/// A store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A uniqueness, reference or continuity rule was broken; names the constraint.
    #[error("conflict on {constraint}")]
    Conflict {
        /// The constraint or rule, e.g. `users.name`, `events.seq continuity`.
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
    /// A value does not fit the column that holds it (a seq or tree size past `i64::MAX`).
    #[error("{what} is out of the range the database can hold")]
    OutOfRange {
        /// Which value.
        what: &'static str,
    },
    /// The URL names no backend this build knows.
    #[error("unsupported database URL scheme in {0:?}: expected sqlite:, postgres: or postgresql:")]
    UnsupportedUrl(String),
    /// The database failed.
    #[error("database error: {0}")]
    Backend(sqlx::Error),
    /// Migrations failed.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    /// `RowNotFound` becomes [`StoreError::NotFound`], a unique or foreign-key violation becomes
    /// [`StoreError::Conflict`] named by the database's constraint (or its message when the
    /// backend names none, as SQLite does). Call sites that know the constraint use
    /// [`conflict_on`] so both backends report the same name.
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db)
                if matches!(
                    db.kind(),
                    ErrorKind::UniqueViolation | ErrorKind::ForeignKeyViolation
                ) =>
            {
                let constraint = db.constraint().unwrap_or(db.message()).to_owned();
                StoreError::Conflict { constraint }
            }
            e => StoreError::Backend(e),
        }
    }
}

/// Maps an sqlx error, naming a unique violation `unique` whatever the backend calls it.
pub(crate) fn conflict_on(unique: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    name_violations(unique, None)
}

/// Maps an sqlx error, naming a unique violation `unique` and, when given, a foreign-key
/// violation `foreign_key`, whatever the backend calls them.
pub(crate) fn name_violations(
    unique: &'static str,
    foreign_key: Option<&'static str>,
) -> impl Fn(sqlx::Error) -> StoreError {
    move |e| match e {
        sqlx::Error::Database(db) if matches!(db.kind(), ErrorKind::UniqueViolation) => {
            StoreError::Conflict {
                constraint: unique.to_owned(),
            }
        }
        sqlx::Error::Database(db)
            if matches!(db.kind(), ErrorKind::ForeignKeyViolation) && foreign_key.is_some() =>
        {
            StoreError::Conflict {
                constraint: foreign_key.unwrap_or_default().to_owned(),
            }
        }
        e => StoreError::from(e),
    }
}
