//! The watch-list end to end: the `/api/v1/watchlist` routes (roles, refusals by name, no templates out), the
//! list surviving a restart, a listed finger refused at the gate with a `watchlist` alarm even when the roster's
//! 1:1 matched, enrolment flagged for a watch-listed finger and for a finger already enrolled under another
//! identity, and the console page in Chromium. This file holds the helpers the tests share.

mod api;
mod cli;
mod enrolment;
mod gate;
mod pages;
mod restarts;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use examd::gate::synth::iso_impression;
use examd::state::AppState;
use examd::watchlist::NewEntry;
use examd::watchlist::model::Reason;
use model::EventKind;
use serde_json::Value;

use crate::support::TestSite;

/// The listed person's synthetic finger.
const LISTED: u64 = 7_001;

fn b64(finger: u64, n: u64) -> String {
    base64::engine::general_purpose::STANDARD.encode(iso_impression(finger, n))
}

async fn call(
    t: &TestSite,
    method: &str,
    path: &str,
    cookie: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(path);
    req = if cookie.starts_with("Bearer ") {
        req.header(header::AUTHORIZATION, cookie)
    } else {
        req.header(header::COOKIE, cookie)
    };
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let (status, bytes) = t.call(req).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn listed(finger: u64, reason: Reason) -> NewEntry {
    NewEntry {
        id_number: Some("37090219900101123X".parse().unwrap()),
        name: Some("王某".into()),
        reason,
        note: "test".into(),
        records: vec![iso_impression(finger, 0), iso_impression(finger, 1)],
        source: "upload".into(),
    }
}

/// Kinds of the events logged so far.
async fn kinds(state: &AppState) -> Vec<(EventKind, Value)> {
    let page = state.store.events(model::Seq::FIRST, 10_000).await.unwrap();
    page.iter()
        .map(|s| {
            let e = audit::decode(&s.bytes).unwrap();
            (
                e.kind,
                serde_json::from_slice(&e.payload).unwrap_or(Value::Null),
            )
        })
        .collect()
}

async fn wait_for(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !done().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
