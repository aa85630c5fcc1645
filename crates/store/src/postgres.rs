//! The PostgreSQL backend, for the central tier (and any site that prefers a server).
//!
//! Commits are durable with the server's default `synchronous_commit = on`. An append locks
//! the event table against other appenders (readers go on) so the continuity check and the
//! insert see the same head, and writes a whole batch with one `INSERT … SELECT FROM UNNEST`
//! per table.

mod identity;

use std::fmt;
use std::str::FromStr;

use async_trait::async_trait;
use audit::{Hash, Sealed};
use model::{Seq, SubjectRef, UnixMs, UserName};
use sqlx::Row;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions, PgRow};

use crate::error::{conflict_on, name_violations};
use crate::rows::{
    check_continuity, count_from, count_param, hash_from, kind_from, kind_totals, role_from,
    seq_from, seq_param, time_from, user_name_from,
};
use crate::url::redact;
use crate::{NewUser, SessionRow, Store, StoreError, StoredCheckpoint, StoredEvent, UserRow};

/// Connections in the pool.
const CONNECTIONS: u32 = 8;

/// The PostgreSQL store. Connect with [`PgStore::connect`] or [`crate::open`].
pub struct PgStore {
    pool: PgPool,
    /// The URL with any password replaced, for `Debug`.
    location: String,
}

impl fmt::Debug for PgStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgStore")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects to a `postgres:` or `postgresql:` URL and runs the migrations.
    pub async fn connect(url: &str) -> Result<PgStore, StoreError> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(CONNECTIONS)
            .connect_with(options)
            .await?;
        crate::migrations::postgres().run(&pool).await?;
        Ok(PgStore {
            pool,
            location: redact(url),
        })
    }

    /// Closes the pool, waiting for connections in use to come back.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

async fn head(conn: &mut PgConnection) -> Result<Option<(Seq, Hash)>, StoreError> {
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

fn event_row(r: &PgRow) -> Result<StoredEvent, StoreError> {
    Ok(StoredEvent {
        seq: seq_from("events.seq", r.try_get("seq")?)?,
        bytes: r.try_get("record")?,
        hash: hash_from("events.hash", r.try_get::<&[u8], _>("hash")?)?,
    })
}

fn user_row(r: &PgRow) -> Result<UserRow, StoreError> {
    Ok(UserRow {
        name: user_name_from("users.name", r.try_get::<&str, _>("name")?)?,
        role: role_from("users.role", r.try_get::<&str, _>("role")?)?,
        display_name: r.try_get("display_name")?,
        secret_hash: r.try_get("secret_hash")?,
        enabled: r.try_get("enabled")?,
        created: time_from(r.try_get("created_ms")?),
    })
}

fn session_row(r: &PgRow) -> Result<SessionRow, StoreError> {
    Ok(SessionRow {
        token_hash: hash_from("sessions.token_hash", r.try_get::<&[u8], _>("token_hash")?)?,
        user: user_name_from("sessions.user_name", r.try_get::<&str, _>("user_name")?)?,
        role: role_from("sessions.role", r.try_get::<&str, _>("role")?)?,
        created: time_from(r.try_get("created_ms")?),
        expires: time_from(r.try_get("expires_ms")?),
    })
}

fn seq_bound(seq: Seq) -> i64 {
    i64::try_from(seq.0).unwrap_or(i64::MAX)
}

#[async_trait]
impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn log_head(&self) -> Result<Option<(Seq, Hash)>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        head(&mut conn).await
    }

    async fn append(&self, batch: &[Sealed]) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut seqs = Vec::with_capacity(batch.len());
        let mut times = Vec::with_capacity(batch.len());
        let mut kinds = Vec::with_capacity(batch.len());
        let mut records = Vec::with_capacity(batch.len());
        let mut hashes = Vec::with_capacity(batch.len());
        let (mut subject_kinds, mut subject_ids, mut subject_seqs) =
            (Vec::new(), Vec::new(), Vec::new());
        for sealed in batch {
            let seq = seq_param(sealed.event.seq)?;
            seqs.push(seq);
            times.push(sealed.event.time.0);
            kinds.push(i32::from(sealed.event.kind.code()));
            records.push(sealed.bytes.as_slice());
            hashes.push(sealed.hash.0.as_slice());
            for subject in &sealed.event.subjects {
                subject_kinds.push(i16::from(subject.kind.code()));
                subject_ids.push(subject.id.as_str());
                subject_seqs.push(seq);
            }
        }
        let (count_kinds, counts): (Vec<i32>, Vec<i64>) = kind_totals(batch)
            .into_iter()
            .map(|(k, n)| (k as i32, n))
            .unzip();

        let mut tx = self.pool.begin().await?;
        // One appender at a time; readers are not blocked.
        sqlx::query("LOCK TABLE events IN EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
        check_continuity(head(&mut tx).await?, batch)?;
        sqlx::query(
            "INSERT INTO events (seq, time_ms, kind, record, hash) \
             SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::INTEGER[], $4::BYTEA[], $5::BYTEA[])",
        )
        .bind(seqs)
        .bind(times)
        .bind(kinds)
        .bind(records)
        .bind(hashes)
        .execute(&mut *tx)
        .await
        .map_err(conflict_on("events.seq"))?;
        if !subject_seqs.is_empty() {
            sqlx::query(
                "INSERT INTO event_subjects (subject_kind, subject_id, seq) \
                 SELECT * FROM UNNEST($1::SMALLINT[], $2::TEXT[], $3::BIGINT[]) ON CONFLICT DO NOTHING",
            )
            .bind(subject_kinds)
            .bind(subject_ids)
            .bind(subject_seqs)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO kind_counts (kind, n) SELECT * FROM UNNEST($1::INTEGER[], $2::BIGINT[]) \
             ON CONFLICT (kind) DO UPDATE SET n = kind_counts.n + EXCLUDED.n",
        )
        .bind(count_kinds)
        .bind(counts)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn events(&self, from: Seq, limit: u32) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, record, hash FROM events WHERE seq >= $1 ORDER BY seq LIMIT $2",
        )
        .bind(seq_bound(from))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(event_row).collect()
    }

    async fn events_desc(
        &self,
        before: Option<Seq>,
        kind: Option<u16>,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let before = before.map_or(i64::MAX, seq_bound);
        let rows = match kind {
            None => sqlx::query(
                "SELECT seq, record, hash FROM events WHERE seq < $1 ORDER BY seq DESC LIMIT $2",
            )
            .bind(before)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?,
            Some(kind) => {
                sqlx::query(
                    "SELECT seq, record, hash FROM events WHERE kind = $1 AND seq < $2 \
                     ORDER BY seq DESC LIMIT $3",
                )
                .bind(i32::from(kind))
                .bind(before)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
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
                 WHERE s.subject_kind = $1 AND s.subject_id = $2 AND s.seq < $3 \
                 ORDER BY s.seq DESC LIMIT $4",
        )
        .bind(i16::from(subject.kind.code()))
        .bind(subject.id.as_str())
        .bind(before.map_or(i64::MAX, seq_bound))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(event_row).collect()
    }

    async fn put_checkpoint(&self, cp: &StoredCheckpoint) -> Result<(), StoreError> {
        let tree_size = count_param(cp.tree_size, "checkpoint tree size")?;
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO checkpoints (tree_size, body, signature) VALUES ($1, $2, $3) \
             ON CONFLICT (tree_size) DO NOTHING",
        )
        .bind(tree_size)
        .bind(cp.body.as_slice())
        .bind(cp.signature.as_slice())
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            let row = sqlx::query("SELECT body, signature FROM checkpoints WHERE tree_size = $1")
                .bind(tree_size)
                .fetch_one(&mut *tx)
                .await?;
            let body: &[u8] = row.try_get("body")?;
            let signature: &[u8] = row.try_get("signature")?;
            if body != cp.body.as_slice() || signature != cp.signature.as_slice() {
                return Err(StoreError::Conflict {
                    constraint: "checkpoints.tree_size".to_owned(),
                });
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError> {
        let rows =
            sqlx::query("SELECT tree_size, body, signature FROM checkpoints ORDER BY tree_size")
                .fetch_all(&self.pool)
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
            "INSERT INTO log_frontiers (tree_size, frontier) VALUES ($1, $2) \
             ON CONFLICT (tree_size) DO UPDATE SET frontier = excluded.frontier",
        )
        .bind(count_param(tree_size, "frontier tree size")?)
        .bind(frontier)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn last_frontier(&self) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        let row = sqlx::query(
            "SELECT tree_size, frontier FROM log_frontiers ORDER BY tree_size DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
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
             VALUES ($1, $2, $3, $4, TRUE, $5) \
             RETURNING name, role, display_name, secret_hash, enabled, created_ms",
        )
        .bind(user.name.as_str())
        .bind(user.role.as_str())
        .bind(user.display_name.as_str())
        .bind(user.secret_hash.as_str())
        .bind(user.created.0)
        .fetch_one(&self.pool)
        .await
        .map_err(conflict_on("users.name"))?;
        user_row(&row)
    }

    async fn user(&self, name: &UserName) -> Result<UserRow, StoreError> {
        let row = sqlx::query(
            "SELECT name, role, display_name, secret_hash, enabled, created_ms FROM users WHERE name = $1",
        )
        .bind(name.as_str())
        .fetch_one(&self.pool)
        .await?;
        user_row(&row)
    }

    async fn users(&self) -> Result<Vec<UserRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT name, role, display_name, secret_hash, enabled, created_ms FROM users ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(user_row).collect()
    }

    async fn set_secret(&self, name: &UserName, secret_hash: &str) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE users SET secret_hash = $1 WHERE name = $2")
            .bind(secret_hash)
            .bind(name.as_str())
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn create_session(&self, session: &SessionRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_name, role, created_ms, expires_ms) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(session.token_hash.0.as_slice())
        .bind(session.user.as_str())
        .bind(session.role.as_str())
        .bind(session.created.0)
        .bind(session.expires.0)
        .execute(&self.pool)
        .await
        .map_err(name_violations(
            "sessions.token_hash",
            Some("sessions.user_name"),
        ))?;
        Ok(())
    }

    async fn session(&self, token_hash: &Hash) -> Result<SessionRow, StoreError> {
        let row = sqlx::query(
            "SELECT token_hash, user_name, role, created_ms, expires_ms FROM sessions WHERE token_hash = $1",
        )
        .bind(token_hash.0.as_slice())
        .fetch_one(&self.pool)
        .await?;
        session_row(&row)
    }

    async fn delete_session(&self, token_hash: &Hash) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash.0.as_slice())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn purge_sessions(&self, now: UnixMs) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_ms < $1")
            .bind(now.0)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn kind_counts(&self) -> Result<Vec<(u16, u64)>, StoreError> {
        let rows = sqlx::query("SELECT kind, n FROM kind_counts ORDER BY kind")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let kind = kind_from("kind_counts.kind", i64::from(r.try_get::<i32, _>("kind")?))?;
                Ok((kind, count_from("kind_counts.n", r.try_get("n")?)?))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn debug_hides_the_password() {
        let url = "postgres://examd:s3cret@127.0.0.1:1/examd?password=s3cret";
        let options = PgConnectOptions::from_str(url).unwrap();
        let store = PgStore {
            pool: PgPoolOptions::new().connect_lazy_with(options),
            location: redact(url),
        };
        let shown = format!("{store:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("127.0.0.1:1/examd"), "{shown}");
    }
}
