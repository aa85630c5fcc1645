//! What can go wrong in the identity registry; every message names the entry or person at fault.

use super::crypto::KeyError;
use super::ids::PersonRef;

/// An identity registry operation failed.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// A roster (or enrolment request) is malformed; names the entry and what was wrong.
    #[error("{0}")]
    Invalid(String),
    /// A template is not a readable ISO/IEC 19794-2 or ANSI/INCITS 378 record.
    #[error("{owner}: template {index}: {detail}")]
    BadTemplate {
        /// Whose template.
        owner: String,
        /// Its position in the request.
        index: usize,
        /// What the parser said.
        detail: String,
    },
    /// No such person in the registry.
    #[error("{0} is not enrolled")]
    UnknownPerson(PersonRef),
    /// The person exists but has no enrolled templates.
    #[error("{0} has no enrolled templates")]
    NoTemplates(PersonRef),
    /// No roster was imported for this sitting.
    #[error("no roster for sitting {0}")]
    UnknownSitting(String),
    /// A stored template did not decrypt (wrong key file, or the row was altered or moved).
    #[error(
        "a stored template of {0} does not decrypt (wrong template key, or the row was altered)"
    )]
    Sealed(String),
    /// The template key file.
    #[error("template key: {0}")]
    Key(#[from] KeyError),
    /// The database.
    #[error("store: {0}")]
    Store(#[from] store::StoreError),
    /// The event log refused the record of the change.
    #[error("event log: {0}")]
    Log(#[from] store::AppendError),
    /// A matching task failed.
    #[error("matching task: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl From<IdentityError> for crate::error::ApiError {
    fn from(e: IdentityError) -> Self {
        use crate::error::ApiError;
        match e {
            IdentityError::Invalid(_) | IdentityError::BadTemplate { .. } => {
                ApiError::BadRequest(e.to_string())
            }
            IdentityError::UnknownPerson(_) => ApiError::NotFound("person"),
            IdentityError::UnknownSitting(_) => ApiError::NotFound("roster"),
            IdentityError::NoTemplates(_) => ApiError::Conflict(e.to_string()),
            other => ApiError::Internal(other.into()),
        }
    }
}
