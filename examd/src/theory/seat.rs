//! The seat terminal's routes under `/api/v1/theory/seat`. The terminal page asks to begin
//! (`begin`) and waits; the seat's fingerprint reader, as the seat's device account, posts the
//! candidate's finger (`finger`); when it matches the assigned candidate the waiting terminal's
//! token becomes the seat session, which sees that candidate's paper only. A seat assigned from
//! the day's draw also searches the finger 1:N over the drawn roster: a finger that matches another
//! rostered candidate better is refused as a stand-in suspicion naming both (`theory.finger_refused`,
//! purpose `stand_in`). A due re-verification,
//! a paused paper and a terminal that lost its session (browser crash) are all answered by the
//! same finger post. Refusals are events with the score; at three in a row the examiner is
//! alerted and a due re-check fails, pausing the paper.

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use model::Role;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use theory::{MediaKind, Sitting};

use super::api::seat_summary;
use super::events::*;
use super::finger::{self, SeatCheck, seat_check};
use super::hall::{HallError, MAX_FINGER_TRIES, Seat, exam_name};
use crate::auth::{Caller, new_secret};
use crate::error::ApiError;
use crate::identity::Verdict;
use crate::state::AppState;

/// The seat session cookie.
pub const SEAT_COOKIE: &str = "examd_seat";
/// The seat session header (for terminals that are not browsers).
pub const SEAT_HEADER: &str = "x-seat-token";

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/seat/begin", post(begin))
        .route("/seat/finger", post(finger_scan))
        .route("/seat/state", get(seat_state))
        .route("/seat/answer", post(answer))
        .route("/seat/submit", post(submit))
        .route("/seat/media", get(media))
}

/// The SHA-256 (hex) of the seat token a request carries (header or cookie).
pub struct SeatToken(pub String);

impl FromRequestParts<AppState> for SeatToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _st: &AppState) -> Result<Self, ApiError> {
        let token = match parts.headers.get(SEAT_HEADER).and_then(|v| v.to_str().ok()) {
            Some(t) => t.to_owned(),
            None => CookieJar::from_headers(&parts.headers)
                .get(SEAT_COOKIE)
                .map(|c| c.value().to_owned())
                .ok_or(ApiError::Unauthorized)?,
        };
        Ok(SeatToken(audit::sha256(&[token.as_bytes()]).to_hex()))
    }
}

/// The seat a request comes from, by its seat session.
pub struct SeatSession(pub String);

impl FromRequestParts<AppState> for SeatSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, ApiError> {
        let SeatToken(hash) = SeatToken::from_request_parts(parts, st).await?;
        match lookup(st, &hash).await {
            Lookup::Session(seat) => Ok(SeatSession(seat)),
            _ => Err(ApiError::Unauthorized),
        }
    }
}

enum Lookup {
    Session(String),
    Pending(String),
    Unknown,
}

async fn lookup(st: &AppState, hash: &str) -> Lookup {
    let hall = st.areas.theory.hall.lock().await;
    if let Some(seat) = hall.sessions.get(hash) {
        return Lookup::Session(seat.clone());
    }
    match hall.pending.iter().find(|(_, h)| h.as_str() == hash) {
        Some((seat, _)) => Lookup::Pending(seat.clone()),
        None => Lookup::Unknown,
    }
}

/// What a terminal waiting for the candidate's finger shows.
async fn awaiting(st: &AppState, seat: &str) -> Result<Value, ApiError> {
    let holder = st
        .areas
        .theory
        .hall
        .lock()
        .await
        .seat(seat)
        .ok_or(ApiError::NotFound("seat"))?;
    let s = holder.lock().await;
    Ok(json!({
        "status": "awaiting_finger", "seat": s.name, "exam_zh": s.rules.exam.zh(),
        "resume": !matches!(s.state, Sitting::NotStarted(_)),
        "finger_failures": s.finger_failures, "alert": s.alert,
    }))
}

/// `POST /api/v1/theory/seat/begin`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BeginReq {
    seat: String,
}

/// A terminal starts waiting for the candidate's finger at `seat`; it gets the token that
/// becomes its seat session when the finger matches. The latest terminal to begin is the one
/// that waits.
async fn begin(
    State(st): State<AppState>,
    jar: CookieJar,
    Json(req): Json<BeginReq>,
) -> Result<Response, ApiError> {
    let seat = req.seat.trim();
    let area = &st.areas.theory;
    let token = new_secret();
    let hash = audit::sha256(&[token.as_bytes()]).to_hex();
    {
        let mut hall = area.hall.lock().await;
        let holder = hall.seat(seat).ok_or(ApiError::NotFound("seat"))?;
        if matches!(holder.lock().await.state, Sitting::Finished(_)) {
            return Err(ApiError::Conflict(
                "该座位的考试已结束 / the paper at this seat has ended".into(),
            ));
        }
        hall.pending.insert(seat.to_owned(), hash);
    }
    let cookie = Cookie::build((SEAT_COOKIE, token.clone()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .build();
    let state = awaiting(&st, seat).await?;
    Ok((
        jar.add(cookie),
        Json(json!({ "token": token, "state": state })),
    )
        .into_response())
}

/// Query of `POST /api/v1/theory/seat/finger`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FingerQuery {
    seat: String,
    ppi: Option<u32>,
}

fn refused(seat: &Seat, purpose: &str, v: &Verdict, check: &SeatCheck, at: i64) -> TheoryEvent {
    let (purpose, best_match, best_score) = match check {
        SeatCheck::StandIn { other, score } => ("stand_in", Some(other.clone()), Some(*score)),
        _ => (purpose, None, None),
    };
    TheoryEvent::FingerRefused(FingerRefusedV1 {
        seat: seat.name.clone(),
        person: seat.candidate.clone(),
        purpose: purpose.into(),
        score: v.score,
        threshold: v.threshold,
        attempt: seat.finger_failures + 1,
        best_match,
        best_score,
        at,
    })
}

fn no_terminal() -> HallError {
    HallError::Conflict(
        "本座位终端未在等待登录 / no terminal is waiting at this seat: open the seat page first"
            .into(),
    )
}

/// The events that log the terminal waiting at `seat` (token hash `pending`) in and show the
/// first question: by the candidate's finger (`score`) or admitted by `examiner`.
pub(super) fn login(
    seat: &Seat,
    pending: Option<&str>,
    score: Option<f32>,
    examiner: Option<&str>,
    now: model::UnixMs,
) -> Result<Vec<TheoryEvent>, HallError> {
    login_ranked(seat, pending, score, None, examiner, None, now)
}

/// [`login`], with who the 1:N search over the seat's drawn roster ranked first. The login event
/// carries what the platform's subject-start message (17C51) needs: the sitting (its subject),
/// the candidate, the exam, the examiner who opened the sitting, the time, and the identity check.
fn login_ranked(
    seat: &Seat,
    pending: Option<&str>,
    score: Option<f32>,
    best_match: Option<String>,
    examiner: Option<&str>,
    photo: Option<crate::photos::PhotoV1>,
    now: model::UnixMs,
) -> Result<Vec<TheoryEvent>, HallError> {
    let Sitting::NotStarted(r) = &seat.state else {
        return Err(HallError::Conflict("the paper has begun".into()));
    };
    let session = pending.ok_or_else(no_terminal)?;
    let first = r
        .paper()
        .questions
        .first()
        .map(|q| q.to_string())
        .unwrap_or_default();
    Ok(vec![
        TheoryEvent::Login(LoginV1 {
            seat: seat.name.clone(),
            candidate: seat.candidate.clone(),
            session_sha256: session.to_owned(),
            score,
            examiner: examiner.map(str::to_owned),
            exam: Some(exam_name(seat.rules.exam).to_owned()),
            invigilator: Some(seat.invigilator.clone()),
            roster: seat.roster.clone(),
            best_match,
            photo,
            at: now.0,
        }),
        TheoryEvent::Shown(ShownV1 {
            seat: seat.name.clone(),
            index: 0,
            question: first,
            at: now.0,
        }),
    ])
}

/// The seat's reader posts a finger (body: see [`finger::probe`]). Only the seat's own device
/// account may post for it.
async fn finger_scan(
    State(st): State<AppState>,
    caller: Caller,
    Query(q): Query<FingerQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    if caller.role != Role::Device || caller.name.as_str() != q.seat {
        return Err(ApiError::Forbidden);
    }
    let probe = finger::probe(&headers, &body, q.ppi)?;
    finger_at(&st, &q.seat, &probe).await.map(Json)
}

/// What a finger at `seat`'s reader does: logs the waiting terminal in, re-verifies, resumes a
/// paused paper or a terminal that lost its session; or, when it does not match the seat's
/// candidate, is refused (an event with the score). Returns what the reader shows.
pub async fn finger_at(
    st: &AppState,
    seat: &str,
    probe: &scoring::Template,
) -> Result<Value, ApiError> {
    let area = &st.areas.theory;
    let (holder, pending) = {
        let hall = area.hall.lock().await;
        (
            hall.seat(seat).ok_or(ApiError::NotFound("seat"))?,
            hall.pending.get(seat).cloned(),
        )
    };
    let (candidate, roster, not_started) = {
        let s = holder.lock().await;
        let not_started = matches!(s.state, Sitting::NotStarted(_));
        (s.candidate.clone(), s.roster.clone(), not_started)
    };
    // Matching is CPU work: done before the seat is locked. 1:1 against the seat's candidate,
    // and 1:N over the day's drawn roster when the seat was assigned from a draw.
    let v = finger::verify(st, &finger::candidate(&candidate)?, probe).await?;
    let ranked = match &roster {
        Some(r) => finger::rank(st, r, probe).await?,
        None => Vec::new(),
    };
    let check = seat_check(&candidate, &v, &ranked);
    let matched = check == SeatCheck::Candidate;
    let best = roster
        .as_ref()
        .and_then(|_| ranked.first().map(|(c, _)| c.clone()));
    // The login photo (17C51 照片) is taken before the seat is locked.
    let login_photo = if matched && not_started && pending.is_some() {
        Some(super::photos::take(st, seat, &candidate).await)
    } else {
        None
    };
    let logging_in = login_photo.is_some();
    let s = area
        .seat_op(seat, |seat, now| {
            if seat.candidate != candidate {
                return Err(HallError::Conflict(
                    "座位已重新安排 / the seat was reassigned meanwhile".into(),
                ));
            }
            match &seat.state {
                Sitting::Finished(_) => Err(HallError::Conflict(
                    "该座位的考试已结束 / the paper at this seat has ended".into(),
                )),
                Sitting::NotStarted(_) if !matched => {
                    if pending.is_none() {
                        return Err(no_terminal());
                    }
                    Ok(vec![refused(seat, "login", &v, &check, now.0)])
                }
                Sitting::NotStarted(_) => login_ranked(
                    seat,
                    pending.as_deref(),
                    Some(v.score),
                    best.clone(),
                    None,
                    login_photo.clone(),
                    now,
                ),
                Sitting::InProgress(_) | Sitting::Paused { .. } => {
                    if matched {
                        return Ok(vec![TheoryEvent::Reverified(ReverifyV1 {
                            seat: seat.name.clone(),
                            reason: String::new(),
                            score: Some(v.score),
                            session_sha256: pending.clone(),
                            examiner: None,
                            at: now.0,
                        })]);
                    }
                    let mut evs = vec![refused(seat, "reverify", &v, &check, now.0)];
                    if seat.finger_failures + 1 >= MAX_FINGER_TRIES
                        && matches!(seat.state, Sitting::InProgress(_))
                        && seat.reverify_due(now)
                    {
                        evs.push(TheoryEvent::ReverifyFailed(ReverifyV1 {
                            seat: seat.name.clone(),
                            reason: "mismatch".into(),
                            score: Some(v.score),
                            session_sha256: None,
                            examiner: None,
                            at: now.0,
                        }));
                    }
                    Ok(evs)
                }
            }
        })
        .await?;
    if matched && let Some(session) = &pending {
        area.hall.lock().await.bind_session(seat, session);
    }
    if logging_in && matches!(s.state, Sitting::InProgress(_)) {
        // The paper began: its photos at seeded moments, one in each third of its time.
        let began = st.now().0;
        super::photos::schedule(
            st.clone(),
            s.name.clone(),
            s.candidate.clone(),
            s.seed,
            s.rules.duration_ms,
            began,
        );
    }
    let mut out = json!({
        "seat": s.name, "matched": matched, "score": v.score, "threshold": v.threshold,
        "finger_failures": s.finger_failures, "status": seat_summary(&s, st.now())["status"],
        "alert": s.alert,
    });
    if let SeatCheck::StandIn { other, score } = &check {
        out["stand_in"] = json!({ "candidate": candidate, "matches": other, "score": score });
        out["message"] = json!(format!(
            "疑似替考：指纹与名单上的另一考生 {other} 更吻合，而非本座位考生 {candidate} / \
             stand-in suspected: the finger matches {other} on the day's roster better than \
             this seat's candidate {candidate}"
        ));
    }
    Ok(out)
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
    let mut out = seat_summary(seat, now);
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
    SeatToken(hash): SeatToken,
) -> Result<Json<Value>, ApiError> {
    let seat = match lookup(&st, &hash).await {
        Lookup::Session(seat) => seat,
        Lookup::Pending(seat) => return awaiting(&st, &seat).await.map(Json),
        Lookup::Unknown => return Err(ApiError::Unauthorized),
    };
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
