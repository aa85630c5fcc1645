//! The central receiver: verifies a site's batch and stores it exactly once.
//!
//! For a batch of site `s` from seq `f`, [`receive`]:
//! 1. refuses an unknown site, and a signature made by none of its active (unretired) keys;
//! 2. reads `s`'s head at central (`h`): a batch starting after `h + 1` is a [`Refusal::Gap`];
//! 3. compares records at seqs `≤ h` with the stored ones: equal is a replay (acknowledged,
//!    nothing written), different is a [`Refusal::Fork`], alarmed;
//! 4. verifies the new records with `audit::verify` anchored at `Anchor::trusted(h, head hash)`,
//!    with the batch's checkpoints and every key the site ever registered: a failure is a
//!    [`Refusal::ChainBreak`], alarmed;
//! 5. stores them with their checkpoints and their exam-flow rows ([`crate::flow`]) in one
//!    transaction guarded by `h`
//!    ([`CentralStore::ingest`]); if a concurrent batch moved the head, starts again at 2;
//! 6. acknowledges the new head: the highest contiguous seq central holds.

use std::sync::Arc;

use audit::{Anchor, Hash, PublicKey, verify};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use model::{Seq, SiteId, UnixMs};
use store::central::HEAD_MOVED;
use store::writer::Clock;
use store::{CentralAlarm, CentralStore, StoreError, StoredCheckpoint, StoredEvent};

use crate::photo::{PhotoSink, check_photos};
use crate::protocol::{Ack, Batch, Refusal, VERSION};

/// The path batches are posted to.
pub const BATCHES_PATH: &str = "/central/v1/batches";
/// The largest request body accepted (a batch of a few thousand events).
pub const MAX_BODY: usize = 32 << 20;
/// How often a batch is retried against a head that moved under it.
const HEAD_RETRIES: usize = 8;

/// What the receiver needs: the central store and a clock.
#[derive(Clone)]
pub struct CentralState {
    /// Where the sites' logs are kept.
    pub store: Arc<dyn CentralStore>,
    /// Time of receipt, for rows and alarms.
    pub clock: Clock,
}

impl std::fmt::Debug for CentralState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CentralState")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

/// The receiver's routes: `POST /central/v1/batches` (a JSON [`Batch`]; 200 with an [`Ack`],
/// or a 4xx/503 with a [`Refusal`]).
pub fn router(state: CentralState) -> Router {
    with_photos(state, None)
}

/// [`router`], keeping the photos batches carry in `photos` once each is checked against the
/// event that names it ([`crate::photo::check_photos`]; a photo that does not match refuses the
/// batch before anything is stored).
pub fn router_with_photos(state: CentralState, photos: Arc<dyn PhotoSink>) -> Router {
    with_photos(state, Some(photos))
}

fn with_photos(state: CentralState, photos: Option<Arc<dyn PhotoSink>>) -> Router {
    Router::new()
        .route(BATCHES_PATH, post(post_batch))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state((state, photos))
}

type PostState = (CentralState, Option<Arc<dyn PhotoSink>>);

async fn post_batch(
    State((state, photos)): State<PostState>,
    Json(batch): Json<Batch>,
) -> Response {
    match receive_with_photos(&state, photos.as_deref(), &batch).await {
        Ok(ack) => Json(ack).into_response(),
        Err(refusal) => (status_of(&refusal), Json(refusal)).into_response(),
    }
}

/// [`receive`], with the batch's photos checked first and kept in `photos` after the events
/// are stored. A photo that cannot be kept is answered [`Refusal::Unavailable`]: the events are
/// held, so the site's resend is a replay that brings the photos again.
pub async fn receive_with_photos(
    state: &CentralState,
    photos: Option<&dyn PhotoSink>,
    batch: &Batch,
) -> Result<Ack, Refusal> {
    let checked = check_photos(batch)?;
    let ack = receive(state.store.as_ref(), batch, (state.clock)()).await?;
    if let Some(sink) = photos {
        for (sha, jpeg) in &checked {
            sink.keep(sha, jpeg).map_err(|e| {
                tracing::error!(site = %batch.site, error = %e, "central could not keep a photo");
                Refusal::Unavailable {
                    detail: format!("photo {sha} not kept: {e}"),
                }
            })?;
        }
    }
    Ok(ack)
}

/// The HTTP status a refusal is sent with.
pub fn status_of(refusal: &Refusal) -> StatusCode {
    match refusal {
        Refusal::Malformed { .. } => StatusCode::BAD_REQUEST,
        Refusal::BadSignature => StatusCode::UNAUTHORIZED,
        Refusal::UnknownSite { .. } => StatusCode::NOT_FOUND,
        Refusal::Gap { .. } | Refusal::ChainBreak { .. } | Refusal::Fork { .. } => {
            StatusCode::CONFLICT
        }
        Refusal::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
    }
}

fn unavailable(e: StoreError) -> Refusal {
    Refusal::Unavailable {
        detail: e.to_string(),
    }
}

fn malformed(detail: impl Into<String>) -> Refusal {
    Refusal::Malformed {
        detail: detail.into(),
    }
}

fn ack(site: &SiteId, (seq, head): (Seq, Hash)) -> Ack {
    Ack {
        site: site.to_string(),
        highest_contiguous_seq: seq.0,
        head: head.to_hex(),
        checkpoint: None,
    }
}

async fn alarm(store: &dyn CentralStore, site: &SiteId, seq: u64, detail: String, now: UnixMs) {
    tracing::error!(site = %site, seq, %detail, "site refused: its log does not continue central's copy");
    let alarm = CentralAlarm {
        site: site.clone(),
        seq: Seq(seq),
        detail,
        raised: now,
    };
    if let Err(e) = store.raise_alarm(&alarm).await {
        tracing::error!(error = %e, "could not store the alarm");
    }
}

/// Checks and stores one batch; see the module documentation.
pub async fn receive(store: &dyn CentralStore, batch: &Batch, now: UnixMs) -> Result<Ack, Refusal> {
    if batch.version != VERSION {
        return Err(malformed(format!("protocol version {}", batch.version)));
    }
    let site: SiteId = batch.site.parse().map_err(|_| Refusal::UnknownSite {
        site: batch.site.clone(),
    })?;
    let keys = match store.site_keys(&site).await {
        Ok(keys) => keys,
        Err(StoreError::NotFound) => {
            return Err(Refusal::UnknownSite {
                site: batch.site.clone(),
            });
        }
        Err(e) => return Err(unavailable(e)),
    };
    let active: Vec<PublicKey> = keys
        .iter()
        .filter(|k| k.retired.is_none())
        .map(|k| k.key)
        .collect();
    let all: Vec<PublicKey> = keys.iter().map(|k| k.key).collect();
    if batch.signed_by(&active).is_none() {
        return Err(Refusal::BadSignature);
    }
    if batch.from_seq == 0 && !batch.records.is_empty() {
        return Err(malformed("from_seq 0"));
    }
    batch
        .from_seq
        .checked_add(batch.records.len() as u64)
        .filter(|end| i64::try_from(*end).is_ok())
        .ok_or_else(|| malformed("seq out of range"))?;
    let records = batch
        .records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            Ok(StoredEvent {
                seq: Seq(batch.from_seq + i as u64),
                bytes: r.bytes.clone(),
                hash: Hash::from_slice(&r.hash).ok_or_else(|| malformed("hash is not 32 bytes"))?,
            })
        })
        .collect::<Result<Vec<_>, Refusal>>()?;

    for _ in 0..HEAD_RETRIES {
        let head = store.head(&site).await.map_err(unavailable)?;
        let (head_seq, head_hash) = head;
        let late = late_checkpoints(store, &site, &all, batch, head_seq, now).await?;
        if records.is_empty() {
            if !late.is_empty() {
                store
                    .ingest(&site, head_seq, &[], &late, &[], now)
                    .await
                    .map_err(unavailable)?;
            }
            let held = store.checkpoints(&site).await.map_err(unavailable)?;
            let mut a = ack(&site, head);
            a.checkpoint = held.last().map(|c| c.tree_size);
            return Ok(a);
        }
        if batch.from_seq > head_seq.0 + 1 {
            return Err(Refusal::Gap {
                expected: head_seq.0 + 1,
            });
        }
        // Records central already holds: a replay must be identical.
        let held = (head_seq.0 + 1 - batch.from_seq).min(records.len() as u64) as usize;
        if held > 0 {
            let stored = store
                .events(&site, Seq(batch.from_seq), held as u32)
                .await
                .map_err(unavailable)?;
            for (mine, theirs) in records[..held].iter().zip(&stored) {
                if mine != theirs {
                    let seq = mine.seq.0;
                    alarm(
                        store,
                        &site,
                        seq,
                        format!("fork: seq {seq} differs from the copy held"),
                        now,
                    )
                    .await;
                    return Err(Refusal::Fork { seq });
                }
            }
        }
        let new = &records[held..];
        if new.is_empty() {
            if !late.is_empty() {
                store
                    .ingest(&site, head_seq, &[], &late, &[], now)
                    .await
                    .map_err(unavailable)?;
            }
            return Ok(ack(&site, head));
        }
        let last = new[new.len() - 1].seq.0;
        let checkpoints: Vec<StoredCheckpoint> = batch
            .checkpoints
            .iter()
            .filter_map(|c| {
                let size = c.to_signed().unverified().ok()?.tree_size;
                (size > head_seq.0 && size <= last).then(|| StoredCheckpoint {
                    tree_size: size,
                    body: c.body.clone(),
                    signature: c.signature.clone(),
                })
            })
            .collect();
        let mut checkpoints = checkpoints;
        checkpoints.extend(late);
        let signed: Vec<_> = checkpoints
            .iter()
            .filter(|c| c.tree_size > head_seq.0)
            .map(|c| audit::SignedCheckpoint {
                body: c.body.clone(),
                signature: c.signature.clone(),
            })
            .collect();
        if let Err(failure) = verify(
            &site,
            &all,
            new.iter().map(|e| (e.bytes.as_slice(), e.hash)),
            &signed,
            Some(Anchor::trusted(head_seq, head_hash)),
        ) {
            let seq = failure.seq.0;
            let detail = failure.problem.to_string();
            alarm(store, &site, seq, format!("chain break: {detail}"), now).await;
            return Err(Refusal::ChainBreak { seq, detail });
        }
        let flow: Vec<_> = new
            .iter()
            .filter_map(|e| crate::flow::project(&e.bytes))
            .collect();
        match store
            .ingest(&site, head_seq, new, &checkpoints, &flow, now)
            .await
        {
            Ok(()) => return Ok(ack(&site, (Seq(last), new[new.len() - 1].hash))),
            Err(StoreError::Conflict { constraint }) if constraint == HEAD_MOVED => continue,
            Err(e) => return Err(unavailable(e)),
        }
    }
    Err(Refusal::Unavailable {
        detail: "the site's head kept moving".into(),
    })
}

/// Checkpoints in the batch for events central already holds (signed after those events were
/// shipped): each must be validly signed by a key of the site, name it, and name the chain
/// hash central holds at its tree size; one that does not is a chain break, alarmed.
async fn late_checkpoints(
    store: &dyn CentralStore,
    site: &SiteId,
    keys: &[PublicKey],
    batch: &Batch,
    head_seq: Seq,
    now: UnixMs,
) -> Result<Vec<StoredCheckpoint>, Refusal> {
    let mut out = Vec::new();
    for c in &batch.checkpoints {
        let signed = c.to_signed();
        let Ok(size) = signed.unverified().map(|u| u.tree_size) else {
            return Err(malformed("checkpoint does not decode"));
        };
        if size == 0 || size > head_seq.0 {
            continue;
        }
        let checked = PublicKey::verify_any(keys, &signed)
            .ok()
            .filter(|(cp, _)| cp.site == *site);
        let Some((cp, _)) = checked else {
            alarm(
                store,
                site,
                size,
                format!("checkpoint {size}: bad signature"),
                now,
            )
            .await;
            return Err(Refusal::ChainBreak {
                seq: size,
                detail: "checkpoint signature".into(),
            });
        };
        let held = store
            .events(site, Seq(size), 1)
            .await
            .map_err(unavailable)?;
        if held.first().map(|e| e.hash) != Some(cp.head) {
            alarm(
                store,
                site,
                size,
                format!("checkpoint {size} names another chain head"),
                now,
            )
            .await;
            return Err(Refusal::ChainBreak {
                seq: size,
                detail: "checkpoint head differs".into(),
            });
        }
        out.push(StoredCheckpoint {
            tree_size: size,
            body: c.body.clone(),
            signature: c.signature.clone(),
        });
    }
    Ok(out)
}
