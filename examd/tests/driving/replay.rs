//! `examd replay` from the log.

use std::process::Command;

use examd::driving::car;
use judge::VerdictDto;

use super::{api, drives, lines_of, rig, start_of};
use crate::support::examd_bin;

/// `examd replay` re-judges a session from the log (exit 0) and draws it: the course, the
/// trajectory and the car's outline at each deduction.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn examd_replay_draws_the_session_from_the_log() {
    let (t, base, token) = rig().await;
    let (name, dir, e) = drives()
        .into_iter()
        .find(|d| d.0 == "s2-hill-stall")
        .unwrap();
    let o = car::drive(
        &base,
        "car-01",
        &token,
        &start_of(&e, &name),
        &lines_of(&dir),
        50,
        None,
    )
    .await
    .unwrap();
    assert_eq!(o.verdict, e.verdict);
    let svg = t._dir.path().join("replay.svg");
    let out = Command::new(examd_bin())
        .args(["replay", &o.session, "--json", "--svg"])
        .arg(&svg)
        .arg("--data-dir")
        .arg(t._dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let v: VerdictDto = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v, e.verdict);
    let pic = std::fs::read_to_string(&svg).unwrap();
    assert!(pic.starts_with("<svg") && pic.contains("id=\"trajectory\""));
    for d in &e.verdict.deductions {
        assert!(
            pic.contains(&format!("class=\"car\" data-code=\"{}\"", d.code)),
            "{}",
            d.code
        );
    }
    // The console's link serves the same picture; an unknown session is 404 / exit 2.
    let ex = t.login("ex").await;
    let (s, _) = api(
        &t,
        &ex,
        "GET",
        &format!("/api/v1/driving/sessions/{}/replay.svg", o.session),
        None,
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = api(
        &t,
        &ex,
        "GET",
        "/api/v1/driving/sessions/D999999/replay.svg",
        None,
    )
    .await;
    assert_eq!(s, 404);
    let out = Command::new(examd_bin())
        .args(["replay", "D999999", "--data-dir"])
        .arg(t._dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("D999999"));
}
