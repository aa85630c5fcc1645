//! Latency of one durable append through the HTTP API, and throughput with many clients.
//!
//! Not a criterion bench: criterion reports means, and the goal is stated as p50/p99.
//! Runs the real daemon in-process on loopback with SQLite WAL (synchronous=FULL, group commit),
//! and real HTTP clients. `cargo bench -p benches --bench api_append`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use examd::config::{RawConfig, SiteArgs};
use examd::{accounts, app, config, site, state};
use model::Role;

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn run_clients(
    base: &str,
    token: &str,
    clients: usize,
    per_client: usize,
) -> (Vec<Duration>, Duration) {
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (base, token) = (base.to_owned(), token.to_owned());
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut lat = Vec::with_capacity(per_client);
            let pad = "x".repeat(150);
            for n in 0..per_client {
                let body = serde_json::json!({ "kind": "device.report", "payload": { "c": c, "n": n, "pad": pad } });
                let t = Instant::now();
                let resp = http.post(format!("{base}/api/v1/events")).bearer_auth(&token).json(&body).send().await.unwrap();
                assert_eq!(resp.status(), reqwest::StatusCode::CREATED);
                resp.bytes().await.unwrap();
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let wall = start.elapsed();
    all.sort();
    (all, wall)
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` and `cargo test --benches` probe harness=false benches.
    }
    let dir = tempfile::tempdir().unwrap();
    let args = SiteArgs {
        data_dir: Some(dir.path().into()),
        site_id: Some("bench".into()),
        ..Default::default()
    };
    let rt = config::resolve(RawConfig::default(), &args, dir.path()).unwrap();
    let clock = state::system_clock();
    let site = site::open(rt, clock.clone()).await.unwrap();
    let dev = accounts::create(
        &site.store,
        &site.log,
        "bench-dev".parse().unwrap(),
        Role::Device,
        String::new(),
        None,
        clock(),
        &"bench".parse().unwrap(),
    )
    .await
    .unwrap();
    let token = dev.token.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let stop = Arc::new(tokio::sync::Notify::new());
    let s2 = stop.clone();
    let server = tokio::spawn(app::serve(site, listener, clock, async move {
        s2.notified().await
    }));
    // Warm up.
    run_clients(&base, &token, 1, 50).await;
    println!(
        "api_append: durable appends through POST /api/v1/events (SQLite WAL, synchronous=FULL), {} cores",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    for (clients, per) in [(1usize, 1000usize), (16, 250), (64, 100)] {
        let (lat, wall) = run_clients(&base, &token, clients, per).await;
        let n = lat.len();
        println!(
            "  {clients:>3} clients: {n} appends in {:.2} s = {:>7.0} appends/s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            wall.as_secs_f64(),
            n as f64 / wall.as_secs_f64(),
            pct(&lat, 0.50).as_secs_f64() * 1e3,
            pct(&lat, 0.99).as_secs_f64() * 1e3,
            lat[n - 1].as_secs_f64() * 1e3,
        );
    }
    stop.notify_one();
    server.await.unwrap().unwrap();
}
