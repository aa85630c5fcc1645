//! `/api/v1/gate`: scans from the gate terminals, examiner overrides, the gate's live state, alarms.
//!
//! A scan is the request body: a PNG (or other) image with `Content-Type: image/…` (extracted at `ppi`,
//! default 500), or an ISO/IEC 19794-2 (or ANSI 378) record with any other type. Templates never leave the
//! daemon: no route returns them.

use std::time::Instant;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use gate::{CandidateId, DoorId, ExaminerId, MatchScore};
use model::Role;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::oneshot;

use super::service::{Request, ScanIn, ScanOutcome, StatusView};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// Roles that watch the gate.
pub const WATCHERS: &[Role] = &[Role::Admin, Role::Examiner, Role::Auditor];

/// The routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/status", get(status))
        .route("/scan", post(scan))
        .route("/capture", post(capture))
        .route("/override", post(examiner_override))
        .route("/clear", post(clear))
        .route("/alarms/{id}/ack", post(ack))
        .route("/fire/reset", post(fire_reset))
        .route("/roster", post(import_roster))
}

fn unavailable(e: super::GateUnavailable) -> ApiError {
    ApiError::Conflict(e.to_string())
}

fn door_of(s: &str) -> Result<DoorId, ApiError> {
    match s {
        "A" | "a" => Ok(DoorId::A),
        "B" | "b" => Ok(DoorId::B),
        other => Err(ApiError::BadRequest(format!(
            "door must be A or B, got {other:?}"
        ))),
    }
}

/// A scan's bytes as a template, or `None` when the image holds no usable finger.
pub fn template_of(
    headers: &HeaderMap,
    body: &[u8],
    ppi: u32,
) -> Result<Option<scoring::Template>, ApiError> {
    let is_image = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("image/"));
    if is_image {
        let img = scoring::decode_image(body, scoring::Limits::default())
            .map_err(|e| ApiError::BadRequest(format!("image: {e}")))?;
        match scoring::extract(&img, ppi) {
            Ok(t) => Ok(Some(t)),
            Err(e) if e.is_unusable() => Ok(None),
            Err(e) => Err(ApiError::BadRequest(format!("image: {e}"))),
        }
    } else {
        scoring::Template::from_standard_bytes(body)
            .map(Some)
            .map_err(|e| ApiError::BadRequest(format!("template: {e}")))
    }
}

/// Query of `POST /api/v1/gate/scan`.
#[derive(Debug, Deserialize)]
pub struct ScanQuery {
    door: String,
    claim: Option<String>,
    ppi: Option<u32>,
}

/// `POST /api/v1/gate/scan?door=A&claim=<id>` — a gate terminal (device) sends a finger scan.
pub async fn scan(
    State(st): State<AppState>,
    caller: Caller,
    Query(q): Query<ScanQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ScanOutcome>, ApiError> {
    let received = Instant::now();
    caller.require(&[Role::Device])?;
    let door = door_of(&q.door)?;
    let claim = match q.claim.as_deref() {
        None | Some("") => None,
        Some(c) => Some(
            c.parse::<CandidateId>()
                .map_err(|e| ApiError::BadRequest(format!("claim: {e}")))?,
        ),
    };
    let area = st.areas.gate.clone();
    if !area.running() {
        return Err(unavailable(super::GateUnavailable::NotRunning));
    }
    // Today's open Subject 1 sittings and the hand-imported roster; a claim on none is refused
    // with the reason (super::day_roster).
    let day = super::day_roster::day_roster(&st, st.now()).await?;
    let not_admitted = claim
        .as_ref()
        .and_then(|c| day.check(c, st.now()))
        .map(Box::new);
    let gallery = day.gallery;
    let ppi = q.ppi.unwrap_or(500);
    let wl = st.areas.watchlist.clone();
    let (usable, scores, hit) = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        Ok(match template_of(&headers, &body, ppi)? {
            Some(t) if t.minutiae.len() >= scoring::MIN_MINUTIAE => {
                (true, gallery.scores(&t), wl.check_gate(&t))
            }
            _ => (false, Vec::new(), None),
        })
    })
    .await
    .map_err(anyhow::Error::from)??;
    submit(
        &st,
        &caller,
        door,
        claim,
        (usable, scores, hit),
        not_admitted,
        received,
    )
    .await
}

/// A scan scored: usable, the roster's 1:N scores, and the watch-list entry it matched.
type Scored = (
    bool,
    Vec<(CandidateId, MatchScore)>,
    Option<crate::watchlist::GateHit>,
);

/// Hands a scored scan to the gate service and waits for its (durable) decision.
async fn submit(
    st: &AppState,
    caller: &Caller,
    door: DoorId,
    claim: Option<CandidateId>,
    (usable, scores, watchlist): Scored,
    not_admitted: Option<Box<super::day_roster::NotAdmitted>>,
    received: Instant,
) -> Result<Json<ScanOutcome>, ApiError> {
    let area = st.areas.gate.clone();
    let (tx, rx) = oneshot::channel();
    let s = ScanIn {
        door,
        claim,
        scores,
        usable,
        received,
        device: caller.name.to_string(),
        watchlist,
        not_admitted,
    };
    area.request(Request::Scan(s, tx))
        .await
        .map_err(unavailable)?;
    let out = rx
        .await
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("gate service stopped")))?;
    Ok(Json(out))
}

/// Query of `POST /api/v1/gate/override`.
#[derive(Debug, Deserialize)]
pub struct OverrideQuery {
    door: String,
    examiner: String,
    admit: bool,
    ppi: Option<u32>,
}

async fn examiner_score(
    st: &AppState,
    caller: &Caller,
    examiner: &str,
    headers: HeaderMap,
    body: Bytes,
    ppi: u32,
) -> Result<(ExaminerId, MatchScore), ApiError> {
    caller.require(&[Role::Device, Role::Examiner])?;
    if caller.role == Role::Examiner && caller.name.as_str() != examiner {
        return Err(ApiError::Forbidden);
    }
    let examiner: ExaminerId = examiner
        .parse()
        .map_err(|e| ApiError::BadRequest(format!("examiner: {e}")))?;
    let gallery = st.areas.gate.gallery();
    let ex = examiner.clone();
    let score = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        let t = template_of(&headers, &body, ppi)?;
        Ok(t.and_then(|t| gallery.examiner_score(&ex, &t)))
    })
    .await
    .map_err(anyhow::Error::from)??;
    let score = score.ok_or_else(|| {
        ApiError::BadRequest(format!(
            "no usable scan or no templates enrolled for {examiner}"
        ))
    })?;
    Ok((examiner, score))
}

/// `POST /api/v1/gate/override?door=A&examiner=<name>&admit=true` — the examiner's own finger as the body.
pub async fn examiner_override(
    State(st): State<AppState>,
    caller: Caller,
    Query(q): Query<OverrideQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ScanOutcome>, ApiError> {
    let door = door_of(&q.door)?;
    let (examiner, score) = examiner_score(
        &st,
        &caller,
        &q.examiner,
        headers,
        body,
        q.ppi.unwrap_or(500),
    )
    .await?;
    let (tx, rx) = oneshot::channel();
    st.areas
        .gate
        .request(Request::Override {
            door,
            examiner,
            score,
            admit: q.admit,
            reply: tx,
        })
        .await
        .map_err(unavailable)?;
    let out = rx
        .await
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("gate service stopped")))?;
    Ok(Json(out))
}

/// Query of `POST /api/v1/gate/clear`.
#[derive(Debug, Deserialize)]
pub struct ClearQuery {
    examiner: String,
    ppi: Option<u32>,
}

/// `POST /api/v1/gate/clear?examiner=<name>` — the examiner checked the vestibule (own finger as the body).
pub async fn clear(
    State(st): State<AppState>,
    caller: Caller,
    Query(q): Query<ClearQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let (examiner, score) = examiner_score(
        &st,
        &caller,
        &q.examiner,
        headers,
        body,
        q.ppi.unwrap_or(500),
    )
    .await?;
    let (tx, rx) = oneshot::channel();
    st.areas
        .gate
        .request(Request::Clear {
            examiner,
            score,
            reply: tx,
        })
        .await
        .map_err(unavailable)?;
    let cleared = rx.await.unwrap_or(false);
    Ok(Json(json!({ "cleared": cleared })))
}

/// `GET /api/v1/gate/status` — doors, vestibule, attempts, alarms, last scans.
pub async fn status(
    State(st): State<AppState>,
    caller: Caller,
) -> Result<Json<StatusView>, ApiError> {
    let mut roles = WATCHERS.to_vec();
    roles.push(Role::Device);
    caller.require(&roles)?;
    Ok(Json(st.areas.gate.status().await.map_err(unavailable)?))
}

/// `POST /api/v1/gate/alarms/{id}/ack` — an examiner acknowledges an alarm.
pub async fn ack(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<u64>,
) -> Result<Json<Value>, ApiError> {
    caller.require(&[Role::Admin, Role::Examiner])?;
    let (tx, rx) = oneshot::channel();
    st.areas
        .gate
        .request(Request::Ack {
            id,
            by: caller.name.to_string(),
            reply: tx,
        })
        .await
        .map_err(unavailable)?;
    if !rx.await.unwrap_or(false) {
        return Err(ApiError::NotFound("unacknowledged alarm"));
    }
    Ok(Json(json!({ "acknowledged": id })))
}

/// `POST /api/v1/gate/roster` — an admin imports a sitting's roster with ISO templates (never returned) into the
/// identity registry; the gate admits against it from then on. Same body and answer as
/// `POST /api/v1/identity/rosters`.
pub async fn import_roster(
    State(st): State<AppState>,
    caller: Caller,
    Json(r): Json<crate::identity::RosterV1>,
) -> Result<Json<crate::identity::ImportSummary>, ApiError> {
    caller.require(&[Role::Admin])?;
    Ok(Json(
        st.identity
            .import_roster_v1(r, caller.name.as_str())
            .await?,
    ))
}

/// `POST /api/v1/gate/fire/reset` — an examiner ends the fire override once the fire input has cleared; every door
/// relocks. Refused (409) while the input is still active or when there is no override.
pub async fn fire_reset(
    State(st): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    caller.require(&[Role::Admin, Role::Examiner])?;
    let (tx, rx) = oneshot::channel();
    st.areas
        .gate
        .request(Request::FireReset {
            by: caller.name.as_str().to_owned(),
            reply: tx,
        })
        .await
        .map_err(unavailable)?;
    match rx
        .await
        .map_err(|_| unavailable(super::GateUnavailable::NotRunning))?
    {
        Ok(()) => Ok(Json(json!({ "reset": true }))),
        Err("fire_input_active") => Err(ApiError::Conflict(
            "消防输入仍有效，不能复位 / the fire input is still active".into(),
        )),
        Err(_) => Err(ApiError::Conflict(
            "没有消防联动可复位 / there is no fire override to reset".into(),
        )),
    }
}

/// `POST /api/v1/gate/capture?door=A&claim=<id>` — a gate terminal asks the daemon to capture the finger on the
/// door's own sensor (waits up to 10 s for a finger). A sensor that fails (unplugged, silent, refusing) refuses the
/// scan with its error, logged as a `gate.scan` with `refused: sensor_failed`; nothing reaches the interlock and no
/// door moves.
pub async fn capture(
    State(st): State<AppState>,
    caller: Caller,
    Query(q): Query<ScanQuery>,
) -> Result<Json<ScanOutcome>, ApiError> {
    caller.require(&[Role::Device])?;
    let door = door_of(&q.door)?;
    let claim = match q.claim.as_deref() {
        None | Some("") => None,
        Some(c) => Some(
            c.parse::<CandidateId>()
                .map_err(|e| ApiError::BadRequest(format!("claim: {e}")))?,
        ),
    };
    let area = st.areas.gate.clone();
    if !area.running() {
        return Err(unavailable(super::GateUnavailable::NotRunning));
    }
    let (img, ppi) = match area
        .sensors
        .capture(door, std::time::Duration::from_secs(10))
        .await
    {
        Ok(x) => x,
        Err(e) => {
            st.log
                .append(super::events::draft(
                    model::EventKind::GateScan,
                    claim.iter().map(super::events::candidate).collect(),
                    json!({
                        "door": super::events::door(door),
                        "claim": claim.as_ref().map(CandidateId::as_str),
                        "refused": "sensor_failed",
                        "error": e.to_string(),
                        "device": caller.name.as_str(),
                    }),
                ))
                .await
                .map_err(anyhow::Error::from)?;
            return Err(ApiError::Conflict(format!(
                "指纹仪故障，未开门 / {e}; no door was released"
            )));
        }
    };
    // The image is available: the latency clock starts here.
    let received = Instant::now();
    let day = super::day_roster::day_roster(&st, st.now()).await?;
    let not_admitted = claim
        .as_ref()
        .and_then(|c| day.check(c, st.now()))
        .map(Box::new);
    let gallery = day.gallery;
    let wl = st.areas.watchlist.clone();
    let scored = tokio::task::spawn_blocking(move || -> Result<Scored, ApiError> {
        let (w, h) = (img.width(), img.height());
        let gray = scoring::GrayImage::from_raw(w, h, img.into_pixels())
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("sensor image {w}x{h} is short")))?;
        Ok(match scoring::extract(&gray, ppi) {
            Ok(t) if t.minutiae.len() >= scoring::MIN_MINUTIAE => {
                (true, gallery.scores(&t), wl.check_gate(&t))
            }
            Ok(_) => (false, Vec::new(), None),
            Err(e) if e.is_unusable() => (false, Vec::new(), None),
            Err(e) => return Err(ApiError::BadRequest(format!("sensor image: {e}"))),
        })
    })
    .await
    .map_err(anyhow::Error::from)??;
    submit(&st, &caller, door, claim, scored, not_admitted, received).await
}
