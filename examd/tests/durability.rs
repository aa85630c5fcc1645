//! Durability drills: an acknowledged event survives SIGKILL at any moment; SIGTERM flushes.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::{examd_bin, runtime};

/// Starts `examd serve` on a free port; returns the child and its base URL.
pub fn start_daemon(dir: &Path) -> (Child, String) {
    start_daemon_with(dir, &[])
}

/// Starts `examd serve` with extra flags.
pub fn start_daemon_with(dir: &Path, extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(examd_bin())
        .args([
            "serve",
            "--site-id",
            "test-site",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
        ])
        .arg(dir)
        .args(extra)
        .env("EXAMD_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("examd starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("examd printed its address").unwrap();
        if let Some(url) = line.strip_prefix("examd listening on ") {
            break url.to_owned();
        }
    };
    // Keep draining stdout so the daemon never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, base)
}

/// `examd user add` for a device; returns its token.
pub fn add_device(dir: &Path, name: &str) -> String {
    let out = Command::new(examd_bin())
        .args([
            "user",
            "add",
            "--site-id",
            "test-site",
            "--role",
            "device",
            "--name",
            name,
            "--data-dir",
        ])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// `examd user add` for a person, password on stdin.
pub fn add_person(dir: &Path, name: &str, role: &str, password: &str) {
    let mut child = Command::new(examd_bin())
        .args([
            "user",
            "add",
            "--site-id",
            "test-site",
            "--role",
            role,
            "--name",
            name,
            "--data-dir",
        ])
        .arg(dir)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `examd audit verify --json` on a data folder.
pub fn verify(dir: &Path) -> serde_json::Value {
    let out = Command::new(examd_bin())
        .args([
            "audit",
            "verify",
            "--json",
            "--site-id",
            "test-site",
            "--data-dir",
        ])
        .arg(dir)
        .env("EXAMD_LOG", "warn")
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "verify printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

type Acked = Arc<Mutex<Vec<(u64, String)>>>;

async fn appender(base: String, token: String, acked: Acked, id: usize) {
    let client = reqwest::Client::new();
    for n in 0u64.. {
        let body = serde_json::json!({ "kind": "device.report", "payload": { "writer": id, "n": n, "pad": "x".repeat(120) } });
        let resp = client
            .post(format!("{base}/api/v1/events"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await;
        let Ok(resp) = resp else { return };
        if resp.status() != reqwest::StatusCode::CREATED {
            return;
        }
        let Ok(ack) = resp.json::<serde_json::Value>().await else {
            return;
        };
        acked.lock().unwrap().push((
            ack["seq"].as_u64().unwrap(),
            ack["hash"].as_str().unwrap().to_owned(),
        ));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_events_survive_sigkill() {
    const CYCLES: u64 = 20;
    let dir = tempfile::tempdir().unwrap();
    let token = add_device(dir.path(), "gate-a");
    let acked: Acked = Arc::default();
    let mut rng: u64 = 0x9E37_79B9_7F4A_7C15;
    for cycle in 0..CYCLES {
        let (mut child, base) = start_daemon(dir.path());
        let tasks: Vec<_> = (0..6)
            .map(|i| tokio::spawn(appender(base.clone(), token.clone(), acked.clone(), i)))
            .collect();
        // A pseudo-random moment between 30 and 330 ms into the stream.
        rng = rng
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let ms = 30 + (rng >> 33) % 300;
        tokio::time::sleep(Duration::from_millis(ms)).await;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        for t in tasks {
            t.await.unwrap();
        }
        let _ = cycle;
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() as u64 > CYCLES,
        "the drill acknowledged too few events to mean anything: {}",
        acked.len()
    );
    // Every acknowledged event is there, with the hash that was acknowledged.
    let store = store::open(&runtime(dir.path()).database_url)
        .await
        .unwrap();
    for (seq, hash) in &acked {
        let got = store.events(model::Seq(*seq), 1).await.unwrap();
        assert_eq!(
            got.first().map(|e| e.seq.0),
            Some(*seq),
            "acknowledged event {seq} lost"
        );
        assert_eq!(
            &got[0].hash.to_hex(),
            hash,
            "acknowledged event {seq} changed"
        );
    }
    drop(store);
    let report = verify(dir.path());
    assert_eq!(report["ok"], true, "audit verify after the drill: {report}");
    eprintln!(
        "SIGKILL drill: {CYCLES} cycles, {} acknowledged events, all present; {report}",
        acked.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_cleanly_and_seals_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let (child, base) = start_daemon(dir.path());
    let health: serde_json::Value = reqwest::get(format!("{base}/api/v1/health"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "examd exited with {:?}", out.status);
    let store = store::open(&runtime(dir.path()).database_url)
        .await
        .unwrap();
    let (last, _) = store.log_head().await.unwrap().unwrap();
    let events = store.events(last, 1).await.unwrap();
    assert_eq!(
        audit::decode(&events[0].bytes).unwrap().kind,
        model::EventKind::SystemStopped
    );
    let cps = store.checkpoints().await.unwrap();
    assert_eq!(
        cps.last().map(|c| c.tree_size),
        Some(last.0),
        "the final checkpoint covers the whole log"
    );
    drop(store);
    assert_eq!(verify(dir.path())["ok"], true);
}
