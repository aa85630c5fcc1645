//! The gate end to end: the HTTP API, the gate service, the door driver and the simulated door module on a
//! pty, with synthetic fingers (ISO/IEC 19794-2 templates sent as scans).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use door_modbus::sim::{SimConfig, SimPty};
use examd::gate::service::ServiceConfig;
use examd::gate::synth::iso_impression;
use examd::identity::roster::{CandidateV1, ExaminerV1, RosterV1};
use examd::state::{AppState, Clock};
use examd::{accounts, app, site};
use gate::DoorId;
use model::{Role, UnixMs};
use serde_json::Value;

use crate::support::{PASSWORD, runtime};

pub struct GateRig {
    pub _dir: tempfile::TempDir,
    pub state: AppState,
    pub router: Router,
    pub token: String,
    pub cookie: String,
    pub pty: SimPty,
    pub _site: site::Site,
}

/// Candidate `c<n>` has synthetic finger `n`; examiner `ex` has finger 900.
pub const EXAMINER_FINGER: u64 = 900;

pub fn roster_v1(n: u64) -> RosterV1 {
    RosterV1 {
        sitting: "test-am".into(),
        candidates: (1..=n)
            .map(|f| CandidateV1 {
                id: format!("c{f}"),
                name: format!("考生{f}"),
                seat: None,
                subject: None,
                templates: vec![hex::encode(iso_impression(f, 0))],
            })
            .collect(),
        examiners: vec![ExaminerV1 {
            name: "ex".into(),
            display_name: None,
            templates: vec![hex::encode(iso_impression(EXAMINER_FINGER, 0))],
        }],
    }
}

pub fn sim_config() -> SimConfig {
    SimConfig {
        close_after_ms: 300,
        button_press_ms: 150,
        ..SimConfig::default()
    }
}

pub async fn rig(roster: u64, pulse_ms: u32) -> GateRig {
    let dir = tempfile::tempdir().unwrap();
    let clock: Clock = Arc::new(|| UnixMs(1_800_000_000_000));
    let site = site::open(runtime(dir.path()), clock.clone())
        .await
        .unwrap();
    let by = "test".parse().unwrap();
    accounts::create(
        &site.store,
        &site.log,
        "ex".parse().unwrap(),
        Role::Examiner,
        String::new(),
        Some(PASSWORD.into()),
        clock(),
        &by,
    )
    .await
    .unwrap();
    let dev = accounts::create(
        &site.store,
        &site.log,
        "gate-a".parse().unwrap(),
        Role::Device,
        String::new(),
        None,
        clock(),
        &by,
    )
    .await
    .unwrap();
    let state = app::state_of(&site, clock).await.unwrap();
    state
        .identity
        .import_roster_v1(roster_v1(roster), "test")
        .await
        .unwrap();
    let mut cfg = ServiceConfig::new("sim");
    cfg.mantrap.interlock.release_pulse_ms = pulse_ms;
    let pty = state
        .areas
        .gate
        .attach_simulated(sim_config(), cfg)
        .await
        .unwrap();
    let router = app::router(state.clone());
    let rig = GateRig {
        _dir: dir,
        state,
        router,
        token: dev.token.unwrap(),
        cookie: String::new(),
        pty,
        _site: site,
    };
    let cookie = rig.login("ex").await;
    let rig = GateRig { cookie, ..rig };
    rig.until("both doors closed and locked", |s| {
        s["doors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["state"] == "closed_locked")
    })
    .await;
    rig
}

impl GateRig {
    async fn login(&self, name: &str) -> String {
        let req = Request::post("/api/v1/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(format!(
                r#"{{"name":"{name}","password":"{PASSWORD}"}}"#
            )))
            .unwrap();
        let resp = tower::ServiceExt::oneshot(self.router.clone(), req)
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        resp.headers()
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned()
    }

    pub async fn call(&self, req: Request<Body>) -> (StatusCode, Value) {
        let resp = tower::ServiceExt::oneshot(self.router.clone(), req)
            .await
            .unwrap();
        let status = resp.status();
        let body = http_body_util::BodyExt::collect(resp.into_body())
            .await
            .unwrap()
            .to_bytes();
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    /// A device scan of synthetic finger `finger` (impression `n`) at `door`, claiming `claim`.
    pub async fn scan(&self, door: &str, claim: Option<&str>, finger: u64, n: u64) -> Value {
        let q = match claim {
            Some(c) => format!("/api/v1/gate/scan?door={door}&claim={c}"),
            None => format!("/api/v1/gate/scan?door={door}"),
        };
        let req = Request::post(q)
            .header(header::AUTHORIZATION, format!("Bearer {}", self.token))
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .body(Body::from(iso_impression(finger, n)))
            .unwrap();
        let (status, v) = self.call(req).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        v
    }

    pub async fn examiner(&self, path: &str, finger: u64) -> (StatusCode, Value) {
        let req = Request::post(path)
            .header(header::AUTHORIZATION, format!("Bearer {}", self.token))
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .body(Body::from(iso_impression(finger, 7)))
            .unwrap();
        self.call(req).await
    }

    pub async fn status(&self) -> Value {
        let req = Request::get("/api/v1/gate/status")
            .header(header::COOKIE, &self.cookie)
            .body(Body::empty())
            .unwrap();
        let (status, v) = self.call(req).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        v
    }

    pub async fn until(&self, what: &str, mut done: impl FnMut(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let s = self.status().await;
            if done(&s) {
                return s;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {what}; status: {s:#}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The candidate walks through a released door: push it, then wait for the closer and the relock.
    pub async fn walk_through(&self, door: DoorId) {
        let sim = self.pty.handle().clone();
        let d = door.to_string();
        assert!(sim.push(door), "door {d} did not open: not released");
        self.until("door closed and relocked", |s| {
            s["doors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["door"] == d.as_str() && x["state"] == "closed_locked")
                && !sim.is_open(door)
        })
        .await;
    }

    /// Waits until the log holds a gate event of `kind` whose payload satisfies `pred`; returns every gate event.
    pub async fn event(&self, kind: &str, pred: impl Fn(&Value) -> bool) -> Vec<(String, Value)> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let ev = self.events().await;
            if ev.iter().any(|(k, p)| k == kind && pred(p)) {
                return ev;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no {kind} event as expected in {ev:#?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Every gate and identity event in the log so far, with payloads.
    pub async fn events(&self) -> Vec<(String, Value)> {
        let rows = self
            .state
            .store
            .events(model::Seq(1), 10_000)
            .await
            .unwrap();
        rows.iter()
            .map(|e| audit::decode(&e.bytes).unwrap())
            .filter(|e| {
                e.kind.name().starts_with("gate.") || e.kind.name().starts_with("identity.")
            })
            .map(|e| {
                (
                    e.kind.name().to_owned(),
                    serde_json::from_slice(&e.payload).unwrap(),
                )
            })
            .collect()
    }
}

fn vestibule(s: &Value) -> Vec<String> {
    s["vestibule"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["candidate"].as_str().unwrap_or("unidentified").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_candidate_enters_by_a_is_checked_again_at_b_and_gets_a_seat() {
    let g = rig(10, 2_000).await;
    let out = g.scan("A", Some("c3"), 3, 1).await;
    assert_eq!(out["decision"], "admit", "{out}");
    assert_eq!(out["released"], true);
    assert!(out["seq"].as_u64().is_some(), "answered once durable");
    assert!(out["release_us"].as_u64().is_some());
    g.walk_through(DoorId::A).await;
    let s = g.until("c3 inside", |s| vestibule(s) == ["c3"]).await;
    assert_eq!(s["doors"][1]["state"], "closed_locked");
    // Door B: somebody else's finger is not the person who entered.
    let out = g.scan("B", None, 4, 1).await;
    assert_eq!(out["decision"], "retry", "{out}");
    let out = g.scan("B", None, 3, 2).await;
    assert_eq!(out["decision"], "admit", "{out}");
    assert_eq!(out["candidate"], "c3");
    g.walk_through(DoorId::B).await;
    let s = g
        .until("c3 admitted with a seat", |s| {
            vestibule(s).is_empty() && !s["seats"].as_array().unwrap().is_empty()
        })
        .await;
    assert_eq!(s["seats"][0]["seat"], "H1-001");
    let ev = g
        .event("gate.seat_assigned", |p| p["seat"] == "H1-001")
        .await;
    let kinds: Vec<&str> = ev.iter().map(|(k, _)| k.as_str()).collect();
    for k in [
        "gate.started",
        "gate.scan",
        "gate.decision",
        "gate.command",
        "gate.input",
        "gate.notice",
        "gate.seat_assigned",
    ] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    assert!(
        ev.iter()
            .any(|(k, p)| k == "gate.notice" && p["notice"] == "admitted")
    );
    assert!(
        ev.iter()
            .any(|(k, p)| k == "gate.command" && p["command"] == "release" && p["door"] == "B")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stand_in_raises_an_alarm_that_an_examiner_acknowledges_and_refuses() {
    let g = rig(10, 2_000).await;
    // c2 claims, but the finger is c5's: a 1:N hit on another roster candidate.
    let out = g.scan("A", Some("c2"), 5, 1).await;
    assert_eq!(out["decision"], "stand_in_alarm", "{out}");
    assert_eq!(out["released"], false);
    assert!(!g.pty.handle().released(DoorId::A));
    // Scanning has ended until an examiner decides.
    let out = g.scan("A", Some("c2"), 2, 1).await;
    assert_eq!(out["decision"], "awaiting_examiner", "{out}");
    let s = g.status().await;
    let alarm = s["alarms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "stand_in")
        .expect("stand-in alarm")
        .clone();
    assert_eq!(alarm["detail"]["matched_other"], "c5");
    // Someone else's finger does not count as the examiner's.
    let (st, out) = g
        .examiner("/api/v1/gate/override?door=A&examiner=ex&admit=false", 5)
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(out["decision"], "override_rejected", "{out}");
    let (_, out) = g
        .examiner(
            "/api/v1/gate/override?door=A&examiner=ex&admit=false",
            EXAMINER_FINGER,
        )
        .await;
    assert_eq!(out["decision"], "refused", "{out}");
    // Acknowledge the alarm from the console.
    let id = alarm["id"].as_u64().unwrap();
    let req = Request::post(format!("/api/v1/gate/alarms/{id}/ack"))
        .header(header::COOKIE, &g.cookie)
        .body(Body::empty())
        .unwrap();
    let (st, _) = g.call(req).await;
    assert_eq!(st, StatusCode::OK);
    let s = g.status().await;
    assert!(
        s["alarms"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["id"] != id),
        "acknowledged alarms leave the list"
    );
    // Devices may not acknowledge.
    let req = Request::post(format!("/api/v1/gate/alarms/{id}/ack"))
        .header(header::AUTHORIZATION, format!("Bearer {}", g.token))
        .body(Body::empty())
        .unwrap();
    assert_eq!(g.call(req).await.0, StatusCode::FORBIDDEN);
    let ev = g
        .event("gate.alarm_ack", |p| p["alarm"] == "stand_in")
        .await;
    assert!(
        ev.iter()
            .any(|(k, p)| k == "gate.alarm" && p["alarm"] == "stand_in")
    );
    assert!(
        ev.iter()
            .any(|(k, p)| k == "gate.alarm_ack" && p["alarm"] == "stand_in")
    );
    assert!(
        ev.iter().any(|(k, p)| k == "gate.decision"
            && p["decision"] == "refused"
            && p["examiner"] == "ex")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_candidate_scanning_while_the_vestibule_is_occupied_is_a_tailgating_alarm() {
    let g = rig(10, 2_000).await;
    assert_eq!(g.scan("A", Some("c1"), 1, 1).await["decision"], "admit");
    g.walk_through(DoorId::A).await;
    g.until("c1 inside", |s| vestibule(s) == ["c1"]).await;
    // c2 is genuine but the vestibule holds c1: the door stays shut and the tailgating sign is raised.
    let out = g.scan("A", Some("c2"), 2, 1).await;
    assert_eq!(out["decision"], "admit");
    assert_eq!(out["released"], false, "{out}");
    assert_eq!(out["denied"], "vestibule_occupied");
    let s = g.status().await;
    assert!(
        s["alarms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "tailgating"),
        "{s:#}"
    );
    // A tailgater pulls door A open again behind c1, within c1's grant window: the door cycled twice on one
    // grant, someone unidentified is inside, and B stays shut until an examiner clears the vestibule.
    g.pty.handle().force(DoorId::A);
    g.until("door cycled twice", |s| {
        s["alarms"].as_array().unwrap().iter().any(|a| {
            a["kind"] == "tailgating" && !a["detail"]["sign"]["door_cycled_twice"].is_null()
        })
    })
    .await;
    g.pty.handle().shut(DoorId::A);
    let s = g
        .until("unidentified inside", |s| {
            vestibule(s).contains(&"unidentified".to_owned())
        })
        .await;
    assert_eq!(vestibule(&s), ["c1", "unidentified"]);
    let out = g.scan("B", None, 1, 2).await;
    assert_eq!(out["decision"], "admit");
    assert_eq!(
        out["released"], false,
        "B stays shut with an unidentified occupant: {out}"
    );
    let (st, out) = g
        .examiner("/api/v1/gate/clear?examiner=ex", EXAMINER_FINGER)
        .await;
    assert_eq!((st, out["cleared"].as_bool()), (StatusCode::OK, Some(true)));
    g.until("vestibule cleared", |s| vestibule(s).is_empty())
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_failed_tries_need_the_examiners_own_finger_to_admit() {
    let g = rig(10, 2_000).await;
    // c6 is on the roster, but the finger matches nobody (a worn finger, a bad placement).
    assert_eq!(g.scan("A", Some("c6"), 555, 1).await["decision"], "retry");
    assert_eq!(g.scan("A", Some("c6"), 555, 2).await["tries_left"], 1);
    assert_eq!(
        g.scan("A", Some("c6"), 555, 3).await["decision"],
        "needs_override"
    );
    assert_eq!(
        g.scan("A", Some("c6"), 6, 3).await["decision"],
        "awaiting_examiner"
    );
    // Not on the roster at all.
    assert_eq!(
        g.scan("A", Some("zz"), 6, 3).await["decision"],
        "not_on_roster"
    );
    let (_, out) = g
        .examiner(
            "/api/v1/gate/override?door=A&examiner=ex&admit=true",
            EXAMINER_FINGER,
        )
        .await;
    assert_eq!(out["decision"], "admit", "{out}");
    assert_eq!(out["released"], true);
    assert!(g.pty.handle().released(DoorId::A));
    let ev = g.event("gate.decision", |p| p["decision"] == "admit").await;
    let admit = ev
        .iter()
        .find(|(k, p)| k == "gate.decision" && p["decision"] == "admit")
        .unwrap();
    assert_eq!(admit.1["admission"]["how"], "override");
    assert_eq!(admit.1["admission"]["examiner"], "ex");
}

/// Software latency from "scan available" (the request body received) to "release frame written to the port
/// and acknowledged by the module", over a 300-candidate roster and the simulated module on a pty.
/// `GATE_LATENCY_SCANS` sets the number of scans (default 30 to keep the suite fast; the issue asks for 1,000).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn release_latency_over_a_300_candidate_roster() {
    let scans: u64 = std::env::var("GATE_LATENCY_SCANS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let g = rig(300, 40).await;
    let mut us = Vec::new();
    for i in 0..scans {
        let c = i % 300 + 1;
        let out = g.scan("A", Some(&format!("c{c}")), c, i + 1).await;
        assert_eq!(out["decision"], "admit", "{out}");
        assert_eq!(out["released"], true, "{out}");
        us.push(out["release_us"].as_u64().unwrap());
        // Nobody walks through: the 40 ms grant expires and door A relocks before the next scan.
        g.until("grant expired", |s| {
            s["doors"][0]["released"] == false && s["doors"][0]["state"] == "closed_locked"
        })
        .await;
    }
    us.sort_unstable();
    let pct =
        |p: f64| us[((us.len() as f64 * p).ceil() as usize).clamp(1, us.len()) - 1] as f64 / 1000.0;
    eprintln!(
        "gate release latency over {} scans, 300-candidate roster: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        us.len(),
        pct(0.50),
        pct(0.99),
        *us.last().unwrap() as f64 / 1000.0
    );
    assert!(pct(0.50) < 1_000.0, "a release must not take a second");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_imports_a_roster_with_iso_templates_and_the_gate_uses_it() {
    let g = rig(2, 2_000).await;
    let by = "test".parse().unwrap();
    accounts::create(
        &g.state.store,
        &g.state.log,
        "ad".parse().unwrap(),
        Role::Admin,
        String::new(),
        Some(PASSWORD.into()),
        UnixMs(0),
        &by,
    )
    .await
    .unwrap();
    let admin = g.login("ad").await;
    let body = serde_json::json!({
        "sitting": "2026-11-29-pm",
        "candidates": [
            { "id": "37090219900101123X", "name": "张三", "templates": [hex::encode(iso_impression(7, 0))] },
            { "id": "c8", "name": "李四", "seat": "H1-050", "templates": [hex::encode(iso_impression(8, 0))] }
        ],
        "examiners": [{ "name": "ex", "templates": [hex::encode(iso_impression(EXAMINER_FINGER, 0))] }]
    })
    .to_string();
    let post = |auth: (header::HeaderName, String)| {
        Request::post("/api/v1/gate/roster")
            .header(auth.0, auth.1)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.clone()))
            .unwrap()
    };
    let (st, _) = g
        .call(post((header::AUTHORIZATION, format!("Bearer {}", g.token))))
        .await;
    assert_eq!(
        st,
        StatusCode::FORBIDDEN,
        "terminals may not import rosters"
    );
    let (st, v) = g.call(post((header::COOKIE, admin))).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["candidates"], 2);
    assert_eq!(v["templates"], 3);
    assert!(
        !v.to_string()
            .contains(&hex::encode(iso_impression(7, 0))[..32]),
        "templates are never returned"
    );
    let s = g.status().await;
    assert_eq!(
        (s["sitting"].as_str(), s["roster_size"].as_u64()),
        (Some("2026-11-29-pm"), Some(2))
    );
    assert_eq!(
        g.scan("A", Some("c1"), 1, 1).await["decision"],
        "not_on_roster"
    );
    assert_eq!(
        g.scan("A", Some("37090219900101123X"), 7, 1).await["decision"],
        "admit"
    );
    g.event("identity.roster_imported", |p| {
        p["sitting"] == "2026-11-29-pm" && p["enrolled"][0]["sha256"][0].as_str().is_some()
    })
    .await;
}

/// The gate page in headless Chromium: doors live, a stand-in alarm appears and is acknowledged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gate_page_shows_doors_and_alarms_live_in_chromium() {
    use fantoccini::Locator;
    let Some(driver) = crate::support::chromedriver("gate browser test") else {
        return;
    };
    let g = rig(10, 2_000).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = g.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let (_driver, c) = crate::support::browser(&driver).await;
    let result = async {
        c.goto(&format!("{base}/login")).await?;
        c.find(Locator::Id("name")).await?.send_keys("ex").await?;
        c.find(Locator::Id("password"))
            .await?
            .send_keys(PASSWORD)
            .await?;
        c.find(Locator::Id("login-submit")).await?.click().await?;
        c.wait().for_element(Locator::Id("site-id")).await?;
        c.goto(&format!("{base}/gate")).await?;
        let door_a = Locator::Css("#door-A[data-state=\"closed_locked\"]");
        c.wait().for_element(door_a).await?;
        // The page re-renders as events arrive: read the text again if the element was replaced.
        let mut text = None;
        for _ in 0..20 {
            match c.find(door_a).await {
                Ok(e) => match e.text().await {
                    Ok(t) => {
                        text = Some(t);
                        break;
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                },
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        assert!(text.unwrap_or_default().contains("A门"), "Chinese first");
        c.wait()
            .for_element(Locator::Css("table#area-events"))
            .await?;
        // A stand-in at door A: the alarm appears without reloading, and the examiner acknowledges it.
        assert_eq!(
            g.scan("A", Some("c2"), 5, 1).await["decision"],
            "stand_in_alarm"
        );
        c.wait()
            .for_element(Locator::Css("#gate-alarms tr[data-kind=\"stand_in\"]"))
            .await?;
        c.wait()
            .for_element(Locator::Css(
                "#gate-scans tr[data-decision=\"stand_in_alarm\"]",
            ))
            .await?;
        // The page re-renders the alarm table as events arrive: retry a click that lands on a replaced row.
        let mut tries = 0;
        loop {
            let clicked = match c
                .find(Locator::Css(
                    "#gate-alarms tr[data-kind=\"stand_in\"] button.ack",
                ))
                .await
            {
                Ok(button) => button.click().await,
                Err(e) => Err(e),
            };
            match clicked {
                Ok(()) => break,
                Err(e) if tries < 20 => {
                    tries += 1;
                    eprintln!("retrying the acknowledge click: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => return Err(e),
            }
        }
        // Door A opens for a genuine candidate and the page follows it.
        let out = g
            .examiner(
                "/api/v1/gate/override?door=A&examiner=ex&admit=true",
                EXAMINER_FINGER,
            )
            .await
            .1;
        assert_eq!(out["decision"], "admit");
        g.pty.handle().push(DoorId::A);
        c.wait()
            .for_element(Locator::Css("#gate-vestibule[data-count=\"1\"]"))
            .await?;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !c
            .find_all(Locator::Css("#gate-alarms tr[data-kind=\"stand_in\"]"))
            .await?
            .is_empty()
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "acknowledged alarm still shown"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    let _ = c.close().await;
    result.unwrap();
}

/// Fault drills: the door module goes silent mid-cycle, then the fire input comes on mid-cycle.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_drills_module_silent_and_fire_mid_cycle() {
    let g = rig(5, 3_000).await;
    let sim = g.pty.handle().clone();
    // Module silent while door A is released for c1: the link is lost, the driver forgets every input, and no
    // new release is granted; the module's own relay is left as it was (host-timed pulse) until it answers.
    assert_eq!(g.scan("A", Some("c1"), 1, 1).await["released"], true);
    sim.set_silent(true);
    let s = g.until("comms lost", |s| s["comms_up"] == false).await;
    assert!(
        s["alarms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "comms_lost" && a["active"] == true)
    );
    assert!(
        s["doors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["state"] == "unknown")
    );
    let out = g.scan("A", Some("c2"), 2, 1).await;
    assert_eq!(out["released"], false, "{out}");
    sim.set_silent(false);
    g.until("comms back, doors known and relocked", |s| {
        s["comms_up"] == true
            && s["doors"]
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d["state"] == "closed_locked")
    })
    .await;
    assert!(
        !sim.released(DoorId::A),
        "the driver re-asserted the lock after the link came back"
    );
    // Fire input mid-cycle (c3 released at A): every door is released at once, interlock or not.
    g.until("grant over", |s| s["doors"][0]["released"] == false)
        .await;
    let _ = g.scan("A", Some("c3"), 3, 1).await;
    sim.set_fire(true);
    let s = g
        .until("fire override", |s| s["fire_override"] == true)
        .await;
    assert!(
        s["alarms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "fire_override")
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !(sim.released(DoorId::A) && sim.released(DoorId::B)) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "fire did not release both doors"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let ev = g
        .event("gate.command", |p| {
            p["command"] == "hold_released" && p["door"] == "B"
        })
        .await;
    assert!(
        ev.iter()
            .any(|(k, p)| k == "gate.input" && p["input"] == "comms_lost")
    );
    assert!(
        ev.iter()
            .any(|(k, p)| k == "gate.input" && p["input"] == "fire" && p["active"] == true)
    );
    // Fire reset (rule 5): refused while the input is active, and to a terminal; accepted once it cleared, and
    // every door relocks.
    let reset = |auth: (header::HeaderName, String)| {
        Request::post("/api/v1/gate/fire/reset")
            .header(auth.0, auth.1)
            .body(Body::empty())
            .unwrap()
    };
    let (st, v) = g.call(reset((header::COOKIE, g.cookie.clone()))).await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert!(
        v["message_en"].as_str().unwrap().contains("still active"),
        "{v}"
    );
    let (st, _) = g
        .call(reset((
            header::AUTHORIZATION,
            format!("Bearer {}", g.token),
        )))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    sim.set_fire(false);
    g.event("gate.notice", |p| {
        p.to_string().contains("fire_input_cleared")
    })
    .await;
    assert!(
        g.status().await["fire_override"] == true,
        "held until reset"
    );
    let (st, v) = g.call(reset((header::COOKIE, g.cookie.clone()))).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    g.until("fire reset, both doors closed and locked", |s| {
        s["fire_override"] == false
            && s["doors"]
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d["state"] == "closed_locked" && d["released"] == false)
    })
    .await;
    assert!(!sim.released(DoorId::A) && !sim.released(DoorId::B));
    g.event("gate.decision", |p| {
        p["decision"] == "fire_reset" && p["by"] == "ex"
    })
    .await;
    let (st, _) = g.call(reset((header::COOKIE, g.cookie.clone()))).await;
    assert_eq!(st, StatusCode::CONFLICT, "nothing left to reset");
}

/// The drill's door map: the default two-door module, with the lock pulses timed by the module (registers
/// 0x100/0x101, 100 ms units) or by the host.
fn drill_map(module_pulse: bool) -> door_modbus::IoMap {
    let mut map = door_modbus::IoMap::two_door_default();
    if module_pulse {
        for (i, d) in map.doors.iter_mut().enumerate() {
            d.lock.pulse = door_modbus::Pulse::Register {
                register: 0x100 + i as u16,
                unit_ms: 100,
            };
        }
    }
    map
}

/// The daemon of the SIGKILL drill, run as a child process by `daemon_sigkill_while_a_door_is_released`: opens a
/// site, drives the module on `GATE_DRILL_PTY`, releases door A for c1 (2 s pulse), says so, and waits to be killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the child process of daemon_sigkill_while_a_door_is_released"]
async fn sigkill_drill_daemon() {
    let endpoint: door_modbus::Endpoint = std::env::var("GATE_DRILL_PTY")
        .expect("run by the drill")
        .parse()
        .unwrap();
    let dir = std::path::PathBuf::from(std::env::var("GATE_DRILL_DIR").unwrap());
    let module_pulse = std::env::var("GATE_DRILL_MODULE_PULSE").is_ok_and(|v| v == "1");
    let clock = examd::state::system_clock();
    let site = site::open(runtime(&dir), clock.clone()).await.unwrap();
    let dev = accounts::create(
        &site.store,
        &site.log,
        "gate-a".parse().unwrap(),
        Role::Device,
        String::new(),
        None,
        clock(),
        &"test".parse().unwrap(),
    )
    .await
    .unwrap();
    let state = app::state_of(&site, clock).await.unwrap();
    state
        .identity
        .import_roster_v1(roster_v1(3), "test")
        .await
        .unwrap();
    let mut cfg = ServiceConfig::new("drill");
    cfg.mantrap.interlock.release_pulse_ms = 2_000;
    state
        .areas
        .gate
        .attach_endpoint(&endpoint, drill_map(module_pulse), cfg)
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let s = state.areas.gate.status().await.unwrap();
        if s.doors.iter().all(|d| d["state"] == "closed_locked") {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "doors not known");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let req = Request::post("/api/v1/gate/scan?door=A&claim=c1")
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", dev.token.unwrap()),
        )
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(iso_impression(1, 1)))
        .unwrap();
    let resp = tower::ServiceExt::oneshot(app::router(state.clone()), req)
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    use std::io::Write;
    println!("DRILL-RELEASED");
    std::io::stdout().flush().unwrap();
    tokio::time::sleep(Duration::from_secs(60)).await;
}

/// Fault drill: the daemon is SIGKILLed while door A is released. With the module timing the pulse, the module
/// relocks the door by itself when the pulse ends; with a host-timed pulse the relay stays released until a daemon
/// comes back (which is why the module-timed pulse is the configuration for a gate).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daemon_sigkill_while_a_door_is_released() {
    use std::io::BufRead;
    for module_pulse in [true, false] {
        let map = drill_map(module_pulse);
        let pty = SimPty::spawn(door_modbus::sim::SimHandle::new(
            door_modbus::sim::DoorModule::new(map.clone(), sim_config()),
        ))
        .unwrap();
        let sim = pty.handle().clone();
        let dir = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--ignored",
                "--exact",
                "gate::sigkill_drill_daemon",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(
                "GATE_DRILL_PTY",
                format!("modbus-rtu:{}/{}", pty.path().display(), map.unit.get()),
            )
            .env("GATE_DRILL_DIR", dir.path())
            .env(
                "GATE_DRILL_MODULE_PULSE",
                if module_pulse { "1" } else { "0" },
            )
            .env("EXAMD_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let ready = tokio::task::spawn_blocking(move || {
            std::io::BufReader::new(out)
                .lines()
                .map_while(Result::ok)
                .any(|l| l.contains("DRILL-RELEASED"))
        });
        let ready = tokio::time::timeout(Duration::from_secs(60), ready).await;
        assert!(
            matches!(ready, Ok(Ok(true))),
            "the drill daemon did not release door A"
        );
        assert!(sim.released(DoorId::A), "door A released before the kill");
        let killed = tokio::time::Instant::now();
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let deadline = killed + Duration::from_millis(3_000);
        while sim.released(DoorId::A) && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        if module_pulse {
            assert!(
                !sim.released(DoorId::A),
                "the module's own pulse timer relocks door A"
            );
            eprintln!(
                "SIGKILL drill, module-timed pulse: door A relocked by the module {} ms after the kill (2 s pulse); door B stayed locked: {}",
                killed.elapsed().as_millis(),
                !sim.released(DoorId::B)
            );
        } else {
            assert!(
                sim.released(DoorId::A),
                "a host-timed pulse cannot end without its host"
            );
            eprintln!(
                "SIGKILL drill, host-timed pulse: door A still released 3 s after the kill (relay left on until a daemon returns); door B stayed locked: {}",
                !sim.released(DoorId::B)
            );
        }
        assert!(!sim.released(DoorId::B), "door B never released");
    }
}

/// Fault drill: the door's fingerprint sensor (an R30x module, simulated) is unplugged while the daemon waits for
/// a finger on it. The scan is refused with the sensor's error, logged, and no door moves; without a sensor at a
/// door a capture is refused too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sensor_unplugged_during_a_scan_refuses_the_scan_and_no_door_moves() {
    let g = rig(3, 2_000).await;
    let capture = |door: &str| {
        Request::post(format!("/api/v1/gate/capture?door={door}&claim=c1"))
            .header(header::AUTHORIZATION, format!("Bearer {}", g.token))
            .body(Body::empty())
            .unwrap()
    };
    let (st, v) = g.call(capture("B")).await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(
        v["message_en"]
            .as_str()
            .unwrap()
            .contains("no fingerprint sensor is attached at door B"),
        "{v}"
    );
    let module = fp_r30x::SimHandle::new(fp_r30x::Simulator::new(
        fp_r30x::SimConfig::default(),
        vec![],
    ));
    let (host, device) = tokio::io::duplex(1 << 16);
    let cable = tokio::spawn(fp_r30x::sim::serve(device, module.clone()));
    let (sensor, _) = fp_r30x::R30x::connect(host, fp_r30x::ClientConfig::default())
        .await
        .unwrap();
    g.state
        .areas
        .gate
        .sensors
        .attach(
            DoorId::A,
            Box::new(sensor),
            500, // the R30x optical window
        )
        .await;
    // The daemon waits for a finger on door A's sensor; the cable is pulled meanwhile.
    let pending = tokio::spawn({
        let router = g.router.clone();
        let req = capture("A");
        async move {
            let resp = tower::ServiceExt::oneshot(router, req).await.unwrap();
            let status = resp.status();
            let body = http_body_util::BodyExt::collect(resp.into_body())
                .await
                .unwrap()
                .to_bytes();
            (status, serde_json::from_slice::<Value>(&body).unwrap())
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!pending.is_finished(), "still waiting for a finger");
    cable.abort();
    let (st, v) = tokio::time::timeout(Duration::from_secs(10), pending)
        .await
        .expect("the capture ends once the sensor is gone")
        .unwrap();
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    let msg = v["message_en"].as_str().unwrap();
    assert!(
        msg.contains("the fingerprint sensor at door A failed")
            && msg.contains("no door was released"),
        "{msg}"
    );
    let sim = g.pty.handle();
    assert!(!sim.released(DoorId::A) && !sim.released(DoorId::B));
    let s = g.status().await;
    assert!(
        s["doors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["state"] == "closed_locked" && d["released"] == false),
        "{s}"
    );
    let ev = g
        .event("gate.scan", |p| {
            p["refused"] == "sensor_failed" && p["door"] == "A" && p["claim"] == "c1"
        })
        .await;
    assert!(
        !ev.iter()
            .any(|(k, p)| k == "gate.command" && p["command"] == "release"),
        "no release was commanded: {ev:?}"
    );
    eprintln!("sensor-unplugged drill: {msg}");
}
