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
