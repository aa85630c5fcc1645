//! `/api/v1/theory`: examiners open sittings (with their finger) and assign seats; the seat
//! terminal's routes are in `super::seat`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use model::{Role, UnixMs};
use ring::rand::{SecureRandom, SystemRandom};
use serde::Deserialize;
use serde_json::{Value, json};
use theory::{Sitting, TheoryExam, Verdict};

use super::banks;
use super::events::*;
use super::finger;
use super::hall::{HallError, Seat, exam_name, exam_of, reason_name};
use crate::auth::{Caller, new_secret};
use crate::error::ApiError;
use crate::state::AppState;

const READERS: &[Role] = &[Role::Admin, Role::Examiner, Role::Auditor];
const RUNNERS: &[Role] = &[Role::Admin, Role::Examiner];

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/banks", get(list_banks))
        .route("/sittings", get(list_sittings).post(open_sitting))
        .route("/sittings/{id}/seats", post(assign_seat))
        .route("/seats/{seat}/terminate", post(terminate))
        .route("/seats/{seat}/admit", post(admit))
        .merge(super::seat::routes())
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
#[serde(deny_unknown_fields)]
pub struct OpenReq {
    exam: String,
    bank: String,
    #[serde(default)]
    reverify_s: u32,
    /// The examiner's finger from their desk reader: hex of an ISO/IEC 19794-2 record.
    finger: String,
}

async fn open_sitting(
    State(st): State<AppState>,
    caller: Caller,
    Json(req): Json<OpenReq>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(RUNNERS)?;
    let probe = hex_probe(&req.finger)?;
    let sitting = open(
        &st,
        caller.name.as_str(),
        &req.exam,
        &req.bank,
        req.reverify_s,
        &probe,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!({ "sitting": sitting }))))
}

/// An examiner's finger as their desk reader gives it: hex of an ISO/IEC 19794-2 record.
fn hex_probe(hex: &str) -> Result<scoring::Template, ApiError> {
    let mut hdr = axum::http::HeaderMap::new();
    hdr.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/plain"),
    );
    finger::probe(&hdr, hex.as_bytes(), None)
}

/// Opens a sitting of `exam` (`subject1`, `safety`) on the current version of `bank`, once
/// `probe` matches `examiner`'s enrolled templates (a refusal is logged with its score).
pub async fn open(
    st: &AppState,
    examiner: &str,
    exam: &str,
    bank: &str,
    reverify_s: u32,
    probe: &scoring::Template,
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
    let v = finger::verify(st, &finger::examiner(examiner)?, probe).await?;
    if !v.matched {
        let now = st.now();
        let ev = TheoryEvent::FingerRefused(FingerRefusedV1 {
            seat: String::new(),
            person: examiner.to_owned(),
            purpose: "open".into(),
            score: v.score,
            threshold: v.threshold,
            attempt: 1,
            best_match: None,
            best_score: None,
            at: now.0,
        });
        st.log
            .append(ev.draft_about(vec![model::SubjectRef::new(
                model::SubjectKind::User,
                examiner,
            )]))
            .await
            .map_err(anyhow::Error::from)?;
        return Err(ApiError::Forbidden);
    }
    let now = st.now();
    let sitting = format!("th-{}-{}", now.0, &new_secret()[..6]);
    let ev = TheoryEvent::Opened(OpenedV1 {
        sitting: sitting.clone(),
        exam: exam_name(exam).into(),
        bank: bank.to_owned(),
        version,
        examiner: examiner.to_owned(),
        reverify_s,
        score: Some(v.score),
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
    assign(&st, &id, &req.seat, &req.candidate).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "seat": req.seat, "candidate": req.candidate.trim() })),
    ))
}

/// Assigns `candidate` to `seat` (a device account) in `sitting`; the candidate logs in there
/// with their finger.
pub async fn assign(
    st: &AppState,
    sitting: &str,
    seat: &str,
    candidate: &str,
) -> Result<(), ApiError> {
    assign_from(st, sitting, seat, candidate, None).await
}

/// [`assign`], naming the day's drawn roster (`roster`, the booking session) the candidate was
/// seated from: the finger at login is then also searched 1:N over that roster.
pub async fn assign_from(
    st: &AppState,
    sitting: &str,
    seat: &str,
    candidate: &str,
    roster: Option<&str>,
) -> Result<(), ApiError> {
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
    // The candidate logs in with the finger enrolled under this id.
    super::finger::candidate(candidate)?;
    let area = &st.areas.theory;
    let now = st.now();
    let a = AssignedV1 {
        sitting: sitting.to_owned(),
        seat: seat.to_owned(),
        candidate: candidate.to_owned(),
        seed: random_u64(),
        code_sha256: String::new(),
        roster: roster.map(str::to_owned),
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
    Ok(())
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

pub(super) fn seat_summary(seat: &Seat, now: UnixMs) -> Value {
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
        "finger_failures": seat.finger_failures,
        "photos": seat.photos.iter().map(|p| json!({
            "shot": p.shot, "sha256": p.photo.sha256, "taken_at": p.photo.taken_at,
            "unavailable": p.photo.unavailable,
        })).collect::<Vec<_>>(),
    })
}

async fn list_sittings(
    State(st): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    caller.require(READERS)?;
    let area = &st.areas.theory;
    let now = st.now();
    let (rooms, seats) = {
        let hall = area.hall.lock().await;
        (
            hall.rooms.values().cloned().collect::<Vec<_>>(),
            hall.seats.values().cloned().collect::<Vec<_>>(),
        )
    };
    let mut by_room: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
    for s in seats {
        let s = s.lock().await;
        by_room
            .entry(s.sitting.clone())
            .or_default()
            .push(seat_summary(&s, now));
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
    Ok(Json(seat_summary(&s, st.now())))
}

/// `POST /api/v1/theory/seats/{seat}/admit`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdmitReq {
    /// The examiner's own finger: hex of an ISO/IEC 19794-2 record.
    finger: String,
}

/// The fallback for a candidate whose finger cannot be read: after three refused fingers the
/// examiner, at the seat, checks the candidate's papers and admits them with their own finger —
/// logging the waiting terminal in, or resuming a paused paper. Logged with the examiner's name; a
/// refused examiner finger is logged too.
async fn admit(
    State(st): State<AppState>,
    caller: Caller,
    Path(seat): Path<String>,
    Json(req): Json<AdmitReq>,
) -> Result<Json<Value>, ApiError> {
    caller.require(RUNNERS)?;
    let probe = hex_probe(&req.finger)?;
    let examiner = caller.name.as_str();
    let area = &st.areas.theory;
    let (holder, pending) = {
        let hall = area.hall.lock().await;
        (
            hall.seat(&seat).ok_or(ApiError::NotFound("seat"))?,
            hall.pending.get(&seat).cloned(),
        )
    };
    let v = finger::verify(&st, &finger::examiner(examiner)?, &probe).await?;
    if !v.matched {
        let sitting = holder.lock().await.sitting.clone();
        let ev = TheoryEvent::FingerRefused(FingerRefusedV1 {
            seat: seat.clone(),
            person: examiner.to_owned(),
            purpose: "admit".into(),
            score: v.score,
            threshold: v.threshold,
            attempt: 1,
            best_match: None,
            best_score: None,
            at: st.now().0,
        });
        st.log
            .append(ev.draft_about(vec![
                model::SubjectRef::new(model::SubjectKind::User, examiner),
                model::SubjectRef::new(model::SubjectKind::Session, &sitting),
            ]))
            .await
            .map_err(anyhow::Error::from)?;
        return Err(ApiError::Forbidden);
    }
    let s = area
        .seat_op(&seat, |seat, now| {
            if seat.finger_failures < super::hall::MAX_FINGER_TRIES {
                return Err(HallError::Conflict(
                    "考生指纹连续三次未通过后考试员方可放行 / an examiner admits only after three refused fingers".into(),
                ));
            }
            match &seat.state {
                Sitting::NotStarted(_) => {
                    super::seat::login(seat, pending.as_deref(), None, Some(examiner), now)
                }
                Sitting::Paused { .. } => Ok(vec![TheoryEvent::Reverified(ReverifyV1 {
                    seat: seat.name.clone(),
                    reason: String::new(),
                    score: None,
                    session_sha256: pending.clone(),
                    examiner: Some(examiner.to_owned()),
                    at: now.0,
                })]),
                _ => Err(HallError::Conflict(
                    "无需放行 / nothing to admit: the paper is under way or over".into(),
                )),
            }
        })
        .await?;
    if let Some(p) = &pending {
        area.hall.lock().await.bind_session(&seat, p);
    }
    Ok(Json(seat_summary(&s, st.now())))
}
