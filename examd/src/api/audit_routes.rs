//! Auditors' routes: checkpoints, verification, export.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::LOG_READERS;
use crate::audit_ops;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// `GET /api/v1/checkpoints` — every signed checkpoint.
pub async fn checkpoints(State(st): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
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
    Ok(Json(json!({ "public_key": st.public_key.to_hex(), "checkpoints": list })))
}

/// `GET /api/v1/audit/verify` — verifies the whole log now.
pub async fn verify(State(st): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(LOG_READERS)?;
    let outcome = audit_ops::verify_store(&st.store, &st.rt.site, &[st.public_key], None).await?;
    Ok(Json(audit_ops::outcome_json(&outcome)))
}

/// `GET /api/v1/audit/export` — the self-contained export file.
pub async fn export(State(st): State<AppState>, caller: Caller) -> Result<impl IntoResponse, ApiError> {
    caller.require(LOG_READERS)?;
    let mut buf = Vec::new();
    audit_ops::export_to(&st.store, &st.rt.site, &[st.public_key], &mut buf).await?;
    let name = format!("attachment; filename=\"{}-log.examdlog\"", st.rt.site);
    Ok(([(header::CONTENT_TYPE, "application/octet-stream".to_owned()), (header::CONTENT_DISPOSITION, name)], buf))
}
