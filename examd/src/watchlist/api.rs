//! `/api/v1/watchlist`: entries (admins add and remove; examiners and auditors read), hits and duplicate
//! applicant alarms, the galleries' sizes and the last search. Templates go in (base64 standard records, or
//! copied from a person already enrolled), never out: entries carry their SHA-256 only.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use model::Role;
use serde::Deserialize;
use serde_json::{Value, json};
use store::identity::PersonKind;

use super::model::{Duplicate, Entry, Hit, Place, Reason, WatchId};
use super::{NewEntry, Refusal, WatchError, WatchlistArea};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::identity::{CandidateId, PersonRef};
use crate::state::AppState;

/// Roles that read the watch-list.
pub const READERS: &[Role] = &[Role::Admin, Role::Examiner, Role::Auditor];

/// The routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/entries", get(list).post(add))
        .route("/entries/{id}", get(one))
        .route("/entries/{id}/remove", post(remove))
        .route("/hits", get(hits))
        .route("/status", get(status))
}

/// A refused watch-list request: the daemon's usual answer ([`ApiError`]), or a refusal that names what was
/// wrong in both languages (`message` 中文, `message_en` English, the usual `error` code).
#[derive(Debug)]
pub enum Refused {
    /// Authentication, roles, the store.
    Api(ApiError),
    /// The request: status, error code, what was wrong.
    Named(StatusCode, &'static str, Refusal),
}

impl Refused {
    fn bad(zh: impl Into<String>, en: impl Into<String>) -> Refused {
        Refused::Named(StatusCode::BAD_REQUEST, "bad_request", Refusal::new(zh, en))
    }
}

impl From<ApiError> for Refused {
    fn from(e: ApiError) -> Refused {
        Refused::Api(e)
    }
}

impl From<store::StoreError> for Refused {
    fn from(e: store::StoreError) -> Refused {
        Refused::Api(e.into())
    }
}

impl From<WatchError> for Refused {
    fn from(e: WatchError) -> Refused {
        match e {
            WatchError::Invalid(r) => Refused::Named(StatusCode::BAD_REQUEST, "bad_request", r),
            WatchError::Unknown(id) => Refused::Named(
                StatusCode::NOT_FOUND,
                "not_found",
                Refusal::new(
                    format!("没有黑名单条目 {id}"),
                    format!("no watch-list entry {id}"),
                ),
            ),
            WatchError::Conflict(r) => Refused::Named(StatusCode::CONFLICT, "conflict", r),
            WatchError::Internal(e) => Refused::Api(ApiError::Internal(e)),
        }
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::Api(e) => e.into_response(),
            Refused::Named(status, code, r) => (
                status,
                Json(json!({ "error": code, "message": r.zh, "message_en": r.en })),
            )
                .into_response(),
        }
    }
}

/// An entry as the API shows it (never with templates).
pub fn entry_view(area: &WatchlistArea, e: &Entry) -> Value {
    let (zh, en) = e.reason.label();
    json!({
        "id": e.id.to_string(),
        "id_number": e.person.id_number.as_ref().map(|c| c.as_str()),
        "name": e.person.name,
        "reason": e.reason.code(),
        "reason_zh": zh,
        "reason_en": en,
        "until": e.reason.until().map(|d| d.to_string()),
        "note": e.note,
        "status": area.status(e).code(),
        "added_ms": e.added_at.0,
        "added_by": e.added_by,
        "templates": e.sha256.len(),
        "sha256": e.sha256,
        "seq": e.seq,
        "removed": e.removed.as_ref().map(|r| json!({
            "ms": r.at.0, "by": r.by, "reason": r.reason, "seq": r.seq,
        })),
    })
}

/// A hit as the API shows it.
pub fn hit_view(h: &Hit) -> Value {
    let place = match &h.place {
        Place::Gate {
            door,
            device,
            claim,
        } => json!({ "place": "gate", "door": door, "device": device, "claim": claim }),
        Place::Enrolment {
            person,
            enrolment_seq,
        } => json!({ "place": "enrolment", "person": person, "enrolment_seq": enrolment_seq }),
    };
    let mut v =
        json!({ "seq": h.seq, "ms": h.at.0, "entry": h.entry.to_string(), "score": h.score });
    if let (Some(m), Value::Object(p)) = (v.as_object_mut(), place) {
        m.extend(p);
    }
    v
}

/// A duplicate-applicant alarm as the API shows it.
pub fn duplicate_view(d: &Duplicate) -> Value {
    json!({
        "seq": d.seq, "ms": d.at.0, "person": d.person, "matched": d.matched, "score": d.score,
        "enrolment_seq": d.enrolment_seq,
    })
}

fn parse_id(s: &str) -> Result<WatchId, Refused> {
    s.parse()
        .map_err(|e: String| Refused::bad(format!("黑名单编号须为 WL-<数字>，收到 {s:?}"), e))
}

/// `GET /api/v1/watchlist/entries` — every entry (active, expired and removed), by id.
pub async fn list(State(st): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(READERS)?;
    let a = &st.areas.watchlist;
    let entries: Vec<Value> = a.entries().iter().map(|e| entry_view(a, e)).collect();
    Ok(Json(json!({ "entries": entries })))
}

/// `GET /api/v1/watchlist/entries/{id}` — one entry.
pub async fn one(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, Refused> {
    caller.require(READERS)?;
    let a = &st.areas.watchlist;
    let id = parse_id(&id)?;
    let e = a.entry(id).ok_or(WatchError::Unknown(id))?;
    Ok(Json(entry_view(a, &e)))
}

/// `POST /api/v1/watchlist/entries` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddV1 {
    /// ID-card number, if known.
    #[serde(default)]
    pub id_number: Option<String>,
    /// Name, if known.
    #[serde(default)]
    pub name: Option<String>,
    /// `stand_in`, `forged_documents`, `exam_ban`, `other`.
    pub reason: String,
    /// An exam ban's last day, `YYYY-MM-DD`.
    #[serde(default)]
    pub until: Option<String>,
    /// Free text.
    #[serde(default)]
    pub note: Option<String>,
    /// Base64 of ISO/IEC 19794-2 (or ANSI/INCITS 378) records.
    #[serde(default)]
    pub templates_base64: Vec<String>,
    /// `candidate:<id>`: copy the templates this enrolled person has (e.g. a candidate caught as a stand-in).
    #[serde(default)]
    pub from_person: Option<String>,
}

/// `POST /api/v1/watchlist/entries` — an admin puts a person on the watch-list.
pub async fn add(
    State(st): State<AppState>,
    caller: Caller,
    Json(b): Json<AddV1>,
) -> Result<Json<Value>, Refused> {
    caller.require(&[Role::Admin])?;
    let reason = Reason::parse(b.reason.trim(), b.until.as_deref()).map_err(WatchError::Invalid)?;
    let id_number: Option<CandidateId> =
        match b.id_number.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(s.parse().map_err(|e| {
                Refused::bad(format!("身份证号无效：{e}"), format!("id_number: {e}"))
            })?),
        };
    let mut records = Vec::new();
    for (i, t) in b.templates_base64.iter().enumerate() {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(t.trim())
            .map_err(|e| {
                Refused::bad(
                    format!("模板 {i} 不是 base64 编码：{e}"),
                    format!("templates_base64[{i}]: not base64: {e}"),
                )
            })?;
        records.push(bytes);
    }
    let mut source = "upload".to_owned();
    if let Some(p) = b.from_person.as_deref().map(str::trim) {
        let person: PersonRef = p.parse().map_err(|e: String| {
            Refused::bad(
                format!("考生编号无效（candidate:<编号>）：{e}"),
                format!("from_person: {e}"),
            )
        })?;
        if person.kind() != PersonKind::Candidate {
            return Err(Refused::bad(
                format!("只能取用考生的指纹模板，收到 {person}"),
                format!("from_person: only a candidate's templates can be copied, got {person}"),
            ));
        }
        let rows = match st.store.person(person.kind(), person.id()).await {
            Ok((_, rows)) => rows,
            Err(store::StoreError::NotFound) => {
                return Err(Refused::bad(
                    format!("{person} 未登记"),
                    format!("from_person: {person} is not enrolled"),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        if rows.is_empty() {
            return Err(Refused::bad(
                format!("{person} 没有登记指纹模板"),
                format!("from_person: {person} has no templates"),
            ));
        }
        let owner = person.owner_key();
        for r in rows {
            let plain = st
                .identity
                .template_key()
                .open(&owner, &r.sealed)
                .map_err(|e| Refused::Api(ApiError::Internal(anyhow::anyhow!("{owner}: {e}"))))?;
            records.push(plain);
        }
        source = person.to_string();
    }
    let new = NewEntry {
        id_number,
        name: b.name.map(|n| n.trim().to_owned()),
        reason,
        note: b.note.unwrap_or_default().trim().to_owned(),
        records,
        source,
    };
    let a = st.areas.watchlist.clone();
    let e = a.add(new, caller.name.as_str()).await?;
    Ok(Json(entry_view(&a, &e)))
}

/// `POST /api/v1/watchlist/entries/{id}/remove` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoveV1 {
    /// Why (required).
    pub reason: String,
}

/// `POST /api/v1/watchlist/entries/{id}/remove` — an admin removes an entry, giving the reason.
pub async fn remove(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(b): Json<RemoveV1>,
) -> Result<Json<Value>, Refused> {
    caller.require(&[Role::Admin])?;
    let a = st.areas.watchlist.clone();
    let e = a
        .remove(parse_id(&id)?, &b.reason, caller.name.as_str())
        .await?;
    Ok(Json(entry_view(&a, &e)))
}

/// `GET /api/v1/watchlist/hits` — recent hits and duplicate-applicant alarms, newest first.
pub async fn hits(State(st): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(READERS)?;
    let a = &st.areas.watchlist;
    let hits: Vec<Value> = a.hits().iter().map(hit_view).collect();
    let dups: Vec<Value> = a.duplicates().iter().map(duplicate_view).collect();
    Ok(Json(json!({ "hits": hits, "duplicates": dups })))
}

/// The galleries and the last search, as the API and the page show them.
pub fn status_view(a: &WatchlistArea) -> Value {
    let (entries, templates) = a.watch_size();
    let (people, people_templates) = a.people_size();
    let s = a.stats();
    json!({
        "watchlist": { "entries": entries, "templates": templates },
        "enrolled": { "people": people, "templates": people_templates },
        "threshold": super::search::threshold(),
        "searches": s.searches,
        "last_search": s.last_at.map(|at| json!({
            "ms": at.0,
            "us": s.last.took.as_micros() as u64,
            "templates": s.last.templates,
            "compared": s.last.compared,
            "end": s.last.end.map(|e| super::page::search_end(crate::console::Lang::En, e).0),
        })),
    })
}

/// `GET /api/v1/watchlist/status` — gallery sizes and the last search's time.
pub async fn status(State(st): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(READERS)?;
    Ok(Json(status_view(&st.areas.watchlist)))
}
