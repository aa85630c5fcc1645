//! The theory area: bank import and validation, sittings over the API (fingerprint logins and
//! refusals, pass, early fail, time up, finger re-verification), replay after a restart, a SIGKILL
//! drill, the pages in headless Chromium and the candidates' photos on the examiner's page. This
//! file holds the helpers the tests share.

mod bank_import;
mod browser;
mod crash;
mod papers;
mod photos;

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use examd::theory::banks;
use model::Role;
use serde_json::{Value, json};

use crate::support::{TestSite, test_site};

pub fn fixture_bank() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/qbank/synthetic")
}

fn public_banks() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/qbank");
    p.is_dir().then_some(p)
}

/// The correct answer of every fixture question, e.g. `syn1-001` → `B`.
pub fn answer_key() -> std::collections::HashMap<String, (String, Vec<String>)> {
    let text = std::fs::read_to_string(fixture_bank().join("bank.jsonl")).unwrap();
    let parsed = theory::import::jsonl::parse(&text);
    parsed
        .questions
        .iter()
        .map(|q| {
            let right: String = q.answer.keys().map(|k| k.letter()).collect();
            let all = q.option_keys().map(|k| k.letter().to_string()).collect();
            (q.id.to_string(), (right, all))
        })
        .collect()
}

pub async fn req(
    t: &TestSite,
    method: &str,
    uri: &str,
    auth: &[(&str, &str)],
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut b = Request::builder().method(method).uri(uri);
    for (k, v) in auth {
        b = b.header(*k, *v);
    }
    let body = match body {
        Some(v) => {
            b = b.header(header::CONTENT_TYPE, "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    let (status, bytes) = t.call(b.body(body).unwrap()).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Creates a seat's device account; returns its bearer token (the seat reader's credential).
async fn seat_device(t: &TestSite, name: &str) -> String {
    let by = "test".parse().unwrap();
    let u = examd::accounts::create(
        &t.site.store,
        &t.site.log,
        name.parse().unwrap(),
        Role::Device,
        String::new(),
        None,
        model::UnixMs(0),
        &by,
    )
    .await
    .unwrap();
    u.token.unwrap()
}

/// The examiner `ex`'s synthetic finger.
pub const EX_FINGER: u64 = 7;

/// A candidate's synthetic finger, from their id.
pub fn finger_of(id: &str) -> u64 {
    let h = audit::sha256(&[id.as_bytes()]).0;
    1_000 + u64::from(u16::from_le_bytes([h[0], h[1]]))
}

/// Hex of impression `n` of synthetic finger `finger` (an ISO/IEC 19794-2 record).
pub fn finger_hex(finger: u64, n: u64) -> String {
    hex::encode(examd::gate::synth::iso_impression(finger, n))
}

/// Enrols two impressions of `finger` for `person` (`candidate:<id>`, `examiner:<name>`).
async fn enroll(t: &TestSite, person: &str, finger: u64) {
    let ad = t.login("ad").await;
    let (s, v) = req(
        t,
        "POST",
        "/api/v1/identity/enroll",
        &[("cookie", &ad)],
        Some(
            json!({"person": person, "templates": [finger_hex(finger, 0), finger_hex(finger, 1)]}),
        ),
    )
    .await;
    assert!(s.is_success(), "enrol {person}: {s} {v}");
}

/// Impression `n` of `finger` at `seat`'s reader, posted with the reader's device token.
async fn press(t: &TestSite, reader: &str, seat: &str, finger: u64, n: u64) -> (StatusCode, Value) {
    let r = Request::builder()
        .method("POST")
        .uri(format!("/api/v1/theory/seat/finger?seat={seat}"))
        .header(header::AUTHORIZATION, format!("Bearer {reader}"))
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(examd::gate::synth::iso_impression(finger, n)))
        .unwrap();
    let (status, bytes) = t.call(r).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// The seat page begins waiting for a finger; returns the terminal's token.
async fn begin(t: &TestSite, seat: &str) -> String {
    let (s, v) = req(
        t,
        "POST",
        "/api/v1/theory/seat/begin",
        &[],
        Some(json!({"seat": seat})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"]["status"], "awaiting_finger");
    v["token"].as_str().unwrap().to_owned()
}

async fn open(
    t: &TestSite,
    ex: &str,
    exam: &str,
    reverify_s: u32,
    finger: u64,
) -> (StatusCode, Value) {
    req(
        t,
        "POST",
        "/api/v1/theory/sittings",
        &[("cookie", ex)],
        Some(
            json!({"exam": exam, "bank": "synthetic", "reverify_s": reverify_s,
                    "finger": finger_hex(finger, 4)}),
        ),
    )
    .await
}

/// A site with the fixture bank and a sitting the examiner opened with their finger; returns
/// (site, examiner cookie, sitting).
async fn hall(exam: &str, reverify_s: u32) -> (TestSite, String, String) {
    let t = test_site().await;
    banks::import(
        &t.site.rt.data_dir,
        &fixture_bank(),
        &"synthetic".parse().unwrap(),
        "auto",
    )
    .await
    .unwrap();
    enroll(&t, "examiner:ex", EX_FINGER).await;
    let ex = t.login("ex").await;
    let (s, v) = open(&t, &ex, exam, reverify_s, EX_FINGER).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let sitting = v["sitting"].as_str().unwrap().to_owned();
    (t, ex, sitting)
}

/// Enrols `candidate`, makes `seat` a device and assigns it; returns the seat reader's token.
async fn assigned(t: &TestSite, ex: &str, sitting: &str, seat: &str, candidate: &str) -> String {
    enroll(t, &format!("candidate:{candidate}"), finger_of(candidate)).await;
    let reader = seat_device(t, seat).await;
    let (s, v) = req(
        t,
        "POST",
        &format!("/api/v1/theory/sittings/{sitting}/seats"),
        &[("cookie", ex)],
        Some(json!({"seat": seat, "candidate": candidate})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    reader
}

/// Assigns `candidate` to `seat` and logs them in by finger; returns the seat session token.
async fn seat_in(t: &TestSite, ex: &str, sitting: &str, seat: &str, candidate: &str) -> String {
    let reader = assigned(t, ex, sitting, seat, candidate).await;
    let token = begin(t, seat).await;
    let (s, v) = press(t, &reader, seat, finger_of(candidate), 2).await;
    assert_eq!((s, &v["matched"]), (StatusCode::OK, &json!(true)), "{v}");
    token
}

/// Answers the current question right (or wrong) through the API.
async fn answer(t: &TestSite, token: &str, state: &Value, right: bool) -> (StatusCode, Value) {
    let key = answer_key();
    let (good, all) = &key[state["question"]["id"].as_str().unwrap()];
    let choice = if right {
        good.clone()
    } else {
        all.iter().find(|k| *k != good).unwrap().clone()
    };
    req(
        t,
        "POST",
        "/api/v1/theory/seat/answer",
        &[("x-seat-token", token)],
        Some(json!({"index": state["index"], "choice": choice})),
    )
    .await
}

async fn seat_state(t: &TestSite, token: &str) -> Value {
    let (s, v) = req(
        t,
        "GET",
        "/api/v1/theory/seat/state",
        &[("x-seat-token", token)],
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

async fn kinds(t: &TestSite) -> Vec<(u16, u64)> {
    t.site.store.kind_counts().await.unwrap()
}

fn count(k: &[(u16, u64)], kind: model::EventKind) -> u64 {
    k.iter()
        .find(|(c, _)| *c == kind.code())
        .map(|(_, n)| *n)
        .unwrap_or(0)
}
