//! The gate end to end: the HTTP API, the gate service, the door driver and the simulated door module on a
//! pty, with synthetic fingers (ISO/IEC 19794-2 templates sent as scans). This file holds the rig the tests
//! (and other areas' tests) start a gate with.

mod drills;
mod entry;
mod latency;
mod page;
mod roster_import;

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
use examd::{app, site};
use gate::DoorId;
use model::{Role, UnixMs};
use serde_json::Value;

use crate::support::{PASSWORD, create_accounts, runtime};

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
    let token = create_accounts(&site, &clock, &[("ex", Role::Examiner)], PASSWORD, "gate-a").await;
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
        token,
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
        crate::support::login_via_router(&self.router, name, PASSWORD).await
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
