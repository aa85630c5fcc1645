//! `/api/v1/booking`: candidates identify and book; admins and examiners register candidates,
//! open sessions, run the draw and record results; anyone reads the draws' commitments.

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use booking::sitting::GateWindow;
use booking::{CandidateId, LedgerError, LicenceClass, SessionId};
use model::{Role, UnixMs};
use serde::Deserialize;
use serde_json::{Value, json};

use super::SubmitError;
use super::draws::{self, DrawError};
use super::events::*;
use super::login::{COOKIE, LoginError};
use super::lottery::{self, LotteryError};
use super::session_times::{self, TimesError, TimesForm, local_time};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// The candidate session header (for clients that are not browsers).
pub const TOKEN_HEADER: &str = "x-booking-token";

const STAFF: &[Role] = &[Role::Admin, Role::Examiner];
const READERS: &[Role] = &[Role::Admin, Role::Examiner, Role::Auditor];

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/login/code", post(send_code))
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/me", get(me))
        .route("/open", get(open_sessions))
        .route("/book", post(book))
        .route("/apply", post(apply))
        .route("/cancel", post(cancel))
        .route("/draws", get(public_draws))
        .route("/candidates", get(list_candidates).post(register))
        .route("/sessions", get(list_sessions).post(open_session))
        .route("/sessions/{id}", get(session_detail))
        .route("/sessions/{id}/commit", post(commit))
        .route("/sessions/{id}/close", post(close))
        .route("/sessions/{id}/results", post(result))
        .route("/sessions/{id}/finish", post(finish))
        .route("/sessions/{id}/allocate", post(allocate))
        .route("/outbox", get(outbox))
}

impl From<SubmitError> for ApiError {
    fn from(e: SubmitError) -> Self {
        match e {
            SubmitError::Ledger(LedgerError::Refused(r)) => ApiError::Conflict(r.to_string()),
            SubmitError::Ledger(LedgerError::UnknownCandidate(_)) => {
                ApiError::NotFound("candidate")
            }
            SubmitError::Ledger(LedgerError::UnknownSession(_)) => ApiError::NotFound("session"),
            SubmitError::Ledger(e) => ApiError::Conflict(e.to_string()),
            SubmitError::Invalid(e) => ApiError::BadRequest(e),
            SubmitError::Log(e) => ApiError::Internal(anyhow::anyhow!(e)),
        }
    }
}

impl From<DrawError> for ApiError {
    fn from(e: DrawError) -> Self {
        match e {
            DrawError::UnknownSession(_) => ApiError::NotFound("session"),
            DrawError::Order(m) => ApiError::Conflict(m),
            DrawError::Internal(e) => ApiError::Internal(e),
        }
    }
}

impl From<LotteryError> for ApiError {
    fn from(e: LotteryError) -> Self {
        match e {
            LotteryError::Submit(e) => e.into(),
            LotteryError::Internal(e) => ApiError::Internal(e),
        }
    }
}

impl From<TimesError> for ApiError {
    fn from(e: TimesError) -> Self {
        ApiError::Invalid {
            field: e.field(),
            zh: e.zh(),
            en: e.to_string(),
        }
    }
}

/// A refusal as a 409 body that also carries the rule.
fn refused(e: SubmitError) -> Response {
    if let SubmitError::Ledger(LedgerError::Refused(r)) = &e {
        return (
            StatusCode::CONFLICT,
            Json(json!({ "error": "refused", "rule": r.rule(), "message": r.zh(), "message_en": r.en() })),
        )
            .into_response();
    }
    ApiError::from(e).into_response()
}

fn candidate_id(s: &str) -> Result<CandidateId, ApiError> {
    s.parse()
        .map_err(|e| ApiError::BadRequest(format!("candidate: {e}")))
}

fn session_id(s: &str) -> Result<SessionId, ApiError> {
    s.parse()
        .map_err(|e| ApiError::BadRequest(format!("session: {e}")))
}

/// A logged-in candidate.
#[derive(Debug, Clone)]
pub struct Candidate(pub CandidateId);

impl FromRequestParts<AppState> for Candidate {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, ApiError> {
        let jar = CookieJar::from_headers(&parts.headers);
        let token = parts
            .headers
            .get(TOKEN_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .or_else(|| jar.get(COOKIE).map(|c| c.value().to_owned()))
            .ok_or(ApiError::Unauthorized)?;
        st.areas
            .booking
            .logins
            .who(&token, st.now())
            .map(Candidate)
            .ok_or(ApiError::Unauthorized)
    }
}

#[derive(Debug, Deserialize)]
struct CodeReq {
    candidate: String,
}

/// Sends a one-time code to a registered candidate's phone. The answer is the same whether
/// or not the number is registered, so the endpoint does not reveal who applied.
async fn send_code(
    State(st): State<AppState>,
    Json(req): Json<CodeReq>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id = candidate_id(&req.candidate)?;
    let area = &st.areas.booking;
    if area.read(|l| l.candidates.contains_key(&id)) {
        match area.logins.issue(&id, st.now()) {
            Ok(()) | Err(LoginError::BadCode | LoginError::Locked) => {}
            Err(e @ LoginError::TooSoon) => return Err(ApiError::Conflict(e.to_string())),
        }
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(
            json!({ "sent": true, "message": "验证码已发送至登记的手机号码", "message_en": "a code was sent to the registered phone" }),
        ),
    ))
}

#[derive(Debug, Deserialize)]
struct LoginReq {
    candidate: String,
    code: String,
}

async fn login(
    State(st): State<AppState>,
    jar: CookieJar,
    Json(req): Json<LoginReq>,
) -> Result<(CookieJar, Json<Value>), ApiError> {
    let id = candidate_id(&req.candidate)?;
    let area = &st.areas.booking;
    let now = st.now();
    let r = area.logins.redeem(&id, &req.code, now);
    let logged = area
        .append_other(BookingEvent::Login(LoginV1 {
            candidate: id.to_string(),
            method: "one_time_code".into(),
            ok: r.is_ok(),
            at: now.0,
        }))
        .await;
    if let Err(e) = logged {
        return Err(ApiError::Internal(e));
    }
    let token = r.map_err(|e| match e {
        LoginError::Locked => ApiError::Conflict(e.to_string()),
        other => ApiError::BadRequest(other.to_string()),
    })?;
    let cookie = Cookie::build((COOKIE, token.clone()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .build();
    Ok((
        jar.add(cookie),
        Json(json!({ "candidate": id.masked(), "token": token })),
    ))
}

async fn logout(State(st): State<AppState>, jar: CookieJar) -> CookieJar {
    if let Some(c) = jar.get(COOKIE) {
        st.areas.booking.logins.logout(c.value());
    }
    jar.remove(Cookie::build(COOKIE).path("/").build())
}

/// The notice a candidate gets when a lottery did not give them a place.
pub const NOT_ALLOCATED_ZH: &str = "未中签：该场次申请人数多于名额，随机抽签未分配到名额。本次申请不计入预约次数，可预约其他场次。";
/// The same in English.
pub const NOT_ALLOCATED_EN: &str = "Not allocated: the session had more applicants than places and the lottery did not give you one. This application does not count as a booking; you may book another session.";

fn session_json(s: &booking::Session, draw: &super::DrawState) -> Value {
    let (lottery, commitment) = match &s.spec.allocation {
        booking::Allocation::Lottery { commitment } => (true, Some(commitment.as_str())),
        booking::Allocation::FirstCome => (false, None),
    };
    json!({
        "allocation": s.spec.allocation.code(),
        "lottery": lottery.then(|| json!({
            "commitment": commitment,
            "seed": draw.lottery_seed,
            "taking_applications": s.takes_applications(),
            "applicants": s.applicants.len(),
            "allocated": s.allotment.as_ref().map(|a| a.winners.len()),
            "not_allocated": s.allotment.as_ref().map(|a| a.losers.len()),
        })),
        "session": s.spec.id.as_str(),
        "subject": s.spec.subject.code(),
        "subject_zh": s.spec.subject.zh(),
        "subject_en": s.spec.subject.en(),
        "day": s.spec.day.to_string(),
        "capacity": s.spec.capacity,
        "booked": s.booked.len(),
        "free": s.spec.capacity.saturating_sub(s.booked.len() as u32),
        "closed": s.closed,
        "examiners": s.spec.examiners.iter().map(|x| x.as_str()).collect::<Vec<_>>(),
        "cars": s.spec.cars.iter().map(|x| x.as_str()).collect::<Vec<_>>(),
        "routes": s.spec.routes.iter().map(|x| x.as_str()).collect::<Vec<_>>(),
        "group_size": s.spec.group_size,
        "commitment": draw.commitment,
        "seed": draw.revealed,
        "drawn": draw.assigned.is_some(),
    })
}

/// A session's times for the pages: its start and gate window (`YYYY-MM-DD HH:MM`, China
/// time; no start admits all the exam day) and a lottery's application close.
fn times_json(window: Option<GateWindow>, close: Option<i64>) -> Value {
    let w = window.filter(|w| w.starts.is_some());
    json!({
        "starts": w.and_then(|w| w.starts).map(|s| s.to_string()),
        "gate_opens_before_min": w.map(|w| w.opens_before_min),
        "gate_closes_after_min": w.map(|w| w.closes_after_min),
        "gate_opens": w.map(|w| local_time(w.opens())),
        "gate_closes": w.map(|w| local_time(w.closes())),
        "applications_close": close.map(|t| local_time(UnixMs(t))),
    })
}

/// `list` (session objects) with each session's `times`.
fn with_times(area: &super::BookingArea, mut list: Vec<Value>) -> Vec<Value> {
    let closes = area.lottery_closes();
    for v in &mut list {
        let id = v["session"].as_str().unwrap_or_default().to_owned();
        v["times"] = times_json(area.gate_window(&id), closes.get(&id).copied());
    }
    list
}

async fn me(State(st): State<AppState>, Candidate(id): Candidate) -> Result<Json<Value>, ApiError> {
    let area = &st.areas.booking;
    let name = area.name_of(id.as_str());
    let v = area.read(|l| {
        let f = l.candidates.get(&id)?;
        Some(json!({
            "candidate": id.masked(),
            "name": name,
            "class": f.class.to_string(),
            "permit": f.permit.map(|p| json!({ "issued": p.issued.to_string(), "expires": p.expires.to_string() })),
            "passed": f.passed.iter().filter(|(s, _)| f.has_passed(**s)).map(|(s, d)| json!({ "subject": s.code(), "day": d.to_string() })).collect::<Vec<_>>(),
            "voided": f.voided.map(|(s, d)| json!({ "subject": s.code(), "day": d.to_string() })),
            "bookings": f.bookings.iter().rev().map(|b| json!({
                "session": b.session.as_str(), "subject": b.subject.code(), "subject_zh": b.subject.zh(),
                "subject_en": b.subject.en(), "day": b.exam_day.to_string(), "made_on": b.made_on.to_string(),
                "result": b.result.code(),
                "lottery": l.sessions.get(&b.session).is_some_and(|s| matches!(s.spec.allocation, booking::Allocation::Lottery { .. })),
                "notice": (b.result == booking::BookingResult::NotAllocated).then_some(NOT_ALLOCATED_ZH),
                "notice_en": (b.result == booking::BookingResult::NotAllocated).then_some(NOT_ALLOCATED_EN),
            })).collect::<Vec<_>>(),
        }))
    });
    v.map(Json).ok_or(ApiError::NotFound("candidate"))
}

async fn open_sessions(State(st): State<AppState>) -> Json<Value> {
    let area = &st.areas.booking;
    let today = area.today();
    let draws = area.draw_states();
    let list: Vec<Value> = area.read(|l| {
        l.sessions
            .values()
            .filter(|s| {
                !s.closed
                    && s.spec.day > today
                    && (s.spec.allocation == booking::Allocation::FirstCome
                        || s.takes_applications())
            })
            .map(|s| {
                session_json(
                    s,
                    &draws.get(s.spec.id.as_str()).cloned().unwrap_or_default(),
                )
            })
            .collect()
    });
    let list = with_times(area, list);
    Json(json!({ "today": today.to_string(), "sessions": list }))
}

#[derive(Debug, Deserialize)]
struct BookReq {
    session: String,
}

async fn book(
    State(st): State<AppState>,
    Candidate(id): Candidate,
    Json(req): Json<BookReq>,
) -> Response {
    let area = &st.areas.booking;
    let ev = BookingEvent::Booked(BookedV1 {
        candidate: id.to_string(),
        session: req.session.clone(),
        made_on: area.today().to_string(),
        at: st.now().0,
    });
    match area.submit(ev).await {
        Ok(_) => (
            StatusCode::CREATED,
            Json(json!({ "booked": req.session, "message": "预约成功", "message_en": "booked" })),
        )
            .into_response(),
        Err(e) => refused(e),
    }
}

/// A candidate applies for a lottery session (every booking rule but capacity is checked now).
async fn apply(
    State(st): State<AppState>,
    Candidate(id): Candidate,
    Json(req): Json<BookReq>,
) -> Response {
    let area = &st.areas.booking;
    let ev = BookingEvent::Applied(BookedV1 {
        candidate: id.to_string(),
        session: req.session.clone(),
        made_on: area.today().to_string(),
        at: st.now().0,
    });
    match area.submit(ev).await {
        Ok(_) => (
            StatusCode::CREATED,
            Json(json!({
                "applied": req.session,
                "message": "已提交抽签申请，申请截止后随机抽签分配名额",
                "message_en": "applied: the places are drawn by lottery when the applications close",
            })),
        )
            .into_response(),
        Err(e) => refused(e),
    }
}

async fn cancel(
    State(st): State<AppState>,
    Candidate(id): Candidate,
    Json(req): Json<BookReq>,
) -> Response {
    let area = &st.areas.booking;
    let ev = BookingEvent::Cancelled(BookedV1 {
        candidate: id.to_string(),
        session: req.session.clone(),
        made_on: area.today().to_string(),
        at: st.now().0,
    });
    match area.submit(ev).await {
        Ok(_) => Json(
            json!({ "cancelled": req.session, "message": "已取消预约", "message_en": "cancelled" }),
        )
        .into_response(),
        Err(e) => refused(e),
    }
}

/// Public: every draw's commitment, and its seed once revealed.
async fn public_draws(State(st): State<AppState>) -> Json<Value> {
    let area = &st.areas.booking;
    let draws = area.draw_states();
    let list: Vec<Value> = area.read(|l| {
        l.sessions
            .values()
            .filter_map(|s| {
                let d = draws.get(s.spec.id.as_str())?;
                Some(json!({
                    "session": s.spec.id.as_str(), "subject": s.spec.subject.code(),
                    "day": s.spec.day.to_string(), "commitment": d.commitment,
                    "committed_at": d.committed_at, "closed": s.closed,
                    "candidates": s.booked.len(), "seed": d.revealed,
                }))
            })
            .collect()
    });
    let lotteries: Vec<Value> = area.read(|l| {
        l.sessions
            .values()
            .filter_map(|s| {
                let booking::Allocation::Lottery { commitment } = &s.spec.allocation else {
                    return None;
                };
                let seed = draws
                    .get(s.spec.id.as_str())
                    .and_then(|d| d.lottery_seed.clone());
                Some(json!({
                    "session": s.spec.id.as_str(), "subject": s.spec.subject.code(),
                    "day": s.spec.day.to_string(), "commitment": commitment,
                    "applicants": s.applicants.len(),
                    "allocated": s.allotment.as_ref().map(|a| a.winners.len()),
                    "seed": seed,
                }))
            })
            .collect()
    });
    Json(
        json!({ "algorithm": "examd.draw.v1", "draws": list, "lottery_algorithm": "examd.lottery.v1", "lotteries": lotteries }),
    )
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterReq {
    candidate: String,
    name: String,
    class: String,
    #[serde(default)]
    adding_class: bool,
    phone: String,
}

async fn register(
    State(st): State<AppState>,
    caller: Caller,
    Json(req): Json<RegisterReq>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(STAFF)?;
    let id = candidate_id(&req.candidate)?;
    req.class
        .parse::<LicenceClass>()
        .map_err(ApiError::BadRequest)?;
    let phone = req.phone.trim();
    if !(phone.len() == 11 && phone.bytes().all(|b| b.is_ascii_digit()) && phone.starts_with('1')) {
        return Err(ApiError::BadRequest(format!(
            "phone must be an 11-digit mobile number starting with 1, got {:?}",
            req.phone
        )));
    }
    if req.name.trim().is_empty() || req.name.chars().count() > 64 {
        return Err(ApiError::BadRequest("name must be 1-64 characters".into()));
    }
    let ev = BookingEvent::Registered(RegisteredV1 {
        candidate: id.to_string(),
        name: req.name.trim().to_owned(),
        class: req.class.trim().to_ascii_uppercase(),
        adding_class: req.adding_class,
        phone_sha256: audit::sha256(&[phone.as_bytes()]).to_hex(),
        by: caller.name.to_string(),
        at: st.now().0,
    });
    st.areas.booking.submit(ev).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "candidate": id.masked() })),
    ))
}

async fn list_candidates(
    State(st): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    caller.require(READERS)?;
    let area = &st.areas.booking;
    let list: Vec<Value> = area.read(|l| {
        l.candidates
            .values()
            .map(|f| {
                json!({
                    "candidate": f.id.as_str(), "class": f.class.to_string(),
                    "permit": f.permit.map(|p| p.issued.to_string()),
                    "passed": f.passed.keys().filter(|s| f.has_passed(**s)).map(|s| s.code()).collect::<Vec<_>>(),
                    "open": f.bookings.iter().filter(|b| b.result == booking::BookingResult::Pending).map(|b| b.session.as_str()).collect::<Vec<_>>(),
                    "voided": f.voided.is_some(),
                })
            })
            .collect()
    });
    Ok(Json(json!({ "candidates": list })))
}

/// `POST /api/v1/booking/sessions`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenReq {
    session: String,
    subject: String,
    day: String,
    capacity: u32,
    #[serde(default)]
    examiners: Vec<String>,
    #[serde(default)]
    per_examiner: u32,
    #[serde(default = "one")]
    group_size: u32,
    #[serde(default)]
    cars: Vec<String>,
    #[serde(default)]
    routes: Vec<String>,
    site_day_max: u32,
    examiner_day_max: u32,
    /// `fcfs` (the default) or `lottery`.
    #[serde(default)]
    allocation: Option<String>,
    /// Start, `HH:MM` China time.
    #[serde(default)]
    starts: Option<String>,
    /// Minutes before the start the gate admits (default 60).
    #[serde(default)]
    gate_opens_before_min: Option<u32>,
    /// Minutes after the start the gate stops admitting (default 15).
    #[serde(default)]
    gate_closes_after_min: Option<u32>,
    /// Lottery sessions: when the applications close, `YYYY-MM-DD HH:MM` China time (the places
    /// are then drawn by the daemon; without it an administrator allocates).
    #[serde(default)]
    applications_close: Option<String>,
}

fn one() -> u32 {
    1
}

async fn open_session(
    State(st): State<AppState>,
    caller: Caller,
    Json(r): Json<OpenReq>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(STAFF)?;
    let lottery_session = r.allocation.as_deref().map(str::trim) == Some("lottery");
    let day = parse_day(&r.day).map_err(ApiError::BadRequest)?;
    let form = TimesForm {
        starts: r.starts.as_deref(),
        gate_opens_before_min: r.gate_opens_before_min,
        gate_closes_after_min: r.gate_closes_after_min,
        applications_close: r.applications_close.as_deref(),
    };
    let times = session_times::check(&form, day, lottery_session, st.now())?;
    let ev = SessionV1 {
        session: r.session,
        subject: r.subject,
        day: r.day,
        capacity: r.capacity,
        examiners: r.examiners,
        per_examiner: r.per_examiner,
        group_size: r.group_size,
        cars: r.cars,
        routes: r.routes,
        site_day_max: r.site_day_max,
        examiner_day_max: r.examiner_day_max,
        times,
        by: caller.name.to_string(),
        at: st.now().0,
    };
    ev.spec().map_err(ApiError::BadRequest)?;
    let id = ev.session.clone();
    match r.allocation.as_deref().map(str::trim) {
        None | Some("fcfs") => {
            st.areas
                .booking
                .submit(BookingEvent::SessionOpened(ev))
                .await?;
            Ok((StatusCode::CREATED, Json(json!({ "session": id }))))
        }
        Some("lottery") => {
            let c = lottery::open(&st.areas.booking, ev).await?;
            Ok((
                StatusCode::CREATED,
                Json(json!({ "session": id, "allocation": "lottery", "commitment": c })),
            ))
        }
        Some(other) => Err(ApiError::BadRequest(format!(
            "allocation must be fcfs or lottery, got {other:?}"
        ))),
    }
}

async fn list_sessions(
    State(st): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    caller.require(READERS)?;
    let area = &st.areas.booking;
    let draws = area.draw_states();
    let list: Vec<Value> = area.read(|l| {
        l.sessions
            .values()
            .map(|s| {
                session_json(
                    s,
                    &draws.get(s.spec.id.as_str()).cloned().unwrap_or_default(),
                )
            })
            .collect()
    });
    let list = with_times(area, list);
    Ok(Json(json!({ "sessions": list })))
}

async fn session_detail(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(READERS)?;
    let sid = session_id(&id)?;
    let area = &st.areas.booking;
    let draw = area.draw_state(&id);
    let v = area
        .read(|l| {
            l.sessions.get(&sid).map(|s| {
                let mut v = session_json(s, &draw);
                v["roster"] = json!(s.booked.iter().map(|c| c.as_str()).collect::<Vec<_>>());
                v
            })
        })
        .ok_or(ApiError::NotFound("session"))?;
    let mut v = with_times(area, vec![v]).remove(0);
    v["assignments"] = json!(draw.assigned);
    Ok(Json(v))
}

async fn commit(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(STAFF)?;
    let c = draws::commit(&st.areas.booking, &id).await?;
    Ok(Json(json!({ "session": id, "commitment": c })))
}

async fn close(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(STAFF)?;
    let a = draws::close(&st, &id, caller.name.as_str()).await?;
    Ok(Json(json!({ "session": id, "assignments": a })))
}

#[derive(Debug, Deserialize)]
struct ResultReq {
    candidate: String,
    outcome: String,
}

async fn result(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(r): Json<ResultReq>,
) -> Result<Json<Value>, ApiError> {
    caller.require(STAFF)?;
    candidate_id(&r.candidate)?;
    outcome_of(&r.outcome).map_err(ApiError::BadRequest)?;
    let fx = st
        .areas
        .booking
        .submit(BookingEvent::Result(ResultV1 {
            candidate: r.candidate,
            session: id,
            outcome: r.outcome,
            voided: vec![],
            at: st.now().0,
        }))
        .await?;
    Ok(Json(json!({
        "permit_issued": fx.permit_issued.map(|p| p.issued.to_string()),
        "voided": fx.voided.iter().map(|s| s.code()).collect::<Vec<_>>(),
    })))
}

/// Closes a lottery session's applications and draws its places.
async fn allocate(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(STAFF)?;
    let a = lottery::allocate(&st.areas.booking, &id, caller.name.as_str()).await?;
    let seed = st.areas.booking.draw_state(&id).lottery_seed;
    Ok(Json(json!({
        "session": id, "seed": seed,
        "allocated": a.winners.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "not_allocated": a.losers.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
    })))
}

async fn finish(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(STAFF)?;
    let seed = draws::finish(&st.areas.booking, &id).await?;
    Ok(Json(json!({ "session": id, "seed": seed })))
}

/// The SMS gateway's queue (admins only; the demo and tests read codes here).
async fn outbox(State(st): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    caller.require(&[Role::Admin])?;
    let list = st.areas.booking.logins.outbox();
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({ "messages": list })),
    )
        .into_response())
}
