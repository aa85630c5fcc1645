//! The crash drill: SIGKILL mid-paper.

use axum::http::header;
use examd::theory::banks;
use serde_json::{Value, json};

use super::{EX_FINGER, answer_key, finger_hex, finger_of, fixture_bank};

/// Crash drill: SIGKILL the daemon mid-paper; after a restart every acknowledged answer is there,
/// the clock resumes from the logged start, and `examd audit verify` passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_answers_and_the_clock_survive_sigkill() {
    use crate::durability::{add_device, add_person, start_daemon, verify};
    use crate::support::login_over_http;
    let dir = tempfile::tempdir().unwrap();
    banks::import(
        dir.path(),
        &fixture_bank(),
        &"synthetic".parse().unwrap(),
        "auto",
    )
    .await
    .unwrap();
    add_person(dir.path(), "ex", "examiner", "console-pass-1");
    add_person(dir.path(), "ad", "admin", "console-pass-1");
    let reader = add_device(dir.path(), "seat-1");
    let (mut child, base) = start_daemon(dir.path());
    let http = reqwest::Client::new();
    let (cookie, admin) = (
        login_over_http(&http, &base, "ex", "console-pass-1").await,
        login_over_http(&http, &base, "ad", "console-pass-1").await,
    );
    for (person, f) in [
        ("examiner:ex", EX_FINGER),
        ("candidate:c1", finger_of("c1")),
    ] {
        let r = http
            .post(format!("{base}/api/v1/identity/enroll"))
            .header("cookie", &admin)
            .json(&json!({"person": person, "templates": [finger_hex(f, 0), finger_hex(f, 1)]}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "enrol {person}: {}", r.status());
    }
    let v: Value = http
        .post(format!("{base}/api/v1/theory/sittings"))
        .header("cookie", &cookie)
        .json(&json!({"exam": "subject1", "bank": "synthetic", "finger": finger_hex(EX_FINGER, 3)}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sitting = v["sitting"].as_str().unwrap().to_owned();
    let v: Value = http
        .post(format!("{base}/api/v1/theory/sittings/{sitting}/seats"))
        .header("cookie", &cookie)
        .json(&json!({"seat": "seat-1", "candidate": "c1"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["candidate"], "c1", "{v}");
    let v: Value = http
        .post(format!("{base}/api/v1/theory/seat/begin"))
        .json(&json!({"seat": "seat-1"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = v["token"].as_str().unwrap().to_owned();
    let v: Value = http
        .post(format!("{base}/api/v1/theory/seat/finger?seat=seat-1"))
        .bearer_auth(&reader)
        .header(header::CONTENT_TYPE, "text/plain")
        .body(finger_hex(finger_of("c1"), 2))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["matched"], true, "{v}");
    let started = std::time::Instant::now();
    let mut state: Value = http
        .get(format!("{base}/api/v1/theory/seat/state"))
        .header("x-seat-token", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = answer_key();
    let mut acked = Vec::new();
    for i in 0..12 {
        let (good, all) = &key[state["question"]["id"].as_str().unwrap()];
        let choice = if i % 5 == 4 {
            all.iter().find(|k| *k != good).unwrap().clone()
        } else {
            good.clone()
        };
        let r = http
            .post(format!("{base}/api/v1/theory/seat/answer"))
            .header("x-seat-token", &token)
            .json(&json!({"index": state["index"], "choice": choice}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        state = r.json().await.unwrap();
        acked.push(state["grid"][i].as_str().unwrap().to_owned());
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let (mut child, base) = start_daemon(dir.path());
    let after: Value = http
        .get(format!("{base}/api/v1/theory/seat/state"))
        .header("x-seat-token", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let elapsed = started.elapsed().as_millis() as i64;
    assert_eq!(after["index"], 12, "{after}");
    for (i, g) in acked.iter().enumerate() {
        assert_eq!(
            after["grid"][i].as_str(),
            Some(g.as_str()),
            "answer {i} after the restart"
        );
    }
    let left = after["remaining_ms"].as_i64().unwrap();
    assert!(
        left <= 2_700_000 - elapsed + 1_000 && left >= 2_700_000 - elapsed - 5_000,
        "remaining {left} ms after {elapsed} ms"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(verify(dir.path())["ok"], true);
}
