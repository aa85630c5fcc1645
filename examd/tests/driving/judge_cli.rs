//! `examd judge` on every scripted drive, and on bad input.

use std::process::Command;

use judge::VerdictDto;

use super::{drives, fixtures, judge_cmd};
use crate::support::examd_bin;

/// `examd judge --json` prints exactly the expected verdict for every scripted drive, and exits
/// 0 for a pass and 1 for a fail.
#[test]
fn examd_judge_gives_every_expected_verdict() {
    let all = drives();
    assert!(all.len() >= 80, "only {} drives", all.len());
    let mut failures = Vec::new();
    for (name, dir, e) in &all {
        let out = judge_cmd(&dir.join("drive.jsonl"), e, &e.standard)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let got: Result<VerdictDto, _> = serde_json::from_str(stdout.trim());
        let want_code = if e.verdict.passed { 0 } else { 1 };
        match got {
            Ok(v) if v == e.verdict && out.status.code() == Some(want_code) => {}
            Ok(v) => failures.push(format!(
                "{name}: exit {:?}, got {}",
                out.status.code(),
                serde_json::to_string(&v).unwrap()
            )),
            Err(err) => failures.push(format!(
                "{name}: {err}: {stdout} {}",
                String::from_utf8_lossy(&out.stderr)
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Bad input exits 2 with a message naming the file and line; the human output is readable.
#[test]
fn examd_judge_names_bad_input() {
    let (_, dir, e) = drives().into_iter().find(|d| d.0 == "s2-manual").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(dir.join("drive.jsonl")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[4] = r#"{"t_ms":400,"x":1.0}"#;
    let bad = tmp.path().join("bad.jsonl");
    std::fs::write(&bad, lines.join("\n")).unwrap();
    let out = judge_cmd(&bad, &e, &e.standard).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("bad.jsonl") && err.contains("line 5"), "{err}");
    let out = judge_cmd(&dir.join("drive.jsonl"), &e, "GA1026-1999")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("GA1026-1999"));
    // Without --json: a readable verdict with the deduction's code.
    let j = fixtures().join("judge");
    let out = Command::new(examd_bin())
        .args(["judge", "--course"])
        .arg(j.join(&e.course))
        .arg("--vehicle")
        .arg(j.join(&e.vehicle))
        .arg("--telemetry")
        .arg(dir.join("drive.jsonl"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("90") && text.contains("10204"), "{text}");
}
