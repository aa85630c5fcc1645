//! [`CentralStore`] on PostgreSQL, the central tier's database. An ingest is one transaction:
//! the guarded head update (which row-locks the site's head, so batches of one site queue up
//! while other sites proceed), one `UNNEST` insert of the events, the checkpoints.

use std::fmt;
use std::str::FromStr;

use async_trait::async_trait;
use audit::{Chain, Hash, PublicKey};
use model::{Seq, SiteId, UnixMs};
use sqlx::Row;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::{
    CentralAccount, CentralAlarm, CentralKey, CentralStore, FLOW_LIMIT, FlowEntry, FlowRow,
    HEAD_MOVED, alarm_row, check_dense, check_flow, checkpoint_row, event_row, flow_row, key_row,
    site_from,
};
use crate::rows::{count_from, count_param, hash_from, seq_from, seq_param, time_from};
use crate::{StoreError, StoredCheckpoint, StoredEvent};

/// Connections in the pool.
const CONNECTIONS: u32 = 16;

/// The PostgreSQL central store.
pub struct PgCentral {
    pool: PgPool,
    location: String,
}

impl fmt::Debug for PgCentral {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgCentral")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl PgCentral {
    /// Connects to a `postgres:` URL and runs the central migrations.
    pub async fn connect(url: &str) -> Result<PgCentral, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(CONNECTIONS)
            .connect_with(PgConnectOptions::from_str(url)?)
            .await?;
        super::postgres_migrator().run(&pool).await?;
        Ok(PgCentral {
            pool,
            location: crate::url::redact(url),
        })
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl CentralStore for PgCentral {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn register_site(
        &self,
        site: &SiteId,
        key: &PublicKey,
        at: UnixMs,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO central_sites (site, registered) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(site.as_str())
        .bind(at.0)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO central_heads (site, seq, hash) VALUES ($1, 0, $2) ON CONFLICT DO NOTHING",
        )
        .bind(site.as_str())
        .bind(Chain::genesis_hash(site).0.as_slice())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO central_site_keys (site, public_key, added) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
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
            "UPDATE central_site_keys SET retired = COALESCE(retired, $1) WHERE site = $2 AND public_key = $3",
        )
        .bind(at.0)
        .bind(site.as_str())
        .bind(key.0.as_slice())
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn site_keys(&self, site: &SiteId) -> Result<Vec<CentralKey>, StoreError> {
        self.head(site).await?;
        let rows = sqlx::query(
            "SELECT public_key, added, retired FROM central_site_keys WHERE site = $1 ORDER BY added, public_key",
        )
        .bind(site.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(key_row).collect()
    }

    async fn sites(&self) -> Result<Vec<SiteId>, StoreError> {
        let rows = sqlx::query("SELECT site FROM central_sites ORDER BY site")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| site_from("central_sites.site", r.try_get("site")?))
            .collect()
    }

    async fn head(&self, site: &SiteId) -> Result<(Seq, Hash), StoreError> {
        let r = sqlx::query("SELECT seq, hash FROM central_heads WHERE site = $1")
            .bind(site.as_str())
            .fetch_one(&self.pool)
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
        let mut tx = self.pool.begin().await?;
        if let Some(last) = events.last() {
            let moved = sqlx::query(
                "UPDATE central_heads SET seq = $1, hash = $2 WHERE site = $3 AND seq = $4",
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
            let seqs = events
                .iter()
                .map(|e| seq_param(e.seq))
                .collect::<Result<Vec<_>, _>>()?;
            let records: Vec<&[u8]> = events.iter().map(|e| e.bytes.as_slice()).collect();
            let hashes: Vec<&[u8]> = events.iter().map(|e| e.hash.0.as_slice()).collect();
            sqlx::query(
                "INSERT INTO central_events (site, seq, record, hash, received) \
                 SELECT $1, s, r, h, $2 FROM UNNEST($3::BIGINT[], $4::BYTEA[], $5::BYTEA[]) AS u(s, r, h)",
            )
            .bind(site.as_str())
            .bind(at.0)
            .bind(seqs)
            .bind(records)
            .bind(hashes)
            .execute(&mut *tx)
            .await
            .map_err(crate::error::conflict_on("central_events.seq"))?;
        }
        for cp in checkpoints {
            sqlx::query(
                "INSERT INTO central_checkpoints (site, tree_size, body, signature) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(site.as_str())
            .bind(count_param(cp.tree_size, "tree_size")?)
            .bind(cp.body.as_slice())
            .bind(cp.signature.as_slice())
            .execute(&mut *tx)
            .await?;
        }
        if !flow.is_empty() {
            let seqs = flow
                .iter()
                .map(|f| seq_param(f.seq))
                .collect::<Result<Vec<_>, _>>()?;
            let times: Vec<i64> = flow.iter().map(|f| f.time.0).collect();
            let steps: Vec<&str> = flow.iter().map(|f| f.step.as_str()).collect();
            let codes: Vec<Option<&str>> = flow.iter().map(|f| f.code.as_deref()).collect();
            let candidates: Vec<Option<&str>> =
                flow.iter().map(|f| f.candidate.as_deref()).collect();
            let sessions: Vec<Option<&str>> = flow.iter().map(|f| f.session.as_deref()).collect();
            let kinds: Vec<&str> = flow.iter().map(|f| f.kind.as_str()).collect();
            let details: Vec<&str> = flow.iter().map(|f| f.detail.as_str()).collect();
            sqlx::query(
                "INSERT INTO central_flow (site, seq, time, step, code, candidate, session, kind, detail) \
                 SELECT $1, s, t, st, c, ca, se, k, d FROM UNNEST($2::BIGINT[], $3::BIGINT[], $4::TEXT[], \
                 $5::TEXT[], $6::TEXT[], $7::TEXT[], $8::TEXT[], $9::TEXT[]) AS u(s, t, st, c, ca, se, k, d)",
            )
            .bind(site.as_str())
            .bind(seqs)
            .bind(times)
            .bind(steps)
            .bind(codes)
            .bind(candidates)
            .bind(sessions)
            .bind(kinds)
            .bind(details)
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
            "SELECT seq, record, hash FROM central_events WHERE site = $1 AND seq >= $2 ORDER BY seq LIMIT $3",
        )
        .bind(site.as_str())
        .bind(seq_param(from)?)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(event_row).collect()
    }

    async fn event_count(&self, site: &SiteId) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM central_events WHERE site = $1")
            .bind(site.as_str())
            .fetch_one(&self.pool)
            .await?;
        count_from("central_events count", n)
    }

    async fn checkpoints(&self, site: &SiteId) -> Result<Vec<StoredCheckpoint>, StoreError> {
        let rows = sqlx::query(
            "SELECT tree_size, body, signature FROM central_checkpoints WHERE site = $1 ORDER BY tree_size",
        )
        .bind(site.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(checkpoint_row).collect()
    }

    async fn raise_alarm(&self, alarm: &CentralAlarm) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO central_alarms (site, seq, detail, raised) VALUES ($1, $2, $3, $4)",
        )
        .bind(alarm.site.as_str())
        .bind(seq_param(alarm.seq)?)
        .bind(alarm.detail.as_str())
        .bind(alarm.raised.0)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn alarms(&self, site: Option<&SiteId>) -> Result<Vec<CentralAlarm>, StoreError> {
        let rows = sqlx::query(
            "SELECT site, seq, detail, raised FROM central_alarms \
             WHERE $1::TEXT IS NULL OR site = $1 ORDER BY id",
        )
        .bind(site.map(|s| s.as_str()))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(alarm_row).collect()
    }

    async fn flow_after(&self, after: i64, limit: u32) -> Result<Vec<FlowEntry>, StoreError> {
        let rows = sqlx::query(flow_select!("WHERE id > $1 ORDER BY id LIMIT $2"))
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(flow_row).collect()
    }

    async fn flow_last_id(&self) -> Result<i64, StoreError> {
        let id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM central_flow")
            .fetch_one(&self.pool)
            .await?;
        Ok(id)
    }

    async fn candidate_flow(&self, candidate: &str) -> Result<Vec<FlowEntry>, StoreError> {
        let rows = sqlx::query(flow_select!(
            "WHERE candidate = $1 ORDER BY time, site, seq LIMIT $2"
        ))
        .bind(candidate)
        .bind(i64::from(FLOW_LIMIT))
        .fetch_all(&self.pool)
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
            "WHERE site = $1 AND time >= $2 AND time < $3 ORDER BY seq LIMIT $4"
        ))
        .bind(site.as_str())
        .bind(from.0)
        .bind(to.0)
        .bind(i64::from(FLOW_LIMIT))
        .fetch_all(&self.pool)
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
            "INSERT INTO central_accounts (name, role, token_hash, created) VALUES ($1, $2, $3, $4)",
        )
        .bind(name)
        .bind(role)
        .bind(token_hash.as_slice())
        .bind(at.0)
        .execute(&self.pool)
        .await
        .map_err(crate::error::conflict_on("central_accounts.name"))?;
        Ok(())
    }

    async fn account_by_token(
        &self,
        token_hash: &[u8; 32],
    ) -> Result<Option<CentralAccount>, StoreError> {
        let row =
            sqlx::query("SELECT name, role, created FROM central_accounts WHERE token_hash = $1")
                .bind(token_hash.as_slice())
                .fetch_optional(&self.pool)
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
