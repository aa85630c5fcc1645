//! Load tool: N seats (default 300, `THEORY_LOAD_SEATS`) answer a safety-theory paper at once
//! against the HTTP API of an in-process daemon on temporary SQLite; reports answer latency
//! p50/p99 and answers per second. Goal: p99 ≤ 50 ms at 300 seats.
//!
//! Every candidate and the examiner are enrolled with synthetic fingers; the examiner opens the
//! sitting with a finger and every seat logs in through its reader (`/seat/begin`, then
//! `/seat/finger` with the seat's device token). Only answers are timed.
//!
//! Each simulated candidate waits a random 0..2×`THEORY_LOAD_THINK_MS` (default 0: answers
//! back to back, a closed loop that measures capacity) before each answer; with a think time the
//! hall sees an open load of about seats/think answers per second, which is what real candidates
//! (several seconds a question) produce.
//!
//! `THEORY_LOAD_SEATS=300 THEORY_LOAD_THINK_MS=1000 cargo bench -p benches --bench theory_load`

use std::path::Path;
use std::time::{Duration, Instant};

use examd::config::{RawConfig, SiteArgs};
use examd::gate::synth::impression;
use model::Role;
use serde_json::{Value, json};

#[tokio::main]
async fn main() {
    let seats: usize = std::env::var("THEORY_LOAD_SEATS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let think_ms: u64 = std::env::var("THEORY_LOAD_THINK_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
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
    let mut readers = Vec::new();
    for i in 0..seats {
        let u = examd::accounts::create(
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
        readers.push(u.token.unwrap());
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
    let finger = |i: usize| 10_000 + i as u64;
    let enroll = async |person: &str, f: u64| {
        st.identity
            .enroll(
                person.parse().unwrap(),
                None,
                vec![impression(f, 0), impression(f, 1)],
                "load",
            )
            .await
            .unwrap();
    };
    enroll("examiner:load", 1).await;
    for i in 0..seats {
        enroll(&format!("candidate:cand-{i}"), finger(i)).await;
    }
    let sitting = examd::theory::api_open(&st, "load", "safety", "synthetic", 0, &impression(1, 2))
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
    for (i, reader) in readers.iter().enumerate() {
        let seat = format!("seat-{i}");
        examd::theory::api_assign(&st, &sitting, &seat, &format!("cand-{i}"))
            .await
            .unwrap();
        let v: Value = client
            .post(format!("{base}/api/v1/theory/seat/begin"))
            .json(&json!({"seat": seat}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = v["token"].as_str().unwrap().to_owned();
        let v: Value = client
            .post(format!("{base}/api/v1/theory/seat/finger?seat={seat}"))
            .bearer_auth(reader)
            .body(impression(finger(i), 2).to_iso2005())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["matched"], true, "seat {seat}: {v}");
        let state: Value = client
            .get(format!("{base}/api/v1/theory/seat/state"))
            .header("x-seat-token", &token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        logins.push((token, state));
    }
    let started = Instant::now();
    let tasks: Vec<_> = logins
        .into_iter()
        .enumerate()
        .map(|(i, (token, mut state))| {
            let (client, base, bank) = (client.clone(), base.clone(), bank.clone());
            let mut rng = 0x9e37_79b9_7f4a_7c15u64 ^ (i as u64).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            tokio::spawn(async move {
                let mut lat = Vec::new();
                while state["status"] == "in_progress" {
                    if think_ms > 0 {
                        rng = rng
                            .wrapping_mul(6_364_136_223_846_793_005)
                            .wrapping_add(1_442_695_040_888_963_407);
                        let pause = (rng >> 33) % (2 * think_ms);
                        tokio::time::sleep(Duration::from_millis(pause)).await;
                    }
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
        "theory_load: {seats} seats, think 0..{} ms, {} answers in {:.2} s: {:.0} answers/s, latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        2 * think_ms,
        all.len(),
        wall.as_secs_f64(),
        all.len() as f64 / wall.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        all.last().unwrap().as_secs_f64() * 1e3
    );
    let _ = stop_tx.send(());
}
