//! Health and site information.

use axum::Json;
use axum::extract::State;
use model::Role;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// `GET /api/v1/health` — public: is the daemon up and the database reachable.
pub async fn health(State(st): State<AppState>) -> Result<Json<Value>, ApiError> {
    let head = st.store.log_head().await?;
    Ok(Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "backend": st.store.backend(),
        "last_seq": head.map(|(s, _)| s.0).unwrap_or(0),
    })))
}

/// `GET /api/v1/site` — any signed-in caller: the site, its key and the log head.
pub async fn site(State(st): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(&Role::ALL)?;
    let head = st.store.log_head().await?;
    let counts = st.store.kind_counts().await?;
    let counts: serde_json::Map<String, Value> = counts
        .into_iter()
        .map(|(code, n)| (model::EventKind::from_code(code).to_string(), json!(n)))
        .collect();
    Ok(Json(json!({
        "site_id": st.rt.site.as_str(),
        "site_name": st.rt.site_name,
        "public_key": st.public_key.to_hex(),
        "key_id": st.public_key.key_id().to_string(),
        "backend": st.store.backend(),
        "last_seq": head.map(|(s, _)| s.0).unwrap_or(0),
        "head": head.map(|(_, h)| h.to_hex()),
        "kind_counts": counts,
    })))
}

/// `GET /api/v1/upload/status` — the log shipper's progress (people only).
pub async fn upload_status(
    State(st): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    caller.require(&[Role::Admin, Role::Examiner, Role::Auditor])?;
    Ok(Json(upload_json(&st)))
}

/// The shipper's status as JSON (also rendered by the console's upload page).
pub fn upload_json(st: &AppState) -> Value {
    match &st.uplink {
        None => json!({ "configured": false }),
        Some(h) => {
            let s = h.status();
            json!({
                "configured": true,
                "central_url": st.rt.central_url.as_deref().map(crate::config::redact_url),
                "acked": s.acked,
                "local_head": s.local_head,
                "backlog": s.backlog,
                "last_ack_at": s.last_ack_at.map(|t| t.0),
                "last_error": s.last_error,
                "failures": s.failures,
            })
        }
    }
}
