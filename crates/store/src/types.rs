//! Rows the store reads and writes.

use audit::Hash;
use model::{Role, Seq, UnixMs, UserName};

/// One event as stored: canonical bytes and chain hash. Decode with `audit::decode`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// Its seq (also inside `bytes`).
    pub seq: Seq,
    /// Canonical bytes (`audit::encode`).
    pub bytes: Vec<u8>,
    /// Chain hash after this event.
    pub hash: Hash,
}

/// A signed checkpoint as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    /// Number of events covered (the Merkle tree size).
    pub tree_size: u64,
    /// Canonical checkpoint bytes (the signed message), as the `audit` crate encodes them.
    pub body: Vec<u8>,
    /// Ed25519 signature over `body`.
    pub signature: Vec<u8>,
}

/// A new account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// Login name.
    pub name: UserName,
    /// Role.
    pub role: Role,
    /// Display name (Chinese names welcome).
    pub display_name: String,
    /// argon2 PHC string for people, or hex SHA-256 of the bearer token for devices.
    pub secret_hash: String,
    /// When created.
    pub created: UnixMs,
}

/// An account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    /// Login name.
    pub name: UserName,
    /// Role.
    pub role: Role,
    /// Display name.
    pub display_name: String,
    /// argon2 PHC string for people, or hex SHA-256 of the bearer token for devices.
    pub secret_hash: String,
    /// Whether the account may log in.
    pub enabled: bool,
    /// When created.
    pub created: UnixMs,
}

/// A login session of a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// SHA-256 of the session token (the token itself is never stored).
    pub token_hash: Hash,
    /// Whose session.
    pub user: UserName,
    /// The user's role when the session started.
    pub role: Role,
    /// When it was created.
    pub created: UnixMs,
    /// When it stops being valid.
    pub expires: UnixMs,
}
