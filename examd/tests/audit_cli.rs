//! `examd audit verify` and `examd audit export` end to end, on a log written by the daemon.

use std::path::Path;
use std::process::Command;

use crate::durability::{add_device, start_daemon};
use crate::support::examd_bin;

fn examd(dir: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = Command::new(examd_bin())
        .args(args)
        .args(["--site-id", "test-site", "--data-dir"])
        .arg(dir)
        .env("EXAMD_LOG", "warn")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let json = serde_json::from_str(stdout.trim()).unwrap_or(serde_json::Value::Null);
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_verifies_elsewhere_and_a_flipped_byte_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let token = add_device(dir.path(), "car-1");
    let (mut child, base) = start_daemon(dir.path());
    let client = reqwest::Client::new();
    let mut marked = 0;
    for i in 0..40 {
        let body = serde_json::json!({ "kind": "device.report", "payload": { "marker": format!("mark-{i:03}") } });
        let ack: serde_json::Value = client
            .post(format!("{base}/api/v1/events"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if i == 17 {
            marked = ack["seq"].as_u64().unwrap();
        }
    }
    assert!(
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    child.wait().unwrap();

    // The site's own database verifies, also from a middle seq.
    let (code, report, _) = examd(dir.path(), &["audit", "verify", "--json"]);
    assert_eq!(
        (code, &report["ok"]),
        (0, &serde_json::Value::Bool(true)),
        "{report}"
    );
    let (code, report, _) = examd(dir.path(), &["audit", "verify", "--json", "--from", "10"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        report["events"].as_u64().unwrap(),
        report["last_seq"].as_u64().unwrap() - 9
    );

    // The export verifies with the site's pinned key.
    let file = dir.path().join("site.examdlog");
    let (code, _, err) = examd(
        dir.path(),
        &["audit", "export", "--out", file.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    let pkcs8 = std::fs::read(dir.path().join("site-signing-key.p8")).unwrap();
    let key = audit::Signer::from_pkcs8(&pkcs8)
        .unwrap()
        .public_key()
        .to_hex();
    let (code, report, err) = examd(
        dir.path(),
        &[
            "audit",
            "verify",
            "--json",
            "--file",
            file.to_str().unwrap(),
            "--key",
            &key,
        ],
    );
    assert_eq!(code, 0, "{report} {err}");
    assert!(
        report["checkpoints_checked"].as_u64().unwrap() >= 1,
        "{report}"
    );

    // Another key is not trusted.
    let (other, _) = audit::Signer::generate().unwrap();
    let other = other.public_key().to_hex();
    let (code, report, _) = examd(
        dir.path(),
        &[
            "audit",
            "verify",
            "--json",
            "--file",
            file.to_str().unwrap(),
            "--key",
            &other,
        ],
    );
    assert_eq!(code, 1);
    assert!(
        report["problem"]
            .as_str()
            .unwrap()
            .contains("invalid signature"),
        "{report}"
    );

    // One flipped payload byte is found, at the right seq.
    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes.windows(8).position(|w| w == b"mark-017").unwrap();
    bytes[at + 5] ^= 0x01;
    let bad = dir.path().join("tampered.examdlog");
    std::fs::write(&bad, &bytes).unwrap();
    let (code, report, _) = examd(
        dir.path(),
        &[
            "audit",
            "verify",
            "--json",
            "--file",
            bad.to_str().unwrap(),
            "--key",
            &key,
        ],
    );
    assert_eq!(code, 1, "{report}");
    assert_eq!(report["seq"].as_u64(), Some(marked), "{report}");
    assert!(
        report["problem"]
            .as_str()
            .unwrap()
            .contains("payload changed"),
        "{report}"
    );

    // A truncated file is a clear error, not a verdict.
    let cut = dir.path().join("cut.examdlog");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let (code, _, err) = examd(
        dir.path(),
        &[
            "audit",
            "verify",
            "--file",
            cut.to_str().unwrap(),
            "--key",
            &key,
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("damaged") && err.contains("byte"), "{err}");
}
