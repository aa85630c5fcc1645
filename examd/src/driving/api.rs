//! `/api/v1/driving`: the car terminals' WebSocket, sessions, manual deductions, replay pictures,
//! the page's event feed.

use axum::Json;
use axum::Router;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use model::Role;
use serde::{Deserialize, Serialize};

use super::events::DeductionV1;
use super::views::SessionV1;
use super::{ManualFailed, replay};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// Roles that watch driving sessions.
pub const WATCHERS: &[Role] = &[Role::Admin, Role::Examiner, Role::Auditor];

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/cars/{car}/stream", get(stream))
        .route("/sessions", get(list))
        .route("/sessions/{id}", get(one))
        .route("/sessions/{id}/deductions", post(manual))
        .route("/sessions/{id}/replay.svg", get(replay_svg))
        .route("/rules", get(rules))
        .route("/events", get(super::feed::feed))
}

/// `GET /cars/{car}/stream` — the car's terminal (device account named `car`) upgrades to a WebSocket.
async fn stream(
    State(st): State<AppState>,
    caller: Caller,
    Path(car): Path<String>,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    caller.require(&[Role::Device])?;
    if caller.name.as_str() != car {
        return Err(ApiError::Forbidden);
    }
    let area = st.areas.driving.clone();
    let registry = st.identity.clone();
    let booking = st.areas.booking.clone();
    let photos = st.areas.photos.clone();
    Ok(ws.on_upgrade(move |socket| super::live::run(area, registry, booking, photos, car, socket)))
}

/// `GET /sessions` — every session, newest first.
async fn list(
    State(st): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<SessionV1>>, ApiError> {
    caller.require(WATCHERS)?;
    Ok(Json(st.areas.driving.sessions()))
}

/// `GET /sessions/{id}`.
async fn one(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<SessionV1>, ApiError> {
    caller.require(WATCHERS)?;
    st.areas
        .driving
        .session(&id)
        .map(Json)
        .ok_or(ApiError::NotFound("session"))
}

/// Body of `POST /sessions/{id}/deductions`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManualV1 {
    /// Catalogue code.
    pub code: String,
}

/// `POST /sessions/{id}/deductions` — the examiner's manual deduction; answered once logged.
async fn manual(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<ManualV1>,
) -> Result<(StatusCode, Json<DeductionV1>), ApiError> {
    caller.require(&[Role::Admin, Role::Examiner])?;
    if st.areas.driving.session(&id).is_none() {
        return Err(ApiError::NotFound("session"));
    }
    match st
        .areas
        .driving
        .manual(&id, body.code.trim(), caller.name.as_str())
        .await
    {
        Ok(d) => Ok((StatusCode::CREATED, Json(d))),
        Err(ManualFailed::NotLive) => Err(ApiError::Conflict(ManualFailed::NotLive.to_string())),
        Err(ManualFailed::Refused(m)) => Err(ApiError::BadRequest(m)),
    }
}

/// `GET /sessions/{id}/replay.svg` — the course, trajectory and car at each deduction, from the log.
async fn replay_svg(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require(WATCHERS)?;
    let logged = replay::load(&*st.store, &id).await.map_err(|e| match e {
        replay::ReplayError::NoSession(_) => ApiError::NotFound("session"),
        other => ApiError::Internal(other.into()),
    })?;
    let r = replay::rejudge(&logged).map_err(|e| ApiError::Internal(e.into()))?;
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
        r.svg(),
    )
        .into_response())
}

/// Query of `GET /rules`.
#[derive(Debug, Deserialize)]
pub struct RulesQuery {
    subject: Option<u8>,
}

/// One rule an examiner can enter.
#[derive(Debug, Serialize)]
pub struct RuleV1 {
    /// Code.
    pub code: String,
    /// 2 or 3.
    pub subject: u8,
    /// Points (100 = 不合格).
    pub points: u8,
    /// Chinese text.
    pub zh: String,
    /// English text.
    pub en: String,
    /// Whether only an examiner can see it (no detector).
    pub manual: bool,
}

/// `GET /rules?subject=2` — the built-in catalogue's rules (GA 1026-2017), for the manual-deduction form.
async fn rules(
    State(st): State<AppState>,
    caller: Caller,
    Query(q): Query<RulesQuery>,
) -> Result<Json<Vec<RuleV1>>, ApiError> {
    caller.require(WATCHERS)?;
    let course = match q.subject {
        Some(3) => "course-s3",
        Some(2) | None => "course-s2",
        Some(n) => {
            return Err(ApiError::BadRequest(format!(
                "subject must be 2 or 3, not {n}"
            )));
        }
    };
    let setup = st
        .areas
        .driving
        .library()
        .setup(course, "vehicle-c1", judge::Standard::Ga1026_2017, None)
        .map_err(ApiError::Internal)?;
    let subject = setup.course.subject();
    Ok(Json(
        setup
            .catalogue
            .rules()
            .iter()
            .filter(|r| r.subject == subject)
            .map(|r| RuleV1 {
                code: r.code.as_str().into(),
                subject: subject.number(),
                points: r.penalty.points(),
                zh: r.zh.clone(),
                en: r.en.clone(),
                manual: r.fault.is_none(),
            })
            .collect(),
    ))
}
