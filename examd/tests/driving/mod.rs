//! The driving area: `examd judge` on every scripted drive, the live path over a real WebSocket
//! (same verdicts, deductions logged, manual deductions, early end), `examd replay`, the console page.
//! This file holds the scripted drives and the live-path rig the tests share.

mod car_identity;
mod judge_cli;
mod live;
mod page;
mod replay;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use examd::driving::car::Start;
use judge::sim::fixture::Expected;

use crate::support::{TestSite, examd_bin, test_site};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// Every scenario directory, with its expectation.
pub fn drives() -> Vec<(String, PathBuf, Expected)> {
    let mut v: Vec<_> = std::fs::read_dir(fixtures().join("drives"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.json").exists())
        .map(|p| {
            let e: Expected =
                serde_json::from_str(&std::fs::read_to_string(p.join("expected.json")).unwrap())
                    .unwrap();
            (p.file_name().unwrap().to_string_lossy().into_owned(), p, e)
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn judge_cmd(telemetry: &Path, e: &Expected, standard: &str) -> Command {
    let j = fixtures().join("judge");
    let mut c = Command::new(examd_bin());
    c.arg("judge")
        .arg("--course")
        .arg(j.join(&e.course))
        .arg("--vehicle")
        .arg(j.join(&e.vehicle))
        .arg("--telemetry")
        .arg(telemetry)
        .arg("--rules")
        .arg(j.join("catalogue"))
        .arg("--standard")
        .arg(standard)
        .arg("--json");
    if let Some(r) = &e.region {
        c.arg("--region").arg(r);
    }
    c
}

/// The sitting every streamed drive's candidate is on.
const SITTING: &str = "2026-11-29-drives";
/// The examiner `ex`'s synthetic finger.
const EXAMINER_FINGER: u64 = 900;

/// Everyone on [`SITTING`]'s roster: one candidate per scripted drive (named after it) and the
/// test candidates; candidate `k` (from 0) has synthetic finger `1000 + k`.
fn people() -> Vec<String> {
    let mut v: Vec<String> = drives().into_iter().map(|d| d.0).collect();
    v.extend(["CAND-1", "CAND-2", "X", "BROWSER-1"].map(String::from));
    v
}

fn finger_of(candidate: &str) -> u64 {
    let k = people().iter().position(|p| p == candidate);
    1000 + k.unwrap_or_else(|| panic!("{candidate} is not on the test roster")) as u64
}

/// A site served on a real port, with the car terminal `car-01` and [`SITTING`]'s roster
/// (fingers enrolled through the identity registry).
async fn rig() -> (TestSite, String, String) {
    use examd::gate::synth::iso_impression;
    use examd::identity::roster::{CandidateV1, ExaminerV1, RosterV1};
    let t = test_site().await;
    let roster = RosterV1 {
        sitting: SITTING.into(),
        candidates: people()
            .into_iter()
            .map(|id| CandidateV1 {
                templates: vec![hex::encode(iso_impression(finger_of(&id), 0))],
                name: id.clone(),
                id,
                seat: None,
                subject: None,
            })
            .collect(),
        examiners: vec![ExaminerV1 {
            name: "ex".into(),
            display_name: None,
            templates: vec![hex::encode(iso_impression(EXAMINER_FINGER, 0))],
        }],
    };
    t.site
        .identity
        .import_roster_v1(roster, "admin")
        .await
        .unwrap();
    let dev = examd::accounts::create(
        &t.site.store,
        &t.site.log,
        "car-01".parse().unwrap(),
        model::Role::Device,
        String::new(),
        None,
        model::UnixMs(1_800_000_000_000),
        &"test".parse().unwrap(),
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = t.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await });
    (t, base, dev.token.unwrap())
}

/// A start for `candidate` of [`SITTING`], with their finger and the examiner's taken at the car.
fn start_of(e: &Expected, candidate: &str) -> Start {
    use examd::gate::synth::iso_impression;
    Start {
        candidate: candidate.into(),
        examiner: "ex".into(),
        course: e.course.clone(),
        vehicle: e.vehicle.clone(),
        standard: e.standard.clone(),
        region: e.region.clone(),
        identity: Some((
            SITTING.into(),
            iso_impression(finger_of(candidate), 2),
            iso_impression(EXAMINER_FINGER, 3),
        )),
    }
}

fn lines_of(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("drive.jsonl"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

async fn api(
    t: &TestSite,
    cookie: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> (u16, serde_json::Value) {
    use axum::body::Body;
    use axum::http::{Request, header};
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::COOKIE, cookie);
    if body.is_some() {
        b = b.header(header::CONTENT_TYPE, "application/json");
    }
    let (status, bytes) = t
        .call(b.body(Body::from(body.unwrap_or("").to_owned())).unwrap())
        .await;
    (
        status.as_u16(),
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

async fn live_session(t: &TestSite, cookie: &str) -> String {
    for _ in 0..200 {
        let (_, list) = api(t, cookie, "GET", "/api/v1/driving/sessions", None).await;
        if let Some(s) = list
            .as_array()
            .and_then(|l| l.iter().find(|s| s["state"] == "live"))
        {
            return s["id"].as_str().unwrap().to_owned();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no live session appeared");
}
