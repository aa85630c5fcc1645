//! PostgreSQL itself restarted (`pg_ctl restart -m fast`) while three sites ship to central:
//! central answers 503 meanwhile, the shippers back off and resume, and afterwards central holds
//! every site event exactly once and each copy verifies. Needs the throwaway cluster of
//! `.ci/pg-throwaway` (`EXAMD_TEST_DB_URI` and `EXAMD_PG_THROWAWAY_DIR`); skipped without it.
//! Central either answers 503 during the outage or its connection pool waits for the server: both are fine.
//! Its own test binary, so no other test shares the server while it restarts.

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use audit::verify;
use model::Seq;
use store::writer::system_clock;
use support::{CentralDb, Site, serve_central};
use uplink::site::{Shipper, ShipperConfig};

/// Restarts the throwaway cluster in `dir` (as the `postgres` user when we are root).
fn restart_postgres(dir: &str) {
    let version = std::env::var("PG_VERSION").unwrap_or_else(|_| "15".into());
    let bin =
        std::env::var("PG_BIN").unwrap_or_else(|_| format!("/usr/lib/postgresql/{version}/bin"));
    let pg_ctl = format!("{bin}/pg_ctl");
    let data = format!("{dir}/data");
    let log = format!("{dir}/server.log");
    // With `-l` the server logs to its file, not to a pipe of ours that it would keep open.
    let args = [
        "-D",
        data.as_str(),
        "-l",
        log.as_str(),
        "-m",
        "fast",
        "-w",
        "-t",
        "60",
        "restart",
    ];
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let mut cmd = if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", pg_ctl.as_str()]);
        c
    } else {
        Command::new(&pg_ctl)
    };
    let status = cmd
        .args(args)
        .current_dir("/")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("pg_ctl runs");
    assert!(status.success(), "pg_ctl restart failed: see {log}");
}

/// The process id of the cluster's postmaster, from its `postmaster.pid`.
fn postmaster_pid(dir: &str) -> String {
    let pidfile = format!("{dir}/data/postmaster.pid");
    let text = std::fs::read_to_string(&pidfile).unwrap_or_else(|e| panic!("{pidfile}: {e}"));
    text.lines().next().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restarted_mid_stream() {
    let Ok(cluster) = std::env::var("EXAMD_PG_THROWAWAY_DIR") else {
        if std::env::var("EXAMD_TEST_PG_REQUIRED").as_deref() == Ok("1") {
            panic!("EXAMD_TEST_PG_REQUIRED=1 but EXAMD_PG_THROWAWAY_DIR is not set");
        }
        eprintln!(
            "SKIPPED: PostgreSQL restart drill (needs the cluster of .ci/pg-throwaway: \
             eval \"$(.ci/pg-throwaway start)\")"
        );
        return;
    };
    let Some(db) = CentralDb::postgres("PostgreSQL restart drill").await else {
        return;
    };
    let central = db.open().await;
    let (addr, server) = serve_central(central.clone()).await;
    let endpoint = format!("http://{addr}");
    let mut sites = Vec::new();
    for name in ["pgr-a", "pgr-b", "pgr-c"] {
        let site = Site::new(name).await;
        central
            .register_site(&site.id, &site.signer().public_key(), model::UnixMs(0))
            .await
            .unwrap();
        sites.push(site);
    }
    let config = ShipperConfig {
        max_events: 32,
        idle_wait: Duration::from_millis(10),
        backoff_min: Duration::from_millis(10),
        backoff_max: Duration::from_millis(200),
        request_timeout: Duration::from_secs(5),
    };
    let handles: Vec<_> = sites
        .iter()
        .map(|s| {
            Shipper::start(
                s.store.clone(),
                s.id.clone(),
                s.signer(),
                &endpoint,
                config.clone(),
                system_clock(),
            )
        })
        .collect();
    // Appends go on until the restart has finished (and for at least `min_rounds`), so shipping is
    // under way while the server is down, whenever the restart really takes effect.
    let min_rounds = 30;
    let per_round = 20;
    let mut restart: Option<tokio::task::JoinHandle<Duration>> = None;
    let mut refused = false;
    let mut look = |handles: &[uplink::site::ShipperHandle]| {
        refused |= handles.iter().any(|h| h.status().last_error.is_some());
    };
    let mut rounds = 0;
    let pid_before = postmaster_pid(&cluster);
    while rounds < min_rounds || !restart.as_ref().is_some_and(|r| r.is_finished()) {
        assert!(rounds < 3_000, "the PostgreSQL restart did not finish");
        for s in &sites {
            s.append(per_round).await;
        }
        if rounds == 5 {
            // The restart runs beside the appends and the shipping.
            let cluster = cluster.clone();
            restart = Some(tokio::task::spawn_blocking(move || {
                let t = Instant::now();
                restart_postgres(&cluster);
                t.elapsed()
            }));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        look(&handles);
        rounds += 1;
    }
    let restarted = restart.unwrap().await.unwrap();
    // The server really went away: its postmaster is a new process. Whether a shipper saw an error
    // depends on timing (central's pool may simply wait for the server to come back).
    assert_ne!(
        postmaster_pid(&cluster),
        pid_before,
        "PostgreSQL was not restarted"
    );
    let total = (rounds * per_round) as u64;
    let deadline = Instant::now() + Duration::from_secs(40);
    while !handles.iter().all(|h| h.status().acked == Some(total)) {
        assert!(
            Instant::now() < deadline,
            "shipping did not finish after the restart: {:?}",
            handles.iter().map(|h| h.status()).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for s in &sites {
        let local = s.store.events(Seq(1), u32::MAX).await.unwrap();
        let held = central.events(&s.id, Seq(1), u32::MAX).await.unwrap();
        assert_eq!(local.len() as u64, total);
        assert_eq!(held, local, "central's copy of {}", s.id);
        assert_eq!(central.event_count(&s.id).await.unwrap(), total);
        let cps: Vec<audit::SignedCheckpoint> = central
            .checkpoints(&s.id)
            .await
            .unwrap()
            .into_iter()
            .map(|c| audit::SignedCheckpoint {
                body: c.body,
                signature: c.signature,
            })
            .collect();
        let report = verify(
            &s.id,
            &[s.signer().public_key()],
            held.iter().map(|e| (&e.bytes, e.hash)),
            &cps,
            None,
        )
        .unwrap();
        assert_eq!(report.last_seq, Seq(total));
        assert!(central.alarms(Some(&s.id)).await.unwrap().is_empty());
    }
    eprintln!(
        "PostgreSQL restarted in {restarted:?} mid-stream (a shipper saw central fail: {refused}); 3 × {total} events held once"
    );
    for h in handles {
        h.shutdown().await;
    }
    server.abort();
    db.finish().await;
}
