//! The SQLite backend, the embedded default of a site.
//!
//! The database runs in WAL mode with `synchronous=FULL`, so a commit returns only after the
//! write-ahead log is synced: what [`Store::append`] acknowledged survives a power cut. All
//! writes go through one connection and start with `BEGIN IMMEDIATE`, so a writer never has to
//! upgrade a read lock; readers use a pool of their own and never wait for the writer.
//!
//! Checkpointing the WAL back into the database file (which syncs that file too) is kept off
//! the commit path: a background task runs a passive checkpoint on a reader connection every
//! [`CHECKPOINT_EVERY`], and the writer's own automatic checkpoint only steps in past
//! [`AUTOCHECKPOINT_PAGES`], as a safety net should the background task fall behind.

mod identity;

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use audit::{Hash, Sealed};
use model::{Seq, SubjectRef, UnixMs, UserName};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteRow, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite};

use crate::error::{conflict_on, name_violations};
use crate::rows::{
    check_continuity, chunked, count_from, count_param, hash_from, kind_from, kind_totals,
    role_from, seq_from, seq_param, time_from, user_name_from,
};
use crate::{NewUser, SessionRow, Store, StoreError, StoredCheckpoint, StoredEvent, UserRow};

/// How long a writer waits for another process's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Reader connections.
const READERS: u32 = 4;
/// How often the background task checkpoints the WAL.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);
/// WAL pages after which a commit checkpoints by itself (SQLite's default is 1000).
const AUTOCHECKPOINT_PAGES: &str = "20000";
/// The WAL file is cut back to this size after a checkpoint (bytes).
const WAL_SIZE_LIMIT: &str = "67108864";
/// Page cache per connection, in KiB (negative: KiB rather than pages).
const CACHE_KIB: &str = "-16384";

/// The SQLite store. Open it with [`SqliteStore::open`] or [`crate::open`].
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
    location: String,
    /// The background WAL checkpointer, stopped when the store is dropped.
    checkpointer: Option<tokio::task::AbortHandle>,
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        if let Some(task) = &self.checkpointer {
            task.abort();
        }
    }
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating it if missing) the database at a `sqlite:` URL, e.g.
    /// `sqlite:///var/lib/examd/site.db` or `sqlite::memory:`, and runs the migrations.
    pub async fn open(url: &str) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true)
            .pragma("cache_size", CACHE_KIB)
            .pragma("journal_size_limit", WAL_SIZE_LIMIT);
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        // An in-memory database lives as long as its connection: keep the one connection open.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(
                options
                    .clone()
                    .pragma("wal_autocheckpoint", AUTOCHECKPOINT_PAGES),
            )
            .await?;
        crate::migrations::sqlite().run(&writer).await?;
        let (reader, checkpointer) = if in_memory {
            (writer.clone(), None)
        } else {
            let reader = SqlitePoolOptions::new()
                .max_connections(READERS)
                .connect_lazy_with(options);
            let task = tokio::spawn(checkpoint_wal(reader.clone()));
            (reader, Some(task.abort_handle()))
        };
        let location = crate::url::redact(url);
        Ok(SqliteStore {
            writer,
            reader,
            location,
            checkpointer,
        })
    }

    /// Closes both pools, waiting for connections in use to come back.
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

/// Copies committed WAL pages into the database file now and then, without blocking anyone
/// (`PASSIVE`), so commits rarely have to.
async fn checkpoint_wal(pool: SqlitePool) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !pool.is_closed() {
        tick.tick().await;
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
        {
            tracing::debug!(error = %e, "background WAL checkpoint failed");
        }
    }
}

async fn head(conn: &mut SqliteConnection) -> Result<Option<(Seq, Hash)>, StoreError> {
    let row = sqlx::query("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
        .fetch_optional(conn)
        .await?;
    row.map(|r| {
        let seq = seq_from("events.seq", r.try_get("seq")?)?;
        let hash = hash_from("events.hash", r.try_get::<&[u8], _>("hash")?)?;
        Ok((seq, hash))
    })
    .transpose()
}

fn event_row(r: &SqliteRow) -> Result<StoredEvent, StoreError> {
    Ok(StoredEvent {
        seq: seq_from("events.seq", r.try_get("seq")?)?,
        bytes: r.try_get("record")?,
        hash: hash_from("events.hash", r.try_get::<&[u8], _>("hash")?)?,
    })
}

fn user_row(r: &SqliteRow) -> Result<UserRow, StoreError> {
    Ok(UserRow {
        name: user_name_from("users.name", r.try_get::<&str, _>("name")?)?,
        role: role_from("users.role", r.try_get::<&str, _>("role")?)?,
        display_name: r.try_get("display_name")?,
        secret_hash: r.try_get("secret_hash")?,
        enabled: r.try_get("enabled")?,
        created: time_from(r.try_get("created_ms")?),
    })
}

fn session_row(r: &SqliteRow) -> Result<SessionRow, StoreError> {
    Ok(SessionRow {
        token_hash: hash_from("sessions.token_hash", r.try_get::<&[u8], _>("token_hash")?)?,
        user: user_name_from("sessions.user_name", r.try_get::<&str, _>("user_name")?)?,
        role: role_from("sessions.role", r.try_get::<&str, _>("role")?)?,
        created: time_from(r.try_get("created_ms")?),
        expires: time_from(r.try_get("expires_ms")?),
    })
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn log_head(&self) -> Result<Option<(Seq, Hash)>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        head(&mut conn).await
    }

    async fn append(&self, batch: &[Sealed]) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        check_continuity(head(&mut tx).await?, batch)?;
        // Multi-row inserts in a few fixed sizes: each size is one cached prepared statement,
        // and a batch of hundreds of events costs a handful of statements, not hundreds.
        let mut events = Vec::with_capacity(batch.len());
        let mut subjects = Vec::new();
        for sealed in batch {
            let seq = seq_param(sealed.event.seq)?;
            events.push((seq, sealed));
            for subject in &sealed.event.subjects {
                subjects.push((i64::from(subject.kind.code()), subject.id.as_str(), seq));
            }
        }
        for chunk in chunked(&events) {
            QueryBuilder::<Sqlite>::new("INSERT INTO events (seq, time_ms, kind, record, hash) ")
                .push_values(chunk, |mut row, (seq, sealed)| {
                    row.push_bind(*seq)
                        .push_bind(sealed.event.time.0)
                        .push_bind(i64::from(sealed.event.kind.code()))
                        .push_bind(sealed.bytes.as_slice())
                        .push_bind(sealed.hash.0.as_slice());
                })
                .build()
                .execute(&mut *tx)
                .await
                .map_err(conflict_on("events.seq"))?;
        }
        for chunk in chunked(&subjects) {
            QueryBuilder::<Sqlite>::new(
                "INSERT OR IGNORE INTO event_subjects (subject_kind, subject_id, seq) ",
            )
            .push_values(chunk, |mut row, (kind, id, seq)| {
                row.push_bind(*kind).push_bind(*id).push_bind(*seq);
            })
            .build()
            .execute(&mut *tx)
            .await?;
        }
        let totals = kind_totals(batch);
        for chunk in chunked(&totals) {
            QueryBuilder::<Sqlite>::new("INSERT INTO kind_counts (kind, n) ")
                .push_values(chunk, |mut row, (kind, n)| {
                    row.push_bind(*kind).push_bind(*n);
                })
                .push(" ON CONFLICT (kind) DO UPDATE SET n = kind_counts.n + excluded.n")
                .build()
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn events(&self, from: Seq, limit: u32) -> Result<Vec<StoredEvent>, StoreError> {
        let rows =
            sqlx::query("SELECT seq, record, hash FROM events WHERE seq >= ? ORDER BY seq LIMIT ?")
                .bind(i64::try_from(from.0).unwrap_or(i64::MAX))
                .bind(i64::from(limit))
                .fetch_all(&self.reader)
                .await?;
        rows.iter().map(event_row).collect()
    }

    async fn events_desc(
        &self,
        before: Option<Seq>,
        kind: Option<u16>,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let before = before.map_or(i64::MAX, |s| i64::try_from(s.0).unwrap_or(i64::MAX));
        let rows =
            match kind {
                None => sqlx::query(
                    "SELECT seq, record, hash FROM events WHERE seq < ? ORDER BY seq DESC LIMIT ?",
                )
                .bind(before)
                .bind(i64::from(limit))
                .fetch_all(&self.reader)
                .await?,
                Some(kind) => {
                    sqlx::query(
                        "SELECT seq, record, hash FROM events WHERE kind = ? AND seq < ? \
                     ORDER BY seq DESC LIMIT ?",
                    )
                    .bind(i64::from(kind))
                    .bind(before)
                    .bind(i64::from(limit))
                    .fetch_all(&self.reader)
                    .await?
                }
            };
        rows.iter().map(event_row).collect()
    }

    async fn events_about(
        &self,
        subject: &SubjectRef,
        before: Option<Seq>,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.seq, e.record, e.hash FROM event_subjects s JOIN events e ON e.seq = s.seq \
                 WHERE s.subject_kind = ? AND s.subject_id = ? AND s.seq < ? \
                 ORDER BY s.seq DESC LIMIT ?",
        )
        .bind(i64::from(subject.kind.code()))
        .bind(subject.id.as_str())
        .bind(before.map_or(i64::MAX, |s| i64::try_from(s.0).unwrap_or(i64::MAX)))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(event_row).collect()
    }

    async fn put_checkpoint(&self, cp: &StoredCheckpoint) -> Result<(), StoreError> {
        let tree_size = count_param(cp.tree_size, "checkpoint tree size")?;
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        let existing = sqlx::query("SELECT body, signature FROM checkpoints WHERE tree_size = ?")
            .bind(tree_size)
            .fetch_optional(&mut *tx)
            .await?;
        match existing {
            Some(row) => {
                let body: &[u8] = row.try_get("body")?;
                let signature: &[u8] = row.try_get("signature")?;
                if body != cp.body.as_slice() || signature != cp.signature.as_slice() {
                    return Err(StoreError::Conflict {
                        constraint: "checkpoints.tree_size".to_owned(),
                    });
                }
            }
            None => {
                sqlx::query(
                    "INSERT INTO checkpoints (tree_size, body, signature) VALUES (?, ?, ?)",
                )
                .bind(tree_size)
                .bind(cp.body.as_slice())
                .bind(cp.signature.as_slice())
                .execute(&mut *tx)
                .await
                .map_err(conflict_on("checkpoints.tree_size"))?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError> {
        let rows =
            sqlx::query("SELECT tree_size, body, signature FROM checkpoints ORDER BY tree_size")
                .fetch_all(&self.reader)
                .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredCheckpoint {
                    tree_size: count_from("checkpoints.tree_size", r.try_get("tree_size")?)?,
                    body: r.try_get("body")?,
                    signature: r.try_get("signature")?,
                })
            })
            .collect()
    }

    async fn put_frontier(&self, tree_size: u64, frontier: &[u8]) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO log_frontiers (tree_size, frontier) VALUES (?, ?) \
             ON CONFLICT (tree_size) DO UPDATE SET frontier = excluded.frontier",
        )
        .bind(count_param(tree_size, "frontier tree size")?)
        .bind(frontier)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn last_frontier(&self) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        let row = sqlx::query(
            "SELECT tree_size, frontier FROM log_frontiers ORDER BY tree_size DESC LIMIT 1",
        )
        .fetch_optional(&self.reader)
        .await?;
        row.map(|r| {
            Ok((
                count_from("log_frontiers.tree_size", r.try_get("tree_size")?)?,
                r.try_get("frontier")?,
            ))
        })
        .transpose()
    }

    async fn create_user(&self, user: &NewUser) -> Result<UserRow, StoreError> {
        let row = sqlx::query(
            "INSERT INTO users (name, role, display_name, secret_hash, enabled, created_ms) \
             VALUES (?, ?, ?, ?, 1, ?) \
             RETURNING name, role, display_name, secret_hash, enabled, created_ms",
        )
        .bind(user.name.as_str())
        .bind(user.role.as_str())
        .bind(user.display_name.as_str())
        .bind(user.secret_hash.as_str())
        .bind(user.created.0)
        .fetch_one(&self.writer)
        .await
        .map_err(conflict_on("users.name"))?;
        user_row(&row)
    }

    async fn user(&self, name: &UserName) -> Result<UserRow, StoreError> {
        let row = sqlx::query(
            "SELECT name, role, display_name, secret_hash, enabled, created_ms FROM users WHERE name = ?",
        )
        .bind(name.as_str())
        .fetch_one(&self.reader)
        .await?;
        user_row(&row)
    }

    async fn users(&self) -> Result<Vec<UserRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT name, role, display_name, secret_hash, enabled, created_ms FROM users ORDER BY name",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(user_row).collect()
    }

    async fn set_secret(&self, name: &UserName, secret_hash: &str) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE users SET secret_hash = ? WHERE name = ?")
            .bind(secret_hash)
            .bind(name.as_str())
            .execute(&self.writer)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn create_session(&self, session: &SessionRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_name, role, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(session.token_hash.0.as_slice())
        .bind(session.user.as_str())
        .bind(session.role.as_str())
        .bind(session.created.0)
        .bind(session.expires.0)
        .execute(&self.writer)
        .await
        .map_err(name_violations("sessions.token_hash", Some("sessions.user_name")))?;
        Ok(())
    }

    async fn session(&self, token_hash: &Hash) -> Result<SessionRow, StoreError> {
        let row = sqlx::query(
            "SELECT token_hash, user_name, role, created_ms, expires_ms FROM sessions WHERE token_hash = ?",
        )
        .bind(token_hash.0.as_slice())
        .fetch_one(&self.reader)
        .await?;
        session_row(&row)
    }

    async fn delete_session(&self, token_hash: &Hash) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(token_hash.0.as_slice())
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn purge_sessions(&self, now: UnixMs) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_ms < ?")
            .bind(now.0)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }

    async fn kind_counts(&self) -> Result<Vec<(u16, u64)>, StoreError> {
        let rows = sqlx::query("SELECT kind, n FROM kind_counts ORDER BY kind")
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    kind_from("kind_counts.kind", r.try_get("kind")?)?,
                    count_from("kind_counts.n", r.try_get("n")?)?,
                ))
            })
            .collect()
    }
}
