//! `/api/v1/theory`: examiners open sittings and assign seats; seats log candidates in and take
//! their answers. A seat session sees its own paper only.

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use model::{Role, UnixMs};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use theory::{MediaKind, Sitting, TheoryExam, Verdict};

use super::banks;
use super::events::*;
use super::hall::{HallError, Seat, exam_name, exam_of, reason_name};
use crate::auth::{Caller, new_secret};
use crate::error::ApiError;
use crate::state::AppState;

/// The seat session cookie.
pub const SEAT_COOKIE: &str = "examd_seat";
/// The seat session header (for terminals that are not browsers).
pub const SEAT_HEADER: &str = "x-seat-token";

const READERS: &[Role] = &[Role::Admin, Role::Examiner, Role::Auditor];
const RUNNERS: &[Role] = &[Role::Admin, Role::Examiner];

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/banks", get(list_banks))
        .route("/sittings", get(list_sittings).post(open_sitting))
        .route("/sittings/{id}/seats", post(assign_seat))
        .route("/seats/{seat}/terminate", post(terminate))
        .route("/seat/login", post(seat_login))
        .route("/seat/state", get(seat_state))
        .route("/seat/answer", post(answer))
        .route("/seat/submit", post(submit))
        .route("/seat/reverify", post(reverify))
        .route("/seat/media", get(media))
}

impl From<HallError> for ApiError {
    fn from(e: HallError) -> Self {
        match e {
            HallError::NotFound(what) => ApiError::NotFound(what),
            other => ApiError::Conflict(other.to_string()),
        }
    }
}

fn random_u64() -> u64 {
    let mut b = [0u8; 8];
    SystemRandom::new()
        .fill(&mut b)
        .expect("the system random source works");
    u64::from_le_bytes(b)
}

async fn list_banks(State(st): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(READERS)?;
    let area = &st.areas.theory;
    let mut out = Vec::new();
    for (id, version) in banks::current_versions(&area.data_dir)? {
        if let Some(b) = area.bank(id.as_str(), &version) {
            let count = |e: TheoryExam| b.bank.questions().iter().filter(|q| q.exam == e).count();
            out.push(json!({ "id": id.as_str(), "version": version, "subject1": count(TheoryExam::Subject1),
                             "safety": count(TheoryExam::SafetyTheory) }));
        }
    }
    Ok(Json(json!({ "banks": out })))
}

/// `POST /api/v1/theory/sittings`.
#[derive(Debug, Deserialize)]
pub struct OpenReq {
    exam: String,
    bank: String,
    #[serde(default)]
    reverify_s: u32,
}

async fn open_sitting(
    State(st): State<AppState>,
    caller: Caller,
    Json(req): Json<OpenReq>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(RUNNERS)?;
    let sitting = open(
        &st,
        caller.name.as_str(),
        &req.exam,
        &req.bank,
        req.reverify_s,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!({ "sitting": sitting }))))
}

/// Opens a sitting of `exam` (`subject1`, `safety`) on the current version of `bank`.
pub async fn open(
    st: &AppState,
    examiner: &str,
    exam: &str,
    bank: &str,
    reverify_s: u32,
) -> Result<String, ApiError> {
    let area = &st.areas.theory;
    let exam = exam_of(exam)
        .ok_or_else(|| ApiError::BadRequest("exam must be subject1 or safety".into()))?;
    let id: theory::BankId = bank
        .parse()
        .map_err(|e| ApiError::BadRequest(format!("bank: {e}")))?;
    let version = banks::current_versions(&area.data_dir)?
        .into_iter()
        .find(|(b, _)| *b == id)
        .map(|(_, v)| v)
        .ok_or(ApiError::NotFound("bank"))?;
    let now = st.now();
    let sitting = format!("th-{}-{}", now.0, &new_secret()[..6]);
    let ev = TheoryEvent::Opened(OpenedV1 {
        sitting: sitting.clone(),
        exam: exam_name(exam).into(),
        bank: bank.to_owned(),
        version,
        examiner: examiner.to_owned(),
        reverify_s,
        at: now.0,
    });
    let mut hall = area.hall.lock().await;
    let mut probe = super::hall::Hall::default();
    probe.apply_hall(&ev, |b, v| area.bank(b, v))?;
    st.log
        .append(ev.draft(&sitting, None))
        .await
        .map_err(anyhow::Error::from)?;
    hall.apply_hall(&ev, |b, v| area.bank(b, v))?;
    Ok(sitting)
}

/// `POST /api/v1/theory/sittings/{id}/seats`.
#[derive(Debug, Deserialize)]
pub struct AssignReq {
    seat: String,
    candidate: String,
}

async fn assign_seat(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<AssignReq>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(RUNNERS)?;
    let code = assign(&st, &id, &req.seat, &req.candidate).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "seat": req.seat, "candidate": req.candidate.trim(), "code": code })),
    ))
}

/// Assigns `candidate` to `seat` (a device account) in `sitting`; returns the one-time seat code.
pub async fn assign(
    st: &AppState,
    sitting: &str,
    seat: &str,
    candidate: &str,
) -> Result<String, ApiError> {
    let seat_user: model::UserName = seat
        .parse()
        .map_err(|_| ApiError::BadRequest("bad seat name".into()))?;
    match st.store.user(&seat_user).await {
        Ok(u) if u.role == Role::Device && u.enabled => {}
        Ok(_) | Err(store::StoreError::NotFound) => {
            return Err(ApiError::BadRequest(format!(
                "{seat} is not a seat (device account)"
            )));
        }
        Err(e) => return Err(e.into()),
    }
    let candidate = candidate.trim();
    if candidate.is_empty() || candidate.len() > 64 {
        return Err(ApiError::BadRequest(
            "candidate id must be 1 to 64 bytes".into(),
        ));
    }
    let area = &st.areas.theory;
    let code = format!("{:06}", random_u64() % 1_000_000);
    let now = st.now();
    let a = AssignedV1 {
        sitting: sitting.to_owned(),
        seat: seat.to_owned(),
        candidate: candidate.to_owned(),
        seed: random_u64(),
        code_sha256: audit::sha256(&[code.as_bytes()]).to_hex(),
        at: now.0,
    };
    let mut hall = area.hall.lock().await;
    hall.new_seat(&a)?;
    if let Some(old) = hall.seat(seat)
        && matches!(
            old.lock().await.state,
            Sitting::InProgress(_) | Sitting::Paused { .. }
        )
    {
        return Err(ApiError::Conflict(format!(
            "seat {seat} has a paper under way"
        )));
    }
    let ev = TheoryEvent::Assigned(a);
    st.log
        .append(ev.draft(sitting, Some(candidate)))
        .await
        .map_err(anyhow::Error::from)?;
    hall.apply_hall(&ev, |b, v| area.bank(b, v))?;
    area.codes
        .lock()
        .expect("codes lock")
        .insert(seat.to_owned(), code.clone());
    Ok(code)
}

fn status_name(s: &Sitting) -> &'static str {
    match s {
        Sitting::NotStarted(_) => "not_started",
        Sitting::InProgress(_) => "in_progress",
        Sitting::Paused { .. } => "paused",
        Sitting::Finished(_) => "finished",
    }
}

fn result_json(seat: &Seat) -> Value {
    match seat.state.outcome() {
        Some(o) => json!({
            "verdict": if o.verdict == Verdict::Passed { "passed" } else { "failed" },
            "reason": reason_name(o.reason), "score": o.score, "correct": o.correct, "wrong": o.wrong,
            "unanswered": o.unanswered,
        }),
        None => Value::Null,
    }
}

fn seat_summary(seat: &Seat, now: UnixMs, code: Option<&String>) -> Value {
    let (answered, wrong, remaining) = match seat.state.progress() {
        Some(p) => (
            p.marks.len(),
            p.marks.iter().filter(|m| !m.correct).count(),
            match &seat.state {
                Sitting::Paused { since, .. } => p.remaining_ms(*since),
                _ => p.remaining_ms(now),
            },
        ),
        None => match seat.state.outcome() {
            Some(o) => (o.marks.len(), usize::from(o.wrong), 0),
            None => (0, 0, seat.rules.duration_ms),
        },
    };
    json!({
        "seat": seat.name, "candidate": seat.candidate, "status": status_name(&seat.state),
        "answered": answered, "wrong": wrong, "total": seat.rules.questions, "remaining_ms": remaining,
        "alert": seat.alert, "reverify_due": seat.reverify_due(now), "result": result_json(seat),
        "code": if matches!(seat.state, Sitting::NotStarted(_)) { code.cloned() } else { None },
    })
}

async fn list_sittings(
    State(st): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    caller.require(READERS)?;
    let area = &st.areas.theory;
    let now = st.now();
    let show_codes = RUNNERS.contains(&caller.role);
    let (rooms, seats) = {
        let hall = area.hall.lock().await;
        (
            hall.rooms.values().cloned().collect::<Vec<_>>(),
            hall.seats.values().cloned().collect::<Vec<_>>(),
        )
    };
    let codes = area.codes.lock().expect("codes lock").clone();
    let mut by_room: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
    for s in seats {
        let s = s.lock().await;
        let code = if show_codes { codes.get(&s.name) } else { None };
        by_room
            .entry(s.sitting.clone())
            .or_default()
            .push(seat_summary(&s, now, code));
    }
    let out: Vec<Value> = rooms
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "exam": exam_name(r.exam), "exam_zh": r.exam.zh(), "bank": r.bank.bank.id().as_str(),
                "version": r.bank.version, "examiner": r.examiner, "reverify_s": r.reverify_ms / 1000,
                "opened_at": r.opened_at.0, "seats": by_room.remove(&r.id).unwrap_or_default(),
            })
        })
        .collect();
    Ok(Json(json!({ "now": now.0, "sittings": out })))
}

async fn terminate(
    State(st): State<AppState>,
    caller: Caller,
    Path(seat): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(RUNNERS)?;
    let s = st
        .areas
        .theory
        .seat_op(&seat, |seat, now| {
            let mut next = seat.clone();
            next.state = next
                .state
                .transition(theory::Event::Terminate { at: now })?;
            Ok(next.result_event().into_iter().collect())
        })
        .await?;
    Ok(Json(seat_summary(&s, st.now(), None)))
}

/// The seat a request comes from, by its seat session.
pub struct SeatSession(pub String);

impl FromRequestParts<AppState> for SeatSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, ApiError> {
        let token = match parts.headers.get(SEAT_HEADER).and_then(|v| v.to_str().ok()) {
            Some(t) => t.to_owned(),
            None => CookieJar::from_headers(&parts.headers)
                .get(SEAT_COOKIE)
                .map(|c| c.value().to_owned())
                .ok_or(ApiError::Unauthorized)?,
        };
        let hash = audit::sha256(&[token.as_bytes()]).to_hex();
        let hall = st.areas.theory.hall.lock().await;
        hall.sessions
            .get(&hash)
            .cloned()
            .map(SeatSession)
            .ok_or(ApiError::Unauthorized)
    }
}

/// `POST /api/v1/theory/seat/login`.
#[derive(Debug, Deserialize)]
pub struct LoginReq {
    seat: String,
    candidate: String,
    code: String,
}

async fn seat_login(
    State(st): State<AppState>,
    headers: axum::http::HeaderMap,
    caller: Result<Caller, ApiError>,
    jar: CookieJar,
    Json(req): Json<LoginReq>,
) -> Result<Response, ApiError> {
    // A terminal that presents its device token must be the seat it logs in at.
    if headers.contains_key(header::AUTHORIZATION) {
        let c = caller?;
        if c.role != Role::Device || c.name.as_str() != req.seat {
            return Err(ApiError::Forbidden);
        }
    }
    let area = &st.areas.theory;
    let token = new_secret();
    let session = audit::sha256(&[token.as_bytes()]).to_hex();
    let identity = area.identity.clone();
    let s = area
        .seat_op(&req.seat, |seat, now| {
            if seat.candidate != req.candidate.trim() || !identity.verify(seat, &req.code) {
                return Err(HallError::NotFound("candidate at this seat"));
            }
            if !matches!(seat.state, Sitting::NotStarted(_)) {
                return Err(HallError::Conflict(
                    "该考生已登录 / the candidate has already logged in".into(),
                ));
            }
            let q = current_question_id(seat, 0);
            Ok(vec![
                TheoryEvent::Login(LoginV1 {
                    seat: seat.name.clone(),
                    candidate: seat.candidate.clone(),
                    session_sha256: session.clone(),
                    at: now.0,
                }),
                TheoryEvent::Shown(ShownV1 {
                    seat: seat.name.clone(),
                    index: 0,
                    question: q,
                    at: now.0,
                }),
            ])
        })
        .await
        .map_err(|e| match e {
            HallError::NotFound(_) => ApiError::Unauthorized,
            other => other.into(),
        })?;
    area.hall
        .lock()
        .await
        .sessions
        .insert(session, s.name.clone());
    let cookie = Cookie::build((SEAT_COOKIE, token.clone()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .build();
    Ok((
        jar.add(cookie),
        Json(json!({ "token": token, "state": state_json(&st, &s) })),
    )
        .into_response())
}

fn current_question_id(seat: &Seat, index: usize) -> String {
    let paper = match &seat.state {
        Sitting::NotStarted(r) => r.paper(),
        _ => return String::new(),
    };
    paper
        .questions
        .get(index)
        .map(|q| q.to_string())
        .unwrap_or_default()
}

/// What the candidate terminal shows.
#[derive(Debug, Serialize)]
struct OptionOut {
    key: String,
    text: String,
    media: Option<String>,
}

fn media_url(path: &str) -> String {
    let enc: String = path
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' | b'/' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect();
    format!("/api/v1/theory/seat/media?path={enc}")
}

fn state_json(st: &AppState, seat: &Seat) -> Value {
    let now = st.now();
    let mut out = seat_summary(seat, now, None);
    let exam = seat.rules.exam;
    out["exam"] = json!(exam_name(exam));
    out["exam_zh"] = json!(exam.zh());
    out["pass_mark"] = json!(seat.rules.pass_mark);
    if let Some(p) = seat.state.progress() {
        let grid: Vec<&str> = (0..usize::from(seat.rules.questions))
            .map(|i| match p.marks.get(i) {
                Some(m) if m.correct => "right",
                Some(_) => "wrong",
                None if i == p.current => "current",
                None => "todo",
            })
            .collect();
        out["grid"] = json!(grid);
        out["index"] = json!(p.current);
        out["score"] = json!(p.score());
        let bank = Some(&seat.bank);
        if let Some(q) = bank
            .as_ref()
            .and_then(|b| b.bank.question(p.current_question()).cloned())
        {
            out["question"] = json!({
                "id": q.id.as_str(), "kind": format!("{:?}", q.kind).to_lowercase(), "kind_zh": q.kind.zh(),
                "stem": q.stem_zh,
                "media": q.media.as_ref().map(|m| media_url(&m.path)),
                "animated": q.media.as_ref().is_some_and(|m| m.kind == MediaKind::Animation),
                "options": q.options.iter().map(|c| OptionOut {
                    key: c.key.letter().to_string(), text: c.text_zh.clone(), media: c.media.as_ref().map(|m| media_url(&m.path)),
                }).collect::<Vec<_>>(),
            });
        }
    }
    out
}

async fn seat_state(
    State(st): State<AppState>,
    SeatSession(seat): SeatSession,
) -> Result<Json<Value>, ApiError> {
    let s = st
        .areas
        .theory
        .seat_op(&seat, |seat, now| {
            let Sitting::InProgress(p) = &seat.state else {
                return Ok(vec![]);
            };
            if now >= p.deadline {
                let mut next = seat.clone();
                next.state = next.state.transition(theory::Event::Tick { at: now })?;
                return Ok(next.result_event().into_iter().collect());
            }
            if p.current < seat.shown {
                return Ok(vec![]);
            }
            Ok(vec![TheoryEvent::Shown(ShownV1 {
                seat: seat.name.clone(),
                index: p.current,
                question: p.current_question().to_string(),
                at: now.0,
            })])
        })
        .await?;
    Ok(Json(state_json(&st, &s)))
}

/// `POST /api/v1/theory/seat/answer`.
#[derive(Debug, Deserialize)]
pub struct AnswerReq {
    index: usize,
    choice: String,
}

async fn answer(
    State(st): State<AppState>,
    SeatSession(seat): SeatSession,
    Json(req): Json<AnswerReq>,
) -> Result<Json<Value>, ApiError> {
    let s = st
        .areas
        .theory
        .seat_op(&seat, |seat, now| {
            if seat.reverify_due(now) {
                return Err(HallError::Conflict(
                    "请先复核身份 / confirm your identity first".into(),
                ));
            }
            let Sitting::InProgress(p) = &seat.state else {
                return Err(theory::InvalidTransition::NotStarted.into());
            };
            if req.index != p.current {
                return Err(HallError::Conflict(format!(
                    "question {} is not on screen",
                    req.index + 1
                )));
            }
            let ans = AnswerV1 {
                seat: seat.name.clone(),
                index: req.index,
                question: p.current_question().to_string(),
                choice: req.choice.clone(),
                correct: false,
                at: now.0,
            };
            // Score it on a copy to record `correct` in the event.
            let mut probe = seat.clone();
            probe.apply(&TheoryEvent::Answer(ans.clone()))?;
            let correct = probe
                .state
                .progress()
                .map(|p| p.marks.last().is_some_and(|m| m.correct))
                .or_else(|| {
                    probe
                        .state
                        .outcome()
                        .map(|o| o.marks.last().is_some_and(|m| m.correct))
                })
                .unwrap_or(false);
            let mut evs = vec![TheoryEvent::Answer(AnswerV1 { correct, ..ans })];
            if let Sitting::InProgress(np) = &probe.state {
                evs.push(TheoryEvent::Shown(ShownV1 {
                    seat: seat.name.clone(),
                    index: np.current,
                    question: np.current_question().to_string(),
                    at: now.0,
                }));
            }
            Ok(evs)
        })
        .await?;
    Ok(Json(state_json(&st, &s)))
}

async fn submit(
    State(st): State<AppState>,
    SeatSession(seat): SeatSession,
) -> Result<Json<Value>, ApiError> {
    let s = st
        .areas
        .theory
        .seat_op(&seat, |seat, now| {
            if !matches!(seat.state, Sitting::InProgress(_)) {
                return Err(HallError::Conflict("no paper under way".into()));
            }
            let mut next = seat.clone();
            next.state = next.state.transition(theory::Event::Submit { at: now })?;
            Ok(next.result_event().into_iter().collect())
        })
        .await?;
    Ok(Json(state_json(&st, &s)))
}

/// `POST /api/v1/theory/seat/reverify`.
#[derive(Debug, Deserialize)]
pub struct ReverifyReq {
    code: String,
}

async fn reverify(
    State(st): State<AppState>,
    SeatSession(seat): SeatSession,
    Json(req): Json<ReverifyReq>,
) -> Result<Json<Value>, ApiError> {
    let identity = st.areas.theory.identity.clone();
    let s = st
        .areas
        .theory
        .seat_op(&seat, |seat, now| {
            let ok = identity.verify(seat, &req.code);
            let e = ReverifyV1 {
                seat: seat.name.clone(),
                reason: if ok { String::new() } else { "mismatch".into() },
                at: now.0,
            };
            Ok(vec![if ok {
                TheoryEvent::Reverified(e)
            } else {
                TheoryEvent::ReverifyFailed(e)
            }])
        })
        .await?;
    Ok(Json(state_json(&st, &s)))
}

/// `GET /api/v1/theory/seat/media?path=`.
#[derive(Debug, Deserialize)]
pub struct MediaQuery {
    path: String,
}

async fn media(
    State(st): State<AppState>,
    SeatSession(seat): SeatSession,
    Query(q): Query<MediaQuery>,
) -> Result<Response, ApiError> {
    let area = &st.areas.theory;
    let holder = area
        .hall
        .lock()
        .await
        .seat(&seat)
        .ok_or(ApiError::NotFound("seat"))?;
    let s = holder.lock().await.clone();
    let p = s.state.progress().ok_or(ApiError::NotFound("media"))?;
    let bank = &s.bank;
    let question = bank
        .bank
        .question(p.current_question())
        .ok_or(ApiError::NotFound("question"))?;
    // Only the media of the question on screen.
    if !question.media_refs().any(|m| m.path == q.path) {
        return Err(ApiError::NotFound("media"));
    }
    let bytes = tokio::fs::read(bank.dir.join(&q.path))
        .await
        .map_err(|_| ApiError::NotFound("media"))?;
    let lower = q.path.to_ascii_lowercase();
    let ct = if lower.ends_with(".gif") {
        "image/gif"
    } else if lower.ends_with(".png") {
        "image/png"
    } else {
        "image/jpeg"
    };
    Ok((
        [
            (header::CONTENT_TYPE, ct),
            (header::CACHE_CONTROL, "private, max-age=3600"),
        ],
        bytes,
    )
        .into_response())
}
