//! `/api/v1/identity`: roster import and listing, enrolment. Templates go in, never out: no route returns one.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use model::Role;
use serde::Deserialize;
use serde_json::{Value, json};

use super::ids::{PersonRef, SittingId};
use super::registry::{EnrollSummary, ImportSummary, RosterEntry};
use super::roster::{RosterV1, check_template};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// Roles that may read rosters.
pub const READERS: &[Role] = &[Role::Admin, Role::Examiner];

/// The routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/rosters", post(import).get(list))
        .route("/rosters/{sitting}", get(roster))
        .route("/enroll", post(enroll))
}

/// `POST /api/v1/identity/rosters` — an admin imports a sitting's roster (RosterV1).
pub async fn import(
    State(st): State<AppState>,
    caller: Caller,
    Json(r): Json<RosterV1>,
) -> Result<Json<ImportSummary>, ApiError> {
    caller.require(&[Role::Admin])?;
    Ok(Json(
        st.identity
            .import_roster_v1(r, caller.name.as_str())
            .await?,
    ))
}

/// `GET /api/v1/identity/rosters` — every imported roster, most recent first.
pub async fn list(State(st): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(READERS)?;
    let rosters: Vec<Value> = st
        .identity
        .rosters()
        .await?
        .into_iter()
        .map(|r| {
            json!({
                "sitting": r.sitting,
                "imported_ms": r.imported.0,
                "imported_by": r.imported_by,
                "entries": r.entries,
            })
        })
        .collect();
    Ok(Json(json!({ "rosters": rosters })))
}

/// `GET /api/v1/identity/rosters/{sitting}` — one roster's entries (no templates; their count only).
pub async fn roster(
    State(st): State<AppState>,
    caller: Caller,
    Path(sitting): Path<String>,
) -> Result<Json<Vec<RosterEntry>>, ApiError> {
    caller.require(READERS)?;
    let sitting: SittingId = sitting.parse().map_err(ApiError::BadRequest)?;
    Ok(Json(st.identity.roster(&sitting).await?))
}

/// `POST /api/v1/identity/enroll` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollV1 {
    /// `candidate:<id>` or `examiner:<name>`.
    pub person: String,
    /// Display name (kept if omitted).
    #[serde(default)]
    pub name: Option<String>,
    /// Hex of ISO/IEC 19794-2 (or ANSI 378) records; they replace the enrolled ones.
    pub templates: Vec<String>,
}

/// `POST /api/v1/identity/enroll` — an admin (or an enrolment desk's device account) enrols templates.
pub async fn enroll(
    State(st): State<AppState>,
    caller: Caller,
    Json(b): Json<EnrollV1>,
) -> Result<Json<EnrollSummary>, ApiError> {
    caller.require(&[Role::Admin, Role::Device])?;
    let person: PersonRef = b.person.parse().map_err(ApiError::BadRequest)?;
    let owner = person.to_string();
    let checked = b
        .templates
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let bytes = hex::decode(h.trim()).map_err(|e| {
                ApiError::BadRequest(format!("{owner}: template {i}: not hex: {e}"))
            })?;
            check_template(&owner, i, bytes).map_err(ApiError::from)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(
        st.identity
            .enroll_records(person, b.name.as_deref(), checked, caller.name.as_str())
            .await?,
    ))
}
