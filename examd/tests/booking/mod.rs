//! Booking over the API: identify with a one-time code, the rules' refusals as the candidate
//! sees them, capacity under concurrency, the draw from commit to reveal, `examd draw verify`
//! on an audit export, and the candidate and admin pages in headless Chromium. This file holds the
//! helpers the tests share.

mod flow;
mod lottery;
mod pages;
mod session_form;
mod verify;

use std::process::Command;
use std::sync::atomic::Ordering;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use booking::CandidateId;
use fantoccini::Locator;
use serde_json::{Value, json};

use crate::support::{TestSite, examd_bin};

const DAY_MS: i64 = 86_400_000;

fn post(path: &str, cookie: &str, body: Value) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, cookie)
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

async fn call(t: &TestSite, req: Request<Body>) -> (StatusCode, Value) {
    let (s, body) = t.call(req).await;
    (s, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// Today (China) by the test clock, as `YYYY-MM-DD`, plus `n` days.
fn day(t: &TestSite, n: i32) -> String {
    booking::LocalDay::of(model::UnixMs(t.now.load(Ordering::SeqCst)))
        .plus_days(n)
        .to_string()
}

async fn register(t: &TestSite, admin: &str, id: &CandidateId) {
    let (s, v) = call(
        t,
        post(
            "/api/v1/booking/candidates",
            admin,
            json!({ "candidate": id.as_str(), "name": "测试考生", "class": "C1", "phone": "13800000000" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

/// Logs a candidate in with a code from the SMS outbox; returns the cookie.
async fn candidate(t: &TestSite, admin: &str, id: &CandidateId) -> String {
    let (s, _) = call(
        t,
        post(
            "/api/v1/booking/login/code",
            "",
            json!({ "candidate": id.as_str() }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let (_, out) = call(t, get("/api/v1/booking/outbox", admin)).await;
    let code = out["messages"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|m| m["candidate"] == id.as_str())
        .unwrap()["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, v) = call(
        t,
        post(
            "/api/v1/booking/login",
            "",
            json!({ "candidate": id.as_str(), "code": code }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    format!("examd_booking={}", v["token"].as_str().unwrap())
}

async fn open(t: &TestSite, admin: &str, body: Value) {
    let (s, v) = call(t, post("/api/v1/booking/sessions", admin, body)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

async fn book(t: &TestSite, who: &str, session: &str) -> (StatusCode, Value) {
    call(
        t,
        post("/api/v1/booking/book", who, json!({ "session": session })),
    )
    .await
}

async fn step(t: &TestSite, admin: &str, session: &str, what: &str) -> Value {
    let (s, v) = call(
        t,
        post(
            &format!("/api/v1/booking/sessions/{session}/{what}"),
            admin,
            json!({}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{what}: {v}");
    v
}

/// `examd draw verify --json [--date]` on an audit export of the test site's log.
fn verify_cli(t: &TestSite, date: Option<&str>) -> (Option<i32>, Value) {
    let dir = t._dir.path();
    let export = dir.join("verify.export");
    let _ = std::fs::remove_file(&export);
    let out = Command::new(examd_bin())
        .args(["audit", "export", "--site-id", "test-site", "--data-dir"])
        .arg(dir)
        .arg("--out")
        .arg(&export)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut cmd = Command::new(examd_bin());
    cmd.args(["draw", "verify", "--json", "--from"])
        .arg(&export);
    if let Some(d) = date {
        cmd.args(["--date", d]);
    }
    let out = cmd.output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "not JSON: {} {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), v)
}

/// The text of the first element matching `css` once `ok` holds (the pages re-render their
/// tables, so an element found may go stale: look it up again).
async fn text_when(c: &fantoccini::Client, css: &str, ok: impl Fn(&str) -> bool) -> String {
    let mut last = String::new();
    for _ in 0..80 {
        if let Ok(e) = c.find(Locator::Css(css)).await
            && let Ok(t) = e.text().await
        {
            if ok(&t) {
                return t;
            }
            last = t;
        }
        tokio::time::sleep(std::time::Duration::from_millis(125)).await;
    }
    panic!("{css}: never as expected, last {last:?}");
}

/// Clicks the first element matching `css`, looking it up again if it went stale.
async fn click(c: &fantoccini::Client, css: &str) {
    for _ in 0..80 {
        if let Ok(e) = c.find(Locator::Css(css)).await
            && e.click().await.is_ok()
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(125)).await;
    }
    panic!("{css}: could not click");
}
