//! `examd watchlist` on the command line, through the running daemon.

use examd::gate::synth::iso_impression;
use serde_json::Value;

use super::LISTED;

#[test]
fn the_command_line_adds_lists_and_removes_through_the_running_daemon() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    crate::durability::add_person(dir.path(), "ad", "admin", "cli-pass-12");
    crate::durability::add_person(dir.path(), "au", "auditor", "cli-pass-34");
    let (daemon, base) = crate::durability::start_daemon(dir.path());
    let _daemon = crate::support::Kill(daemon);
    let iso = dir.path().join("finger.iso");
    std::fs::write(&iso, iso_impression(LISTED, 0)).unwrap();
    let run = |user: &str, pw: &str, args: &[&str]| {
        let out = Command::new(crate::support::examd_bin())
            .arg("watchlist")
            .args(args)
            .args(["--server", &base, "--user", user])
            .env("EXAMD_PASSWORD", pw)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let iso_s = iso.to_string_lossy().into_owned();
    let (ok, out, err) = run(
        "ad",
        "cli-pass-12",
        &[
            "add",
            "--reason",
            "stand_in",
            "--name",
            "孙某",
            "--template",
            &iso_s,
        ],
    );
    assert!(ok, "{err}");
    assert!(
        out.starts_with("WL-00001\tactive\t代考/stand-in\t孙某"),
        "{out}"
    );
    // Refusals carry the daemon's reason.
    let (ok, _, err) = run(
        "ad",
        "cli-pass-12",
        &["add", "--reason", "exam_ban", "--template", &iso_s],
    );
    assert!(!ok && err.contains("until"), "{err}");
    let (ok, _, err) = run(
        "au",
        "cli-pass-34",
        &["remove", "WL-00001", "--reason", "x"],
    );
    assert!(
        !ok && err.contains("403"),
        "an auditor may not remove: {err}"
    );
    let (ok, _, err) = run("ad", "wrong-pass", &["list"]);
    assert!(!ok && err.contains("login as ad refused"), "{err}");
    let (ok, out, err) = run(
        "ad",
        "cli-pass-12",
        &["remove", "WL-00001", "--reason", "撤销"],
    );
    assert!(ok && out.contains("removed"), "{out}{err}");
    let (ok, out, err) = run("au", "cli-pass-34", &["list", "--json"]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["entries"][0]["removed"]["reason"], "撤销");
}
