//! Auditors' routes: checkpoints, verification, export.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::LOG_READERS;
use crate::audit_ops;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// `GET /api/v1/checkpoints` — every signed checkpoint.
pub async fn checkpoints(
    State(st): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    caller.require(LOG_READERS)?;
    let cps = st.store.checkpoints().await?;
    let list: Vec<Value> = cps
        .iter()
        .map(|c| {
            let body = audit::Checkpoint::decode(&c.body).ok();
            json!({
                "tree_size": c.tree_size,
                "root": body.as_ref().map(|b| b.root.to_hex()),
                "head": body.as_ref().map(|b| b.head.to_hex()),
                "time_ms": body.as_ref().map(|b| b.time.0),
                "body": hex::encode(&c.body),
                "signature": hex::encode(&c.signature),
            })
        })
        .collect();
    Ok(Json(
        json!({ "public_key": st.public_key.to_hex(), "checkpoints": list }),
    ))
}

/// `GET /api/v1/audit/verify` — verifies the whole log now.
pub async fn verify(State(st): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(LOG_READERS)?;
    let outcome = audit_ops::verify_store(&st.store, &st.rt.site, &[st.public_key], None).await?;
    Ok(Json(audit_ops::outcome_json(&outcome)))
}

/// `GET /api/v1/audit/export` — the self-contained export file.
pub async fn export(
    State(st): State<AppState>,
    caller: Caller,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(LOG_READERS)?;
    let mut buf = Vec::new();
    audit_ops::export_to(&st.store, &st.rt.site, &[st.public_key], &mut buf).await?;
    let name = format!("attachment; filename=\"{}-log.examdlog\"", st.rt.site);
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::CONTENT_DISPOSITION, name),
        ],
        buf,
    ))
}

/// Query of `GET /api/v1/audit/proof`.
#[derive(Debug, serde::Deserialize)]
pub struct ProofQuery {
    /// The event to prove.
    seq: u64,
    /// The checkpoint's tree size to prove against (default: the newest checkpoint).
    tree_size: Option<u64>,
    /// Also prove that checkpoint `old_size` is a prefix of `tree_size` (a consistency proof).
    old_size: Option<u64>,
}

/// `GET /api/v1/audit/proof?seq=&tree_size=&old_size=` — an RFC 6962 inclusion proof of one event
/// against a signed checkpoint (and optionally a consistency proof between two checkpoints),
/// so a third party holding only the signed checkpoint can check the event.
pub async fn proof(
    State(st): State<AppState>,
    caller: Caller,
    Query(q): Query<ProofQuery>,
) -> Result<Json<Value>, ApiError> {
    caller.require(LOG_READERS)?;
    let cps = st.store.checkpoints().await?;
    let cp = match q.tree_size {
        Some(size) => cps.iter().find(|c| c.tree_size == size),
        None => cps.last(),
    }
    .ok_or(ApiError::NotFound("checkpoint"))?;
    if q.seq == 0 || q.seq > cp.tree_size {
        return Err(ApiError::BadRequest(format!(
            "seq {} is not covered by the checkpoint of tree size {}",
            q.seq, cp.tree_size
        )));
    }
    let leaves = audit_ops::leaf_hashes(&st.store, cp.tree_size).await?;
    let event = st
        .store
        .events(model::Seq(q.seq), 1)
        .await?
        .into_iter()
        .next()
        .ok_or(ApiError::NotFound("event"))?;
    let index = q.seq - 1;
    let path = audit::inclusion_proof(&leaves, index).map_err(|e| ApiError::Internal(e.into()))?;
    let consistency = match q.old_size {
        None => None,
        Some(m) => {
            let old = cps
                .iter()
                .find(|c| c.tree_size == m)
                .ok_or(ApiError::NotFound("old checkpoint"))?;
            let p = audit::consistency_proof(&leaves, m)
                .map_err(|e| ApiError::BadRequest(e.to_string()))?;
            Some(json!({
                "old_size": m,
                "old_checkpoint": { "body": hex::encode(&old.body), "signature": hex::encode(&old.signature) },
                "proof": p.iter().map(|h| h.to_hex()).collect::<Vec<_>>(),
            }))
        }
    };
    Ok(Json(json!({
        "seq": q.seq,
        "index": index,
        "record": hex::encode(&event.bytes),
        "leaf_hash": audit::leaf_hash(&event.bytes).to_hex(),
        "tree_size": cp.tree_size,
        "checkpoint": { "body": hex::encode(&cp.body), "signature": hex::encode(&cp.signature) },
        "public_key": st.public_key.to_hex(),
        "inclusion": path.iter().map(|h| h.to_hex()).collect::<Vec<_>>(),
        "consistency": consistency,
    })))
}
