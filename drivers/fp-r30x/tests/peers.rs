//! Interop with third-party host libraries: PyPI `pyfingerprint` 1.5 and
//! `adafruit-circuitpython-fingerprint` drive the simulator over a pty.
//!
//! Needs `EXAMD_PY` = a Python with `drivers/fp-r30x/tests/peers/requirements.txt` installed:
//! `python3 -m venv .venv-peers && .venv-peers/bin/pip install -r drivers/fp-r30x/tests/peers/requirements.txt`
//! then `EXAMD_PY=.venv-peers/bin/python cargo test -p fp-r30x --test tests peers`.
//! Without it the test is skipped with a message, unless `EXAMD_PEERS_REQUIRED=1`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use fp_r30x::SimConfig;
use fp_r30x::sim::SimPty;

use crate::common::simulator;

fn python() -> Option<PathBuf> {
    match std::env::var_os("EXAMD_PY") {
        Some(p) => Some(PathBuf::from(p)),
        None if std::env::var("EXAMD_PEERS_REQUIRED").is_ok_and(|v| v == "1") => {
            panic!("EXAMD_PEERS_REQUIRED=1 but EXAMD_PY is not set")
        }
        None => {
            eprintln!(
                "SKIPPED: Python peer interop (set EXAMD_PY to a python with tests/peers/requirements.txt)"
            );
            None
        }
    }
}

async fn run_peer(py: &Path, script: &str) {
    let sim = simulator(SimConfig::default(), 2);
    let pty = SimPty::spawn(sim.clone()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/peers")
        .join(script);
    let child = tokio::process::Command::new(py)
        .arg(&script)
        .arg(pty.path())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(120), child)
        .await
        .expect("peer timed out")
        .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{} failed\nstdout:\n{stdout}\nstderr:\n{stderr}",
        script.display()
    );
    assert!(stdout.contains("PASS"), "no PASS line\nstdout:\n{stdout}");
    assert!(
        sim.with(|s| s.commands_handled()) > 10,
        "the peer talked to the simulator"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pyfingerprint_drives_the_simulator() {
    if let Some(py) = python() {
        run_peer(&py, "pyfingerprint_peer.py").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adafruit_drives_the_simulator() {
    if let Some(py) = python() {
        run_peer(&py, "adafruit_peer.py").await;
    }
}
