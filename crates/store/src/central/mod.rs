//! The central tier: every site's log as the platform holds it.
//!
//! One trait, [`CentralStore`], on SQLite ([`SqliteCentral`]) and PostgreSQL ([`PgCentral`]),
//! chosen by URL scheme in [`open_central`]. Its schema has its own migrations
//! (`migrations/central/<backend>/`, numbered from 0100) recorded in their own table
//! (`_central_migrations`), so a central database may also hold a site schema.
//!
//! The store does not verify anything: the receiver (crate `uplink`) checks signatures and the
//! chain, then hands verified events to [`CentralStore::ingest`], which writes them in one
//! transaction, guarded by the head it expects.

/// A `SELECT` of every flow column from `central_flow`, followed by `$rest`.
macro_rules! flow_select {
    ($rest:literal) => {
        concat!(
            "SELECT id, site, seq, time, step, code, candidate, session, kind, detail \
             FROM central_flow ",
            $rest
        )
    };
}

mod flow;
mod postgres;
mod sqlite;

use std::borrow::Cow;
use std::sync::Arc;

use async_trait::async_trait;
use audit::{Hash, PublicKey};
use model::{Seq, SiteId, UnixMs};
use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

pub use flow::{CentralAccount, FLOW_LIMIT, FlowEntry, FlowRow};
pub use postgres::PgCentral;
pub use sqlite::SqliteCentral;

use crate::{Backend, StoreError, StoredCheckpoint, StoredEvent};

/// The constraint named when [`CentralStore::ingest`] finds another head than it expected.
pub const HEAD_MOVED: &str = "central_heads.seq";

/// A site key registered at central.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentralKey {
    /// The Ed25519 public key.
    pub key: PublicKey,
    /// When it was registered.
    pub added: UnixMs,
    /// When it was retired (rotated out), if it was.
    pub retired: Option<UnixMs>,
}

/// A site refused for a chain problem, for the operators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentralAlarm {
    /// The site.
    pub site: SiteId,
    /// The seq where its log went wrong.
    pub seq: Seq,
    /// What was wrong.
    pub detail: String,
    /// When central saw it.
    pub raised: UnixMs,
}

/// What central keeps of the sites' logs. Implementations: [`SqliteCentral`], [`PgCentral`].
#[async_trait]
pub trait CentralStore: Send + Sync + std::fmt::Debug + 'static {
    /// The backend's name, `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// Registers a site with a key, or adds a key to a registered site (rotation: the old keys
    /// stay valid until retired). A new site's head is seq 0 at its genesis hash. Idempotent.
    async fn register_site(
        &self,
        site: &SiteId,
        key: &PublicKey,
        at: UnixMs,
    ) -> Result<(), StoreError>;

    /// Retires a key of a site: batches it signs are refused from then on. `NotFound` for an
    /// unknown site or key.
    async fn retire_key(
        &self,
        site: &SiteId,
        key: &PublicKey,
        at: UnixMs,
    ) -> Result<(), StoreError>;

    /// Every key a site ever registered, oldest first. `NotFound` for an unknown site.
    async fn site_keys(&self, site: &SiteId) -> Result<Vec<CentralKey>, StoreError>;

    /// The registered sites, by name.
    async fn sites(&self) -> Result<Vec<SiteId>, StoreError>;

    /// The highest contiguous seq held for a site and its chain hash. `NotFound` for an
    /// unknown site.
    async fn head(&self, site: &SiteId) -> Result<(Seq, Hash), StoreError>;

    /// Stores verified events `expected + 1 ..` (dense, in order), checkpoints, and the flow
    /// rows projected from those events, of a site in one transaction, moving its head to the
    /// last event. If the head is no longer at `expected` (a concurrent batch won), nothing is
    /// written and the error is `Conflict { constraint: HEAD_MOVED }`. A checkpoint already held
    /// is kept as it is. Each flow row must name one of `events`.
    async fn ingest(
        &self,
        site: &SiteId,
        expected: Seq,
        events: &[StoredEvent],
        checkpoints: &[StoredCheckpoint],
        flow: &[FlowRow],
        at: UnixMs,
    ) -> Result<(), StoreError>;

    /// Up to `limit` events of a site with `seq >= from`, in seq order.
    async fn events(
        &self,
        site: &SiteId,
        from: Seq,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError>;

    /// How many events of a site central holds.
    async fn event_count(&self, site: &SiteId) -> Result<u64, StoreError>;

    /// A site's checkpoints, by tree size ascending.
    async fn checkpoints(&self, site: &SiteId) -> Result<Vec<StoredCheckpoint>, StoreError>;

    /// Records an alarm (a refused fork or chain break).
    async fn raise_alarm(&self, alarm: &CentralAlarm) -> Result<(), StoreError>;

    /// Alarms, oldest first, of one site or all.
    async fn alarms(&self, site: Option<&SiteId>) -> Result<Vec<CentralAlarm>, StoreError>;

    /// Up to `limit` flow entries with `id > after`, by id (the live feed).
    async fn flow_after(&self, after: i64, limit: u32) -> Result<Vec<FlowEntry>, StoreError>;

    /// The id of the newest flow entry, 0 when there is none.
    async fn flow_last_id(&self) -> Result<i64, StoreError>;

    /// A candidate's flow at every site, by time then site and seq (at most [`FLOW_LIMIT`]).
    async fn candidate_flow(&self, candidate: &str) -> Result<Vec<FlowEntry>, StoreError>;

    /// A site's flow with `from <= time < to`, by seq (at most [`FLOW_LIMIT`]).
    async fn site_flow(
        &self,
        site: &SiteId,
        from: UnixMs,
        to: UnixMs,
    ) -> Result<Vec<FlowEntry>, StoreError>;

    /// Creates an account of central's own with the SHA-256 of its bearer token.
    /// `Conflict` if the name (or the token) is taken.
    async fn create_account(
        &self,
        name: &str,
        role: &str,
        token_hash: &[u8; 32],
        at: UnixMs,
    ) -> Result<(), StoreError>;

    /// The account whose token has this SHA-256, if any.
    async fn account_by_token(
        &self,
        token_hash: &[u8; 32],
    ) -> Result<Option<CentralAccount>, StoreError>;
}

/// Opens the central store a URL names (`sqlite:` or `postgres:`), running its migrations.
pub async fn open_central(url: &str) -> Result<Arc<dyn CentralStore>, StoreError> {
    Ok(match Backend::of_url(url)? {
        Backend::Sqlite => Arc::new(SqliteCentral::open(url).await?),
        Backend::Postgres => Arc::new(PgCentral::connect(url).await?),
    })
}

/// The central migrations of one backend (0100 the logs, 0101 the flow view and accounts), in
/// their own table.
fn migrator(logs: &'static str, flow: &'static str) -> Migrator {
    let one = |version, name, sql: &'static str| {
        Migration::new(
            version,
            Cow::Borrowed(name),
            MigrationType::Simple,
            sql.into_sql_str(),
            false,
        )
    };
    let mut m = Migrator::with_migrations(vec![
        one(100, "central", logs),
        one(101, "central flow", flow),
    ]);
    m.dangerous_set_table_name("_central_migrations");
    m.set_ignore_missing(true);
    m
}

pub(crate) fn sqlite_migrator() -> Migrator {
    migrator(
        include_str!("../../migrations/central/sqlite/0100_central.sql"),
        include_str!("../../migrations/central/sqlite/0101_flow.sql"),
    )
}

pub(crate) fn postgres_migrator() -> Migrator {
    migrator(
        include_str!("../../migrations/central/postgres/0100_central.sql"),
        include_str!("../../migrations/central/postgres/0101_flow.sql"),
    )
}

fn site_from(what: &'static str, s: &str) -> Result<SiteId, StoreError> {
    s.parse().map_err(|e| StoreError::Corrupt {
        what,
        detail: format!("{e:?}"),
    })
}

fn key_from(what: &'static str, b: &[u8]) -> Result<PublicKey, StoreError> {
    PublicKey::from_slice(b).map_err(|e| StoreError::Corrupt {
        what,
        detail: e.to_string(),
    })
}

/// Checks that every flow row names one of `events` (dense from `expected + 1`).
fn check_flow(expected: Seq, events: &[StoredEvent], flow: &[FlowRow]) -> Result<(), StoreError> {
    let last = expected.0 + events.len() as u64;
    if flow.iter().any(|f| f.seq.0 <= expected.0 || f.seq.0 > last) {
        return Err(StoreError::Conflict {
            constraint: "central_flow.seq names an ingested event".to_owned(),
        });
    }
    Ok(())
}

/// A site key from its row, on either backend.
fn key_row<'r, R>(r: &'r R) -> Result<CentralKey, StoreError>
where
    R: sqlx::Row,
    &'static str: sqlx::ColumnIndex<R>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    &'r [u8]: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(CentralKey {
        key: key_from("central_site_keys.public_key", r.try_get("public_key")?)?,
        added: crate::rows::time_from(r.try_get("added")?),
        retired: r
            .try_get::<Option<i64>, _>("retired")?
            .map(crate::rows::time_from),
    })
}

/// A stored event from its row, on either backend.
fn event_row<'r, R>(r: &'r R) -> Result<StoredEvent, StoreError>
where
    R: sqlx::Row,
    &'static str: sqlx::ColumnIndex<R>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    &'r [u8]: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Vec<u8>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(StoredEvent {
        seq: crate::rows::seq_from("central_events.seq", r.try_get("seq")?)?,
        bytes: r.try_get("record")?,
        hash: crate::rows::hash_from("central_events.hash", r.try_get("hash")?)?,
    })
}

/// A checkpoint from its row, on either backend.
fn checkpoint_row<'r, R>(r: &'r R) -> Result<StoredCheckpoint, StoreError>
where
    R: sqlx::Row,
    &'static str: sqlx::ColumnIndex<R>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Vec<u8>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(StoredCheckpoint {
        tree_size: crate::rows::count_from(
            "central_checkpoints.tree_size",
            r.try_get("tree_size")?,
        )?,
        body: r.try_get("body")?,
        signature: r.try_get("signature")?,
    })
}

/// An alarm from its row, on either backend.
fn alarm_row<'r, R>(r: &'r R) -> Result<CentralAlarm, StoreError>
where
    R: sqlx::Row,
    &'static str: sqlx::ColumnIndex<R>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    &'r str: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(CentralAlarm {
        site: site_from("central_alarms.site", r.try_get("site")?)?,
        seq: crate::rows::seq_from("central_alarms.seq", r.try_get("seq")?)?,
        detail: r.try_get("detail")?,
        raised: crate::rows::time_from(r.try_get("raised")?),
    })
}

/// A flow entry from its row, on either backend (the column names are the same in both schemas).
fn flow_row<'r, R>(r: &'r R) -> Result<FlowEntry, StoreError>
where
    R: sqlx::Row,
    &'static str: sqlx::ColumnIndex<R>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    &'r str: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(FlowEntry {
        id: r.try_get("id")?,
        site: site_from("central_flow.site", r.try_get("site")?)?,
        row: FlowRow {
            seq: crate::rows::seq_from("central_flow.seq", r.try_get("seq")?)?,
            time: crate::rows::time_from(r.try_get("time")?),
            step: r.try_get("step")?,
            code: r.try_get("code")?,
            candidate: r.try_get("candidate")?,
            session: r.try_get("session")?,
            kind: r.try_get("kind")?,
            detail: r.try_get("detail")?,
        },
    })
}

/// Checks that events are `expected + 1 ..` densely.
fn check_dense(expected: Seq, events: &[StoredEvent]) -> Result<(), StoreError> {
    for (i, e) in events.iter().enumerate() {
        if e.seq.0 != expected.0 + 1 + i as u64 {
            return Err(StoreError::Conflict {
                constraint: "central_events.seq continuity".to_owned(),
            });
        }
    }
    Ok(())
}
