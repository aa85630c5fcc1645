//! The exam day runs from the draw: candidates book, the roster is closed and drawn, and the gate,
//! the theory hall and the cars work from the drawn rosters only — the gate admits a drawn
//! Subject 1 candidate and refuses an undrawn one, a seat refuses a stand-in by the 1:N search over
//! the drawn roster (naming both), and a car refuses a candidate the draw put in another car.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use booking::{CandidateId, LocalDay};
use examd::booking::draws;
use examd::booking::events::*;
use examd::driving::car::{self, Start};
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_draw_drives_the_gate_the_hall_and_the_cars() {
    let time = Arc::new(AtomicI64::new(NOW));
    let (_dir, st, router) = day_site(&time).await;
    let today = st.areas.booking.today();
    let tomorrow = today.plus_days(1);

    // Tomorrow's sessions, booked and drawn (Subject 1 first: the order no longer matters).
    let (s1, s2) = (format!("{tomorrow}-s1"), format!("{tomorrow}-s2"));
    submit(&st, session(&s1, "subject1", tomorrow, &[], &[], 2)).await;
    submit(
        &st,
        session(
            &s2,
            "subject2",
            tomorrow,
            &["ex", "ex2"],
            &["car-01", "car-02"],
            1,
        ),
    )
    .await;
    for i in 0..8 {
        book(&st, i, if i < 4 { &s1 } else { &s2 }, today).await;
    }
    for s in [&s1, &s2] {
        draws::commit(&st.areas.booking, s).await.unwrap();
        let drawn = draws::close(&st, s, "test").await.unwrap();
        assert_eq!(drawn.len(), 4, "{s}: {drawn:?}");
    }

    // The exam day: the gate admits a drawn Subject 1 candidate and refuses one drawn for Subject 2.
    time.store(at(tomorrow, 9, 0), Ordering::SeqCst);
    let (_pty, gate_token) = gate_on(&st).await;
    let undrawn = person(5).to_string();
    let (s, v) = call(&router, scan(&gate_token, &undrawn)).await;
    assert_eq!(
        (s, v["decision"].as_str()),
        (StatusCode::OK, Some("driving_only")),
        "{v}"
    );
    assert_eq!(v["released"], false, "{v}");
    assert_eq!(v["denied"]["reason"], "driving_only", "{v}");
    let learner = person(2).to_string();
    let (s, v) = call(&router, scan(&gate_token, &learner)).await;
    assert_eq!(
        (s, v["decision"].as_str()),
        (StatusCode::OK, Some("admit")),
        "{v}"
    );
    assert_eq!(v["released"], true, "{v}");

    // The hall seats drawn group 0 from the draw; a stand-in's finger is refused by 1:N, naming both.
    examd::theory::banks::import(
        &st.rt.data_dir,
        &crate::theory::fixture_bank(),
        &"synthetic".parse().unwrap(),
        "auto",
    )
    .await
    .unwrap();
    let sitting =
        examd::theory::api_open(&st, "ex", "subject1", "synthetic", 0, &impression(900, 4))
            .await
            .unwrap();
    let seats = ["seat-1".to_owned(), "seat-2".to_owned()];
    for s in &seats {
        device(&st, s).await;
    }
    let seated = draws::seat_group(&st, &s1, 0, &sitting, &seats)
        .await
        .unwrap();
    let group0: Vec<String> = draws::drawn(&st.areas.booking, &s1)
        .unwrap()
        .into_iter()
        .filter(|a| a.group == 0)
        .map(|a| a.candidate)
        .collect();
    assert_eq!(
        seated.iter().map(|x| x.1.clone()).collect::<Vec<_>>(),
        group0
    );
    let assigned = logged(&st, model::EventKind::TheorySeatAssigned).await;
    assert!(
        assigned.iter().all(|a| a["roster"] == s1.as_str()),
        "{assigned:?}"
    );
    let (seat, cand) = seated[0].clone();
    let other = seated[1].1.clone();
    let (s, v) = call(
        &router,
        Request::post("/api/v1/theory/seat/begin")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(format!(r#"{{"seat":"{seat}"}}"#)))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let v = examd::theory::seat_finger(&st, &seat, &impression(finger(&other), 5))
        .await
        .unwrap();
    assert_eq!(v["matched"], false, "{v}");
    assert_eq!(v["stand_in"]["matches"], other.as_str(), "{v}");
    let msg = v["message"].as_str().unwrap();
    assert!(
        msg.contains(&other) && msg.contains(&cand) && msg.contains("替考"),
        "{msg}"
    );
    let refused = logged(&st, model::EventKind::TheoryFingerRefused).await;
    let r = refused.last().unwrap();
    assert_eq!(
        (r["purpose"].as_str(), r["person"].as_str()),
        (Some("stand_in"), Some(cand.as_str()))
    );
    assert_eq!(r["best_match"], other.as_str());
    // The examiner is alerted at once, with both names.
    let alert = v["alert"].as_str().unwrap_or_default();
    assert!(alert.contains(&other) && alert.contains(&cand), "{v}");
    // The candidate's own finger logs in; the login carries the subject-start fields.
    let v = examd::theory::seat_finger(&st, &seat, &impression(finger(&cand), 6))
        .await
        .unwrap();
    assert_eq!(v["matched"], true, "{v}");
    let login = logged(&st, model::EventKind::TheoryCandidateLogin).await;
    let l = login.last().unwrap();
    assert_eq!(l["candidate"], cand.as_str());
    assert_eq!(l["best_match"], cand.as_str());
    assert_eq!(l["roster"], s1.as_str());
    assert_eq!(l["exam"], "subject1");
    assert_eq!(l["invigilator"], "ex");

    // The cars: a candidate the draw put in car-02 is refused at car-01; one drawn to car-01 starts.
    let car_token = device(&st, "car-01").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let drawn2 = draws::drawn(&st.areas.booking, &s2).unwrap();
    let sc = judge::sim::scenarios::all()
        .into_iter()
        .find(|s| s.name.starts_with("s2"))
        .unwrap();
    let lines: Vec<String> = sc
        .records
        .iter()
        .take(5)
        .map(|r| r.to_json_line())
        .collect();
    let start = |a: &AssignmentV1| {
        let ex = a.examiner.clone().unwrap();
        let exf = EXAMINERS.iter().find(|e| e.0 == ex).unwrap().1;
        Start {
            candidate: a.candidate.clone(),
            examiner: ex,
            course: sc.course.file().into(),
            vehicle: sc.vehicle.into(),
            standard: sc.standard.as_str().into(),
            region: sc.region.map(str::to_owned),
            identity: Some((
                s2.clone(),
                iso_impression(finger(&a.candidate), 2),
                iso_impression(exf, 3),
            )),
        }
    };
    let elsewhere = drawn2
        .iter()
        .find(|a| a.car.as_deref() == Some("car-02"))
        .unwrap();
    let err = car::drive(
        &base,
        "car-01",
        &car_token,
        &start(elsewhere),
        &lines,
        5,
        None,
    )
    .await
    .unwrap_err();
    let err = format!("{err:#}");
    assert!(
        err.contains("drawn to car car-02, not this car car-01") && err.contains("不是本车"),
        "{err}"
    );
    let mine = drawn2
        .iter()
        .find(|a| a.car.as_deref() == Some("car-01"))
        .unwrap();
    let o = tokio::time::timeout(
        Duration::from_secs(60),
        car::drive(&base, "car-01", &car_token, &start(mine), &lines, 5, None),
    )
    .await
    .unwrap()
    .unwrap();
    assert!(!o.session.is_empty());
    let ids = logged(&st, model::EventKind::DrivingIdentity).await;
    let passed: Vec<(bool, &str)> = ids
        .iter()
        .map(|v| {
            (
                v["passed"].as_bool().unwrap(),
                v["candidate"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        passed,
        [
            (false, elsewhere.candidate.as_str()),
            (true, mine.candidate.as_str())
        ]
    );
}

/// `ev` (a session opening) starting at `starts`, China time.
fn starting(ev: BookingEvent, starts: &str) -> BookingEvent {
    match ev {
        BookingEvent::SessionOpened(mut s) => {
            s.times.starts = Some(starts.into());
            BookingEvent::SessionOpened(s)
        }
        other => other,
    }
}

/// Two Subject 1 sittings on one day, drawn in either order: the gate admits each sitting's
/// candidates inside that sitting's window only, and refuses everyone else with the reason —
/// another day, not open yet, over, or drawn for a driving test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gate_admits_each_subject1_sitting_in_its_own_window() {
    for morning_first in [true, false] {
        let time = Arc::new(AtomicI64::new(NOW));
        let (_dir, st, router) = day_site(&time).await;
        let today = st.areas.booking.today();
        let day = today.plus_days(1);
        let (am, pm, s2) = (
            format!("{day}-s1-am"),
            format!("{day}-s1-pm"),
            format!("{day}-s2"),
        );
        submit(
            &st,
            starting(session(&am, "subject1", day, &[], &[], 2), "09:00"),
        )
        .await;
        submit(
            &st,
            starting(session(&pm, "subject1", day, &[], &[], 2), "14:00"),
        )
        .await;
        submit(
            &st,
            starting(
                session(&s2, "subject2", day, &["ex", "ex2"], &["car-01"], 1),
                "08:00",
            ),
        )
        .await;
        // Learners 0–1 sit the morning, 2–3 the afternoon; drivers 4–7 Subject 2.
        for i in 0..8 {
            let s = match i {
                0 | 1 => &am,
                2 | 3 => &pm,
                _ => &s2,
            };
            book(&st, i, s, today).await;
        }
        let order = if morning_first {
            [&am, &pm, &s2]
        } else {
            [&pm, &am, &s2]
        };
        for s in order {
            draws::commit(&st.areas.booking, s).await.unwrap();
            draws::close(&st, s, "test").await.unwrap();
        }
        let (_pty, token) = gate_on(&st).await;
        let (a, b, driver) = (
            person(0).to_string(),
            person(2).to_string(),
            person(6).to_string(),
        );
        let decide = |claim: &str| {
            let (router, token) = (router.clone(), token.clone());
            let claim = claim.to_owned();
            async move {
                let (s, v) = call(&router, scan(&token, &claim)).await;
                assert_eq!(s, StatusCode::OK, "{v}");
                v
            }
        };
        // The day before: not today.
        let v = decide(&a).await;
        assert_eq!(v["decision"], "not_today", "{v}");
        assert!(
            v["denied"]["message_en"]
                .as_str()
                .unwrap()
                .contains(&format!("{am} is on {day}, not today")),
            "{v}"
        );
        // 08:30: the morning is open, the afternoon not yet; the driver is sent to the car.
        time.store(at(day, 8, 30), Ordering::SeqCst);
        let v = decide(&b).await;
        assert_eq!(v["decision"], "sitting_not_open", "{v}");
        assert!(
            v["denied"]["message"]
                .as_str()
                .unwrap()
                .contains("13:00 开始入场"),
            "{v}"
        );
        let v = decide(&driver).await;
        assert_eq!(v["decision"], "driving_only", "{v}");
        let v = decide(&a).await;
        assert_eq!(
            (v["decision"].as_str(), &v["released"]),
            (Some("admit"), &Value::Bool(true)),
            "{v}"
        );
        // 13:30: the morning is over, the afternoon open (the decision is the gate's whoever
        // is still in the vestibule).
        time.store(at(day, 13, 30), Ordering::SeqCst);
        let v = decide(&person(1).to_string()).await;
        assert_eq!(v["decision"], "sitting_over", "{v}");
        assert_eq!(
            v["denied"]["message_en"],
            format!("Your sitting {am} stopped admitting at 09:15"),
            "{v}"
        );
        let v = decide(&b).await;
        assert_eq!(v["decision"], "admit", "{v}");
        // Every refusal is logged with its reason and sitting.
        let decisions = logged(&st, model::EventKind::GateDecision).await;
        let reasons: Vec<&str> = decisions
            .iter()
            .filter_map(|d| d["decision"].as_str())
            .filter(|d| *d != "admit")
            .collect();
        assert_eq!(
            reasons,
            [
                "not_today",
                "sitting_not_open",
                "driving_only",
                "sitting_over"
            ],
            "morning first: {morning_first}"
        );
        assert!(
            decisions
                .iter()
                .any(|d| d["decision"] == "sitting_not_open" && d["sitting"] == pm.as_str()),
            "{decisions:?}"
        );
        st.areas.gate.shutdown().await;
    }
}

/// The drawn route selects the course map: a Subject 3 candidate drawn to route B is judged on
/// route B's map whatever map the car names, and a drawn route without a map refuses the start,
/// naming the route.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subject3_drive_is_judged_on_its_drawn_routes_map() {
    let time = Arc::new(AtomicI64::new(NOW));
    let (_dir, st, router) = day_site(&time).await;
    let today = st.areas.booking.today();
    let day = today.plus_days(1);
    let (b, z) = (format!("{day}-s3-b"), format!("{day}-s3-z"));
    for (id, ex, route) in [(&b, "ex", "route-b"), (&z, "ex2", "route-z")] {
        let mut ev = session(id, "subject3", day, &[ex], &["car-01"], 1);
        if let BookingEvent::SessionOpened(s) = &mut ev {
            s.routes = vec![route.into()];
        }
        submit(&st, ev).await;
    }
    book(&st, 4, &b, today).await;
    book(&st, 6, &z, today).await;
    for s in [&b, &z] {
        draws::commit(&st.areas.booking, s).await.unwrap();
        let drawn = draws::close(&st, s, "test").await.unwrap();
        assert_eq!(drawn.len(), 1, "{s}: {drawn:?}");
    }
    time.store(at(day, 9, 0), Ordering::SeqCst);
    let car_token = device(&st, "car-01").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let lines: Vec<String> = examd::driving::routes::route_b_drive(45.0)
        .iter()
        .map(|r| r.to_json_line())
        .collect();
    let start = |sitting: &str, who: u32, ex: &str, exf: u64| Start {
        candidate: person(who).to_string(),
        examiner: ex.into(),
        // The car names the first route's map: the drawn route's map replaces it.
        course: "course-s3".into(),
        vehicle: "vehicle-c1".into(),
        standard: "GA1026-2017".into(),
        region: None,
        identity: Some((
            sitting.to_owned(),
            iso_impression(100 + u64::from(who), 2),
            iso_impression(exf, 3),
        )),
    };
    let o = tokio::time::timeout(
        Duration::from_secs(60),
        car::drive(
            &base,
            "car-01",
            &car_token,
            &start(&b, 4, "ex", 900),
            &lines,
            20,
            None,
        ),
    )
    .await
    .unwrap()
    .unwrap();
    let codes: Vec<&str> = o
        .verdict
        .deductions
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert!(
        codes.contains(&"30116"),
        "judged on route B's 40 km/h stretch: {codes:?}"
    );
    let started = logged(&st, model::EventKind::DrivingSessionStarted).await;
    assert_eq!(started.len(), 1, "{started:?}");
    assert_eq!(started[0]["course"]["name"], "course-s3-b", "{started:?}");
    let ids = logged(&st, model::EventKind::DrivingIdentity).await;
    assert_eq!(ids[0]["route"], "route-b", "{ids:?}");
    // Route Z has no map: the start is refused, naming it, and logged.
    let err = car::drive(
        &base,
        "car-01",
        &car_token,
        &start(&z, 6, "ex2", 902),
        &lines,
        20,
        None,
    )
    .await
    .unwrap_err();
    let err = format!("{err:#}");
    assert!(
        err.contains("the drawn route route-z has no course map")
            && err.contains("route-z 没有配置"),
        "{err}"
    );
    let ids = logged(&st, model::EventKind::DrivingIdentity).await;
    assert_eq!(
        (ids.len(), &ids[1]["passed"], &ids[1]["route"]),
        (2, &Value::Bool(false), &Value::from("route-z")),
        "{ids:?}"
    );
}

/// A lottery session with an application close time is drawn by the daemon when the window
/// closes (logged like an administrator's allocation, `by: system`), once: a restart after the
/// close does not draw it again, and a window that closed while the daemon was down is drawn at
/// the next start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lottery_windows_close_on_time_once_across_restarts() {
    use examd::booking::{events::*, lottery, lottery_timer};
    let dir = tempfile::tempdir().unwrap();
    let time = Arc::new(AtomicI64::new(NOW));
    let t = time.clone();
    let clock: Clock = Arc::new(move || UnixMs(t.load(Ordering::SeqCst)));
    let start = || async {
        let site = site::open(runtime(dir.path()), clock.clone())
            .await
            .unwrap();
        let st = app::state_of(&site, clock.clone()).await.unwrap();
        (site, st)
    };
    let allocations =
        |st: AppState| async move { logged(&st, model::EventKind::BookingAllocated).await };
    let wait_for = |st: AppState, session: &'static str| async move {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while st.areas.booking.draw_state(session).lottery_seed.is_none() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "{session} never drawn"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    let (site, st) = start().await;
    let today = st.areas.booking.today();
    for (id, close_min) in [("lot-a", 60), ("lot-b", 120)] {
        let BookingEvent::SessionOpened(mut ev) =
            session(id, "subject1", today.plus_days(3), &[], &[], 1)
        else {
            unreachable!()
        };
        ev.capacity = 1;
        ev.times.applications_close = Some(NOW + close_min * 60_000);
        lottery::open(&st.areas.booking, ev).await.unwrap();
    }
    for (i, s) in [(0, "lot-a"), (1, "lot-a"), (2, "lot-b"), (3, "lot-b")] {
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
        submit(
            &st,
            BookingEvent::Applied(BookedV1 {
                candidate: id,
                session: s.into(),
                made_on: today.to_string(),
                at: NOW,
            }),
        )
        .await;
    }
    // Before the close nothing is drawn; at the close lot-a is, by the system.
    tokio::time::sleep(lottery_timer::EVERY * 3).await;
    assert!(allocations(st.clone()).await.is_empty());
    time.store(NOW + 60 * 60_000, Ordering::SeqCst);
    wait_for(st.clone(), "lot-a").await;
    let a = allocations(st.clone()).await;
    assert_eq!(a.len(), 1, "{a:?}");
    assert_eq!(
        (&a[0]["session"], &a[0]["by"]),
        (&Value::from("lot-a"), &Value::from("system"))
    );
    assert_eq!(
        (
            a[0]["winners"].as_array().unwrap().len(),
            a[0]["losers"].as_array().unwrap().len()
        ),
        (1, 1)
    );
    assert!(st.areas.booking.draw_state("lot-b").lottery_seed.is_none());
    st.areas.shutdown().await;
    site.log.clone().shutdown().await;
    drop(st);
    drop(site);
    // Down while lot-b's window closes: drawn once at the next start; lot-a is not drawn again.
    time.store(NOW + 180 * 60_000, Ordering::SeqCst);
    for round in 0..2 {
        let (site, st) = start().await;
        wait_for(st.clone(), "lot-b").await;
        tokio::time::sleep(lottery_timer::EVERY * 3).await;
        let a = allocations(st.clone()).await;
        let sessions: Vec<&str> = a.iter().map(|x| x["session"].as_str().unwrap()).collect();
        assert_eq!(sessions, ["lot-a", "lot-b"], "restart {round}");
        assert!(a.iter().all(|x| x["by"] == "system"), "{a:?}");
        st.areas.shutdown().await;
        site.log.clone().shutdown().await;
    }
}
