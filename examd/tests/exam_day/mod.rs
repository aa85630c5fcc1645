//! The exam day runs from the draw: candidates book, the roster is closed and drawn, and the gate,
//! the theory hall and the cars work from the drawn rosters only — the gate admits a drawn
//! Subject 1 candidate and refuses an undrawn one, a seat refuses a stand-in by the 1:N search over
//! the drawn roster (naming both), and a car refuses a candidate the draw put in another car.
//! This file holds the helpers the tests share.

mod draw;
mod gate_windows;
mod lottery_timer;
mod routes;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use booking::{CandidateId, LocalDay};
use examd::booking::events::*;
use examd::gate::service::ServiceConfig;
use examd::gate::synth::{impression, iso_impression};
use examd::state::{AppState, Clock};
use examd::{accounts, app, site};
use model::{Role, UnixMs};
use serde_json::Value;

use crate::support::runtime;

const NOW: i64 = 1_800_000_000_000;
/// Examiners `ex` and `ex2` and their synthetic fingers.
const EXAMINERS: [(&str, u64); 2] = [("ex", 900), ("ex2", 902)];

/// Candidate `i` of the day: learners 0–3 (Subject 1), drivers 4–7 (Subject 2); finger `100 + i`.
fn person(i: u32) -> CandidateId {
    CandidateId::synthetic(700_000 + i)
}

fn finger(candidate: &str) -> u64 {
    (0..8)
        .find(|&i| person(i).as_str() == candidate)
        .map(|i| 100 + u64::from(i))
        .unwrap_or_else(|| panic!("{candidate} is not a test candidate"))
}

async fn submit(st: &AppState, ev: BookingEvent) {
    if let Err(e) = st.areas.booking.submit(ev).await {
        panic!("booking event refused: {e}");
    }
}

#[allow(clippy::too_many_arguments)]
fn session(
    id: &str,
    subject: &str,
    day: LocalDay,
    examiners: &[&str],
    cars: &[&str],
    group: u32,
) -> BookingEvent {
    let list = |l: &[&str]| l.iter().map(|s| (*s).to_owned()).collect();
    BookingEvent::SessionOpened(SessionV1 {
        session: id.into(),
        subject: subject.into(),
        day: day.to_string(),
        capacity: 8,
        examiners: list(examiners),
        per_examiner: if examiners.is_empty() { 0 } else { 8 },
        group_size: group,
        cars: list(cars),
        routes: vec![],
        site_day_max: 100,
        examiner_day_max: 40,
        times: Default::default(),
        by: "test".into(),
        at: NOW,
    })
}

async fn device(st: &AppState, name: &str) -> String {
    accounts::create(
        &st.store,
        &st.log,
        name.parse().unwrap(),
        Role::Device,
        String::new(),
        None,
        UnixMs(NOW),
        &"test".parse().unwrap(),
    )
    .await
    .unwrap()
    .token
    .unwrap()
}

async fn call(router: &Router, req: Request<Body>) -> (StatusCode, Value) {
    let resp = tower::ServiceExt::oneshot(router.clone(), req)
        .await
        .unwrap();
    let status = resp.status();
    let body = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .unwrap()
        .to_bytes();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// Events of `kind` in the log, payloads decoded.
async fn logged(st: &AppState, kind: model::EventKind) -> Vec<Value> {
    let rows = st
        .store
        .events_desc(None, Some(kind.code()), 100)
        .await
        .unwrap();
    rows.iter()
        .rev()
        .map(|r| serde_json::from_slice(&audit::decode(&r.bytes).unwrap().payload).unwrap())
        .collect()
}

/// `hh:mm` China time on `day`.
fn at(day: LocalDay, hh: i64, mm: i64) -> i64 {
    i64::from(day.0) * 86_400_000 - 8 * 3_600_000 + (hh * 60 + mm) * 60_000
}

/// A site whose clock the test moves (`time`), with candidates 0–7 registered and enrolled
/// (drivers 4–7 passed Subject 1 35 days ago) and the examiners enrolled.
async fn day_site(time: &Arc<AtomicI64>) -> (tempfile::TempDir, AppState, Router) {
    let dir = tempfile::tempdir().unwrap();
    let t = time.clone();
    let clock: Clock = Arc::new(move || UnixMs(t.load(Ordering::SeqCst)));
    let site = site::open(runtime(dir.path()), clock.clone())
        .await
        .unwrap();
    let st = app::state_of(&site, clock).await.unwrap();
    let router = app::router(st.clone());
    let today = st.areas.booking.today();
    // Candidates: drivers passed Subject 1 35 days ago; everyone's finger is enrolled.
    let history = "history-s1";
    submit(
        &st,
        session(history, "subject1", today.plus_days(-35), &[], &[], 1),
    )
    .await;
    for i in 0..8 {
        let id = person(i).to_string();
        submit(
            &st,
            BookingEvent::Registered(RegisteredV1 {
                candidate: id.clone(),
                name: format!("考生{i}"),
                class: "C1".into(),
                adding_class: false,
                phone_sha256: audit::sha256(&[b"13800000000"]).to_hex(),
                by: "test".into(),
                at: NOW,
            }),
        )
        .await;
        if i >= 4 {
            for ev in [
                BookingEvent::Booked(BookedV1 {
                    candidate: id.clone(),
                    session: history.into(),
                    made_on: today.plus_days(-40).to_string(),
                    at: NOW,
                }),
                BookingEvent::Result(examd::booking::events::ResultV1 {
                    candidate: id.clone(),
                    session: history.into(),
                    outcome: "passed".into(),
                    voided: vec![],
                    at: NOW,
                }),
            ] {
                submit(&st, ev).await;
            }
        }
        st.identity
            .enroll(
                format!("candidate:{id}").parse().unwrap(),
                Some(&format!("考生{i}")),
                vec![
                    impression(100 + u64::from(i), 0),
                    impression(100 + u64::from(i), 1),
                ],
                "test",
            )
            .await
            .unwrap();
    }
    for (name, f) in EXAMINERS {
        st.identity
            .enroll(
                format!("examiner:{name}").parse().unwrap(),
                None,
                vec![impression(f, 0), impression(f, 1)],
                "test",
            )
            .await
            .unwrap();
    }

    (dir, st, router)
}

/// Attaches a simulated door module and waits until it reports both doors closed and locked;
/// returns it with a gate terminal's token.
async fn gate_on(st: &AppState) -> (door_modbus::sim::SimPty, String) {
    let gate_token = device(st, "gate-a").await;
    let pty = st
        .areas
        .gate
        .attach_simulated(crate::gate::sim_config(), ServiceConfig::new("sim"))
        .await
        .unwrap();
    // The door module reports its doors shortly after it is attached: a scan before that is
    // admitted but not released (the door's state is unknown), so wait as an operator would.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let g = st.areas.gate.status().await.unwrap();
        if !g.doors.is_empty() && g.doors.iter().all(|d| d["state"] == "closed_locked") {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the doors never reported closed and locked: {:?}",
            g.doors
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (pty, gate_token)
}

/// A scan of `claim`'s own finger at door A.
fn scan(token: &str, claim: &str) -> Request<Body> {
    Request::post(format!("/api/v1/gate/scan?door=A&claim={claim}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(iso_impression(finger(claim), 3)))
        .unwrap()
}

async fn book(st: &AppState, who: u32, session: &str, on: LocalDay) {
    submit(
        st,
        BookingEvent::Booked(BookedV1 {
            candidate: person(who).to_string(),
            session: session.into(),
            made_on: on.to_string(),
            at: NOW,
        }),
    )
    .await;
}
