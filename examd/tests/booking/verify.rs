//! `examd draw verify` on pending, unknown and undrawn days.

use std::process::Command;
use std::sync::atomic::Ordering;

use axum::http::StatusCode;
use booking::CandidateId;
use serde_json::json;

use super::{DAY_MS, book, candidate, day, open, register, step, verify_cli};
use crate::support::{examd_bin, test_site};

/// A draw committed but not revealed is pending, not a mismatch; a day without sessions and a
/// day whose sessions have no draw are said plainly (exit 2); a finished draw verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn draw_verify_tells_pending_unknown_and_undrawn_days() {
    let t = test_site().await;
    let admin = t.login("ad").await;
    let people: Vec<CandidateId> = (10..13).map(CandidateId::synthetic).collect();
    for p in &people {
        register(&t, &admin, p).await;
    }
    for (s, d) in [("pend", 2), ("idle", 3)] {
        open(
            &t,
            &admin,
            json!({ "session": s, "subject": "subject1", "day": day(&t, d), "capacity": 5,
            "site_day_max": 100, "examiner_day_max": 40 }),
        )
        .await;
    }
    for p in &people {
        let c = candidate(&t, &admin, p).await;
        let (s, v) = book(&t, &c, "pend").await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let pend_day = day(&t, 2);
    step(&t, &admin, "pend", "commit").await;
    let (code, v) = verify_cli(&t, Some(&pend_day));
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["draws"][0]["status"], "pending", "{v}");
    assert_eq!(v["draws"][0]["stage"], "committed", "{v}");
    t.now.fetch_add(2 * DAY_MS, Ordering::SeqCst);
    let admin = t.login("ad").await;
    step(&t, &admin, "pend", "close").await;
    let (code, v) = verify_cli(&t, Some(&pend_day));
    assert_eq!(
        code,
        Some(0),
        "drawn, not revealed: pending, not a mismatch: {v}"
    );
    assert_eq!(
        (&v["draws"][0]["status"], &v["draws"][0]["stage"]),
        (&json!("pending"), &json!("drawn")),
        "{v}"
    );
    assert_eq!(v["draws"][0]["mismatches"], json!([]), "{v}");
    // A day with sessions but no draw, and a day without sessions: exit 2, said plainly.
    let idle_day = day(&t, 1);
    let (code, v) = verify_cli(&t, Some(&idle_day));
    assert_eq!(
        (code, &v["sessions_that_day"], &v["ok"]),
        (Some(2), &json!(1), &json!(false)),
        "{v}"
    );
    let (code, v) = verify_cli(&t, Some("2001-01-01"));
    assert_eq!((code, &v["sessions_that_day"]), (Some(2), &json!(0)), "{v}");
    let dir = t._dir.path();
    let out = Command::new(examd_bin())
        .args(["draw", "verify", "--date", "2001-01-01", "--from"])
        .arg(dir.join("verify.export"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("no session on 2001-01-01 in the log"),
        "{text}"
    );
    let out = Command::new(examd_bin())
        .args(["draw", "verify", "--date", "2001-13-01", "--from"])
        .arg(dir.join("verify.export"))
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--date"),
        "a bad date is named"
    );
    // Finished: verified.
    step(&t, &admin, "pend", "finish").await;
    let (code, v) = verify_cli(&t, Some(&pend_day));
    assert_eq!(
        (code, &v["draws"][0]["status"]),
        (Some(0), &json!("verified")),
        "{v}"
    );
}
