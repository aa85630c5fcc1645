//! Persistence for examd: the event log, its checkpoints, accounts and projections.
//!
//! One trait, [`Store`], two backends: SQLite in WAL mode (the embedded default) and PostgreSQL
//! (the central tier), both through sqlx, each with its own migrations. The backend is chosen
//! by URL scheme in [`open`]. SQL never leaves this crate.
//!
//! Events enter the log through [`LogWriter`] (group commit, hash chain, signed checkpoints);
//! everything else reads and writes through the trait.
//!
//! ```
//! use audit::CheckpointPolicy;
//! use model::{EventKind, Seq, SiteId};
//! use store::writer::system_clock;
//! use store::{Draft, LogWriter};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let store = store::open("sqlite::memory:").await.unwrap();
//! let site: SiteId = "demo".parse().unwrap();
//! let log = LogWriter::start(store.clone(), site, None, CheckpointPolicy::default(), system_clock())
//!     .await
//!     .unwrap();
//! let draft = Draft { kind: EventKind::SystemStarted, subjects: vec![], payload: b"{}".to_vec() };
//! let sealed = log.append(draft).await.unwrap();
//! assert_eq!(sealed.event.seq, Seq(1));
//! assert_eq!(store.log_head().await.unwrap(), Some((Seq(1), sealed.hash)));
//! log.shutdown().await;
//! # });
//! ```
#![warn(missing_docs)]

pub mod central;
mod error;
pub mod identity;
mod migrations;
mod postgres;
mod rows;
mod sqlite;
mod types;
mod url;
pub mod writer;

pub use central::{CentralAlarm, CentralKey, CentralStore, PgCentral, SqliteCentral, open_central};
pub use error::StoreError;
pub use identity::IdentityStore;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
pub use types::{NewUser, SessionRow, StoredCheckpoint, StoredEvent, UserRow};
pub use url::{Backend, redact};
pub use writer::{AppendError, Draft, LogWriter, WriterStats};

use std::sync::Arc;

use async_trait::async_trait;
use audit::{Hash, Sealed};
use model::{Seq, SubjectRef, UnixMs, UserName};

/// Everything examd keeps. Implementations: `SqliteStore`, `PgStore`.
///
/// Every write method returns only after the data is durable (committed, synced). The identity
/// registry's tables are the supertrait [`IdentityStore`].
#[async_trait]
pub trait Store: IdentityStore + Send + Sync + std::fmt::Debug + 'static {
    /// The backend's name, `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    // ---- the log -------------------------------------------------------------------------

    /// The last event's seq and chain hash, or `None` for an empty log.
    async fn log_head(&self) -> Result<Option<(Seq, Hash)>, StoreError>;

    /// Appends already-sealed events in one transaction. Their seqs must continue the log
    /// densely; a seq that exists is `StoreError::Conflict`.
    async fn append(&self, batch: &[Sealed]) -> Result<(), StoreError>;

    /// Up to `limit` events with `seq >= from`, in seq order.
    async fn events(&self, from: Seq, limit: u32) -> Result<Vec<StoredEvent>, StoreError>;

    /// Up to `limit` events with `seq < before` (or the newest when `None`), newest first,
    /// optionally only of one kind code. For the auditors' paginated listing.
    async fn events_desc(
        &self,
        before: Option<Seq>,
        kind: Option<u16>,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError>;

    /// Up to `limit` events that name `subject`, with `seq < before` (or the newest when
    /// `None`), newest first. Served by the `event_subjects` projection.
    async fn events_about(
        &self,
        subject: &SubjectRef,
        before: Option<Seq>,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError>;

    // ---- checkpoints ---------------------------------------------------------------------

    /// Stores a signed checkpoint. Idempotent for an identical one; a different checkpoint for
    /// the same tree size is `StoreError::Conflict`.
    async fn put_checkpoint(&self, cp: &StoredCheckpoint) -> Result<(), StoreError>;

    /// All checkpoints, by tree size ascending.
    async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError>;

    /// Keeps the Merkle frontier of the log's first `tree_size` events (`audit::Frontier::to_bytes`),
    /// so that [`LogWriter::start`] verifies only the events after it. The frontier of a prefix is
    /// determined by the log, so storing one again for the same size replaces it.
    async fn put_frontier(&self, tree_size: u64, frontier: &[u8]) -> Result<(), StoreError>;

    /// The frontier stored for the largest tree size, with that size; `None` when there is none.
    async fn last_frontier(&self) -> Result<Option<(u64, Vec<u8>)>, StoreError>;

    // ---- accounts and sessions -----------------------------------------------------------

    /// Creates an account. An existing name is `StoreError::Conflict`.
    async fn create_user(&self, user: &NewUser) -> Result<UserRow, StoreError>;

    /// One account by name, or `StoreError::NotFound`.
    async fn user(&self, name: &UserName) -> Result<UserRow, StoreError>;

    /// All accounts, by name.
    async fn users(&self) -> Result<Vec<UserRow>, StoreError>;

    /// Replaces an account's secret (password hash or device-token hash).
    async fn set_secret(&self, name: &UserName, secret_hash: &str) -> Result<(), StoreError>;

    /// Records a login session under the SHA-256 of its token. A token hash that exists, or a
    /// user that does not, is `StoreError::Conflict` (`sessions.token_hash`, `sessions.user_name`).
    async fn create_session(&self, session: &SessionRow) -> Result<(), StoreError>;

    /// A session by token hash, or `StoreError::NotFound`. Expiry is the caller's to check.
    async fn session(&self, token_hash: &Hash) -> Result<SessionRow, StoreError>;

    /// Ends a session (idempotent).
    async fn delete_session(&self, token_hash: &Hash) -> Result<(), StoreError>;

    /// Deletes sessions that expired before `now`; returns how many.
    async fn purge_sessions(&self, now: UnixMs) -> Result<u64, StoreError>;

    // ---- projections ---------------------------------------------------------------------

    /// Number of events per kind code, kept up to date by `append` in the same transaction.
    async fn kind_counts(&self) -> Result<Vec<(u16, u64)>, StoreError>;
}

/// Opens the store a URL names, running its migrations: `sqlite:` (the file is created if
/// missing; `sqlite::memory:` for a throwaway database) or `postgres:`/`postgresql:`.
pub async fn open(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    Ok(match Backend::of_url(url)? {
        Backend::Sqlite => Arc::new(SqliteStore::open(url).await?),
        Backend::Postgres => Arc::new(PgStore::connect(url).await?),
    })
}
