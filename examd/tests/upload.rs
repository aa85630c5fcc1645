//! The site ships its log to `examd central`; a killed site resumes; central holds every event once.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::durability::{add_device, start_daemon_with};
use crate::support::{Kill, examd_bin};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_site_log_reaches_central_exactly_once_across_kills() {
    let dir = tempfile::tempdir().unwrap();
    let token = add_device(dir.path(), "gate-a");
    let pkcs8 = std::fs::read(dir.path().join("site-signing-key.p8")).unwrap();
    let key = audit::Signer::from_pkcs8(&pkcs8)
        .unwrap()
        .public_key()
        .to_hex();
    let central_db = format!("sqlite://{}", dir.path().join("central.db").display());
    let mut central = Command::new(examd_bin())
        .args([
            "central",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            &central_db,
            "--register",
            &format!("test-site:{key}"),
        ])
        .env("EXAMD_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(central.stdout.take().unwrap()).lines();
    let central_url = loop {
        let line = lines.next().expect("central printed its address").unwrap();
        if let Some(u) = line.strip_prefix("examd central listening on ") {
            break u.to_owned();
        }
    };
    let _central = Kill(central);
    let client = reqwest::Client::new();
    let mut last_acked = 0;
    for cycle in 0..3 {
        let (child, base) = start_daemon_with(dir.path(), &["--central-url", &central_url]);
        let mut child = Kill(child);
        for n in 0..30 {
            let body = serde_json::json!({ "kind": "device.report", "payload": { "cycle": cycle, "n": n } });
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
            last_acked = ack["seq"].as_u64().unwrap();
        }
        child.0.kill().unwrap(); // SIGKILL, mid-stream for the shipper
        child.0.wait().unwrap();
    }
    // A last start ships whatever the killed ones had not.
    let (child, _base) = start_daemon_with(dir.path(), &["--central-url", &central_url]);
    let _site = Kill(child);
    let mut held = 0;
    for _ in 0..200 {
        let v: serde_json::Value = client
            .get(format!("{central_url}/central/v1/sites"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        held = v["sites"][0]["last_seq"].as_u64().unwrap_or(0);
        assert_eq!(v["sites"][0]["alarms"], 0, "{v}");
        if held > last_acked {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        held > last_acked,
        "central holds up to {held}, the site acknowledged {last_acked} before the last start"
    );
    // Central's copy is the site's log, byte for byte, each seq once.
    let central_store = store::open_central(&central_db).await.unwrap();
    let site_store = store::open(&crate::support::runtime(dir.path()).database_url)
        .await
        .unwrap();
    let site_id: model::SiteId = "test-site".parse().unwrap();
    let theirs = central_store
        .events(&site_id, model::Seq(1), 10_000)
        .await
        .unwrap();
    let ours = site_store
        .events(model::Seq(1), theirs.len() as u32)
        .await
        .unwrap();
    assert_eq!(theirs.len() as u64, held);
    assert_eq!(theirs, ours);
}
