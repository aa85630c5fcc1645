//! Load tool: N seats (default 300, `THEORY_LOAD_SEATS`) answer a safety-theory paper at once
//! against the HTTP API of an in-process daemon on temporary SQLite; reports answer latency
//! p50/p99 and answers per second. Goal: p99 ≤ 50 ms at 300 seats.
//!
//! `cargo bench -p benches --bench theory_load`

use std::path::Path;
use std::time::{Duration, Instant};

use examd::config::{RawConfig, SiteArgs};
use model::Role;
use serde_json::{Value, json};

#[tokio::main]
async fn main() {
    let seats: usize = std::env::var("THEORY_LOAD_SEATS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let dir = tempfile::tempdir().unwrap();
    let args = SiteArgs {
        data_dir: Some(dir.path().into()),
        site_id: Some("load-site".into()),
        ..Default::default()
    };
    let rt = examd::config::resolve(RawConfig::default(), &args, dir.path()).unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/qbank/synthetic");
    examd::theory::banks::import(dir.path(), &fixtures, &"synthetic".parse().unwrap(), "auto")
        .await
        .unwrap();
    let clock = examd::state::system_clock();
    let site = examd::site::open(rt, clock.clone()).await.unwrap();
    let by: model::UserName = "load".parse().unwrap();
    for i in 0..seats {
        examd::accounts::create(
            &site.store,
            &site.log,
            format!("seat-{i}").parse().unwrap(),
            Role::Device,
            String::new(),
            None,
            clock(),
            &by,
        )
        .await
        .unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(examd::app::serve_with(
        site,
        listener,
        clock,
        async {
            let _ = stop_rx.await;
        },
        move |st| {
            let _ = tx.send(st);
        },
    ));
    let st = rx.await.unwrap();
    let sitting = examd::theory::api_open(&st, "load", "safety", "synthetic", 0)
        .await
        .unwrap();
    let bank = st
        .areas
        .theory
        .bank(
            "synthetic",
            &examd::theory::banks::current_versions(dir.path()).unwrap()[0].1,
        )
        .unwrap();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(seats)
        .build()
        .unwrap();
    let mut logins = Vec::new();
    for i in 0..seats {
        let seat = format!("seat-{i}");
        let code = examd::theory::api_assign(&st, &sitting, &seat, &format!("cand-{i}"))
            .await
            .unwrap();
        let v: Value = client
            .post(format!("{base}/api/v1/theory/seat/login"))
            .json(&json!({"seat": seat, "candidate": format!("cand-{i}"), "code": code}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        logins.push((v["token"].as_str().unwrap().to_owned(), v["state"].clone()));
    }
    let started = Instant::now();
    let tasks: Vec<_> = logins
        .into_iter()
        .map(|(token, mut state)| {
            let (client, base, bank) = (client.clone(), base.clone(), bank.clone());
            tokio::spawn(async move {
                let mut lat = Vec::new();
                while state["status"] == "in_progress" {
                    let qid = state["question"]["id"].as_str().unwrap();
                    let right: String = bank
                        .bank
                        .questions()
                        .iter()
                        .find(|q| q.id.as_str() == qid)
                        .unwrap()
                        .answer
                        .keys()
                        .map(|k| k.letter())
                        .collect();
                    let t = Instant::now();
                    let r = client
                        .post(format!("{base}/api/v1/theory/seat/answer"))
                        .header("x-seat-token", &token)
                        .json(&json!({"index": state["index"], "choice": right}))
                        .send()
                        .await
                        .unwrap();
                    assert!(r.status().is_success(), "{}", r.status());
                    state = r.json().await.unwrap();
                    lat.push(t.elapsed());
                }
                lat
            })
        })
        .collect();
    let mut all: Vec<Duration> = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let wall = started.elapsed();
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
    println!(
        "theory_load: {seats} seats, {} answers in {:.2} s: {:.0} answers/s, latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        all.len(),
        wall.as_secs_f64(),
        all.len() as f64 / wall.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        all.last().unwrap().as_secs_f64() * 1e3
    );
    let _ = stop_tx.send(());
}
