//! [`CentralStore`] on SQLite (tests, small installations). Writes on one connection, each in
//! `BEGIN IMMEDIATE`; WAL with `synchronous=FULL`.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use audit::{Chain, Hash, PublicKey};
use model::{Seq, SiteId, UnixMs};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite};

use super::{
    CentralAccount, CentralAlarm, CentralKey, CentralStore, FLOW_LIMIT, FlowEntry, FlowRow,
    HEAD_MOVED, alarm_row, check_dense, check_flow, checkpoint_row, event_row, flow_row, key_row,
    site_from,
};
use crate::rows::{chunked, count_from, hash_from, seq_from, seq_param, time_from};
use crate::{StoreError, StoredCheckpoint, StoredEvent};

/// The SQLite central store.
pub struct SqliteCentral {
    writer: SqlitePool,
    reader: SqlitePool,
    location: String,
}

impl fmt::Debug for SqliteCentral {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteCentral")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl SqliteCentral {
    /// Opens (creating it if missing) the database at a `sqlite:` URL and runs the central
    /// migrations.
    pub async fn open(url: &str) -> Result<SqliteCentral, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options.clone())
            .await?;
        super::sqlite_migrator().run(&writer).await?;
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let reader = if in_memory {
            writer.clone()
        } else {
            SqlitePoolOptions::new()
                .max_connections(4)
                .connect_lazy_with(options)
        };
        Ok(SqliteCentral {
            writer,
            reader,
            location: crate::url::redact(url),
        })
    }

    /// Closes the pools.
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

#[async_trait]
impl CentralStore for SqliteCentral {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn register_site(
        &self,
        site: &SiteId,
        key: &PublicKey,
        at: UnixMs,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("INSERT OR IGNORE INTO central_sites (site, registered) VALUES (?, ?)")
            .bind(site.as_str())
            .bind(at.0)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT OR IGNORE INTO central_heads (site, seq, hash) VALUES (?, 0, ?)")
            .bind(site.as_str())
            .bind(Chain::genesis_hash(site).0.as_slice())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT OR IGNORE INTO central_site_keys (site, public_key, added) VALUES (?, ?, ?)",
        )
        .bind(site.as_str())
        .bind(key.0.as_slice())
        .bind(at.0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn retire_key(
        &self,
        site: &SiteId,
        key: &PublicKey,
        at: UnixMs,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE central_site_keys SET retired = COALESCE(retired, ?) WHERE site = ? AND public_key = ?",
        )
        .bind(at.0)
        .bind(site.as_str())
        .bind(key.0.as_slice())
        .execute(&self.writer)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn site_keys(&self, site: &SiteId) -> Result<Vec<CentralKey>, StoreError> {
        self.head(site).await?;
        let rows = sqlx::query(
            "SELECT public_key, added, retired FROM central_site_keys WHERE site = ? ORDER BY added, public_key",
        )
        .bind(site.as_str())
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(key_row).collect()
    }

    async fn sites(&self) -> Result<Vec<SiteId>, StoreError> {
        let rows = sqlx::query("SELECT site FROM central_sites ORDER BY site")
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|r| site_from("central_sites.site", r.try_get("site")?))
            .collect()
    }

    async fn head(&self, site: &SiteId) -> Result<(Seq, Hash), StoreError> {
        let r = sqlx::query("SELECT seq, hash FROM central_heads WHERE site = ?")
            .bind(site.as_str())
            .fetch_one(&self.writer)
            .await?;
        Ok((
            seq_from("central_heads.seq", r.try_get("seq")?)?,
            hash_from("central_heads.hash", r.try_get("hash")?)?,
        ))
    }

    async fn ingest(
        &self,
        site: &SiteId,
        expected: Seq,
        events: &[StoredEvent],
        checkpoints: &[StoredCheckpoint],
        flow: &[FlowRow],
        at: UnixMs,
    ) -> Result<(), StoreError> {
        check_dense(expected, events)?;
        check_flow(expected, events, flow)?;
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        if let Some(last) = events.last() {
            let moved = sqlx::query(
                "UPDATE central_heads SET seq = ?, hash = ? WHERE site = ? AND seq = ?",
            )
            .bind(seq_param(last.seq)?)
            .bind(last.hash.0.as_slice())
            .bind(site.as_str())
            .bind(seq_param(expected)?)
            .execute(&mut *tx)
            .await?;
            if moved.rows_affected() != 1 {
                return Err(StoreError::Conflict {
                    constraint: HEAD_MOVED.to_owned(),
                });
            }
        }
        let rows = events
            .iter()
            .map(|e| Ok((seq_param(e.seq)?, e)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        for chunk in chunked(&rows) {
            QueryBuilder::<Sqlite>::new(
                "INSERT INTO central_events (site, seq, record, hash, received) ",
            )
            .push_values(chunk, |mut row, (seq, e)| {
                row.push_bind(site.as_str())
                    .push_bind(*seq)
                    .push_bind(e.bytes.as_slice())
                    .push_bind(e.hash.0.as_slice())
                    .push_bind(at.0);
            })
            .build()
            .execute(&mut *tx)
            .await
            .map_err(crate::error::conflict_on("central_events.seq"))?;
        }
        for cp in checkpoints {
            sqlx::query(
                "INSERT OR IGNORE INTO central_checkpoints (site, tree_size, body, signature) VALUES (?, ?, ?, ?)",
            )
            .bind(site.as_str())
            .bind(crate::rows::count_param(cp.tree_size, "tree_size")?)
            .bind(cp.body.as_slice())
            .bind(cp.signature.as_slice())
            .execute(&mut *tx)
            .await?;
        }
        let flow = flow
            .iter()
            .map(|f| Ok((seq_param(f.seq)?, f)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        for chunk in chunked(&flow) {
            QueryBuilder::<Sqlite>::new(
                "INSERT INTO central_flow (site, seq, time, step, code, candidate, session, kind, detail) ",
            )
            .push_values(chunk, |mut row, (seq, f)| {
                row.push_bind(site.as_str())
                    .push_bind(*seq)
                    .push_bind(f.time.0)
                    .push_bind(f.step.as_str())
                    .push_bind(f.code.as_deref())
                    .push_bind(f.candidate.as_deref())
                    .push_bind(f.session.as_deref())
                    .push_bind(f.kind.as_str())
                    .push_bind(f.detail.as_str());
            })
            .build()
            .execute(&mut *tx)
            .await
            .map_err(crate::error::conflict_on("central_flow.seq"))?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn events(
        &self,
        site: &SiteId,
        from: Seq,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, record, hash FROM central_events WHERE site = ? AND seq >= ? ORDER BY seq LIMIT ?",
        )
        .bind(site.as_str())
        .bind(seq_param(from)?)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(event_row).collect()
    }

    async fn event_count(&self, site: &SiteId) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM central_events WHERE site = ?")
            .bind(site.as_str())
            .fetch_one(&self.reader)
            .await?;
        count_from("central_events count", n)
    }

    async fn checkpoints(&self, site: &SiteId) -> Result<Vec<StoredCheckpoint>, StoreError> {
        let rows = sqlx::query(
            "SELECT tree_size, body, signature FROM central_checkpoints WHERE site = ? ORDER BY tree_size",
        )
        .bind(site.as_str())
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(checkpoint_row).collect()
    }

    async fn raise_alarm(&self, alarm: &CentralAlarm) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO central_alarms (site, seq, detail, raised) VALUES (?, ?, ?, ?)")
            .bind(alarm.site.as_str())
            .bind(seq_param(alarm.seq)?)
            .bind(alarm.detail.as_str())
            .bind(alarm.raised.0)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn alarms(&self, site: Option<&SiteId>) -> Result<Vec<CentralAlarm>, StoreError> {
        let rows = sqlx::query(
            "SELECT site, seq, detail, raised FROM central_alarms WHERE ? IS NULL OR site = ? ORDER BY id",
        )
        .bind(site.map(|s| s.as_str()))
        .bind(site.map(|s| s.as_str()))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(alarm_row).collect()
    }

    async fn flow_after(&self, after: i64, limit: u32) -> Result<Vec<FlowEntry>, StoreError> {
        let rows = sqlx::query(flow_select!("WHERE id > ? ORDER BY id LIMIT ?"))
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(flow_row).collect()
    }

    async fn flow_last_id(&self) -> Result<i64, StoreError> {
        let id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM central_flow")
            .fetch_one(&self.reader)
            .await?;
        Ok(id)
    }

    async fn candidate_flow(&self, candidate: &str) -> Result<Vec<FlowEntry>, StoreError> {
        let rows = sqlx::query(flow_select!(
            "WHERE candidate = ? ORDER BY time, site, seq LIMIT ?"
        ))
        .bind(candidate)
        .bind(i64::from(FLOW_LIMIT))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(flow_row).collect()
    }

    async fn site_flow(
        &self,
        site: &SiteId,
        from: UnixMs,
        to: UnixMs,
    ) -> Result<Vec<FlowEntry>, StoreError> {
        let rows = sqlx::query(flow_select!(
            "WHERE site = ? AND time >= ? AND time < ? ORDER BY seq LIMIT ?"
        ))
        .bind(site.as_str())
        .bind(from.0)
        .bind(to.0)
        .bind(i64::from(FLOW_LIMIT))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(flow_row).collect()
    }

    async fn create_account(
        &self,
        name: &str,
        role: &str,
        token_hash: &[u8; 32],
        at: UnixMs,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO central_accounts (name, role, token_hash, created) VALUES (?, ?, ?, ?)",
        )
        .bind(name)
        .bind(role)
        .bind(token_hash.as_slice())
        .bind(at.0)
        .execute(&self.writer)
        .await
        .map_err(crate::error::conflict_on("central_accounts.name"))?;
        Ok(())
    }

    async fn account_by_token(
        &self,
        token_hash: &[u8; 32],
    ) -> Result<Option<CentralAccount>, StoreError> {
        let row =
            sqlx::query("SELECT name, role, created FROM central_accounts WHERE token_hash = ?")
                .bind(token_hash.as_slice())
                .fetch_optional(&self.reader)
                .await?;
        row.map(|r| {
            Ok(CentralAccount {
                name: r.try_get("name")?,
                role: r.try_get("role")?,
                created: time_from(r.try_get("created")?),
            })
        })
        .transpose()
    }
}
