//! Figures, not checks: ignored by default. Run with
//! `cargo test -p uplink --release --test measure -- --ignored --nocapture`
//! (central on PostgreSQL when `EXAMD_TEST_DB_URI` is set, else SQLite).

mod support;

use std::time::{Duration, Instant};

use store::writer::system_clock;
use support::{CentralDb, Site, serve_central};
use uplink::site::{Shipper, ShipperConfig};

async fn central_db() -> CentralDb {
    match CentralDb::postgres("measurement").await {
        Some(db) => db,
        None => CentralDb::sqlite(),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement: run with --ignored --nocapture"]
async fn latency_append_to_central_commit() {
    let db = central_db().await;
    let central = db.open().await;
    let (addr, server) = serve_central(central.clone()).await;
    let site = Site::new("latency").await;
    central
        .register_site(&site.id, &site.signer().public_key(), model::UnixMs(0))
        .await
        .unwrap();
    let config = ShipperConfig {
        idle_wait: Duration::from_millis(50),
        ..ShipperConfig::default()
    };
    let h = Shipper::start(
        site.store.clone(),
        site.id.clone(),
        site.signer(),
        &format!("http://{addr}"),
        config,
        system_clock(),
    );
    let mut lat = Vec::new();
    for _ in 0..300 {
        site.append(1).await;
        let seq = site.store.log_head().await.unwrap().unwrap().0.0;
        let t = Instant::now();
        h.nudge();
        // The ack comes back only after central's commit: an upper bound of append → commit.
        while h.status().acked.unwrap_or(0) < seq {
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        lat.push(t.elapsed());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    lat.sort();
    println!(
        "latency append->central commit+ack ({} backend, {} events): p50 {:?}  p99 {:?}  max {:?}",
        central.backend(),
        lat.len(),
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        lat[lat.len() - 1]
    );
    h.shutdown().await;
    server.abort();
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement: run with --ignored --nocapture"]
async fn ingest_three_sites() {
    let n: u64 = std::env::var("UPLINK_MEASURE_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let db = central_db().await;
    let central = db.open().await;
    let (addr, server) = serve_central(central.clone()).await;
    let mut sites = Vec::new();
    for name in ["ingest-a", "ingest-b", "ingest-c"] {
        let s = Site::new(name).await;
        for _ in 0..n / 1000 {
            s.append(1000).await;
        }
        central
            .register_site(&s.id, &s.signer().public_key(), model::UnixMs(0))
            .await
            .unwrap();
        sites.push(s);
    }
    let config = ShipperConfig {
        max_events: 2000,
        ..ShipperConfig::default()
    };
    let t = Instant::now();
    let handles: Vec<_> = sites
        .iter()
        .map(|s| {
            Shipper::start(
                s.store.clone(),
                s.id.clone(),
                s.signer(),
                &format!("http://{addr}"),
                config.clone(),
                system_clock(),
            )
        })
        .collect();
    let total = n / 1000 * 1000;
    while !handles.iter().all(|h| h.status().acked == Some(total)) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "ingest: {} events from 3 sites into {} in {secs:.2} s: {:.0} events/s",
        3 * total,
        central.backend(),
        (3 * total) as f64 / secs
    );
    for s in &sites {
        assert_eq!(central.event_count(&s.id).await.unwrap(), total);
    }
    for h in handles {
        h.shutdown().await;
    }
    server.abort();
    db.finish().await;
}
