//! Durable appends per second through the `LogWriter` on SQLite in WAL mode with
//! `synchronous=FULL` (every commit synced to disk before it is acknowledged).
//!
//! Side by side: one appender (each event waits for its own commit: no batching, the
//! baseline) and 64 or 256 concurrent appenders (the writer commits whatever is queued in one
//! transaction: group commit). Each appender waits for its answer before its next append, so
//! a batch holds at most as many events as there are appenders, and the rate is bounded by
//! `appenders / commit latency` — the disk's fsync time sets the ceiling. Payloads are 200
//! bytes; the writer signs a checkpoint every 1000 events, as a site does. Throughput is in
//! events.
//!
//! The database lives in cargo's target tmp folder (a real disk, not a RAM disk).

use std::time::{Duration, Instant};

use audit::{CheckpointPolicy, Signer};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use model::{EventKind, Seq, SiteId, SubjectKind, SubjectRef};
use store::writer::{Draft, LogWriter, system_clock};

const PAYLOAD: usize = 200;

fn draft(n: u64) -> Draft {
    let mut payload = format!("{{\"seat\":{},\"answer\":\"", n % 97).into_bytes();
    payload.resize(PAYLOAD - 2, b'x');
    payload.extend_from_slice(b"\"}");
    Draft {
        kind: EventKind::DeviceReport,
        subjects: vec![SubjectRef::new(
            SubjectKind::Device,
            format!("seat-{}", n % 97),
        )],
        payload,
    }
}

/// Appends `events` events from `appenders` concurrent tasks; returns the wall time.
async fn run(log: &LogWriter, appenders: u64, events: u64) -> Duration {
    let start = Instant::now();
    let tasks: Vec<_> = (0..appenders)
        .map(|a| {
            let log = log.clone();
            let mine = events / appenders + u64::from(a < events % appenders);
            tokio::spawn(async move {
                for i in 0..mine {
                    std::hint::black_box(log.append(draft(i)).await.expect("durable append"));
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("appender task");
    }
    start.elapsed()
}

fn append(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let url = format!("sqlite://{}", dir.path().join("append-bench.db").display());
    let site: SiteId = "bench".parse().unwrap();
    let (signer, _) = Signer::generate().unwrap();
    let (store, log) = rt.block_on(async {
        let store = store::open(&url).await.unwrap();
        let log = LogWriter::start(
            store.clone(),
            site,
            Some(signer),
            CheckpointPolicy::default(),
            system_clock(),
        )
        .await
        .unwrap();
        (store, log)
    });

    // Once, outside the timings: every acknowledged event is in the store, densely.
    rt.block_on(async {
        run(&log, 64, 1000).await;
        assert_eq!(
            store.log_head().await.unwrap().map(|(s, _)| s),
            Some(Seq(1000))
        );
    });

    let mut group = c.benchmark_group("append");
    group.throughput(Throughput::Elements(1));
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    for appenders in [1u64, 64, 256] {
        let before = log.stats();
        group.bench_with_input(
            BenchmarkId::new("sqlite_wal_fsync", format!("{appenders}_appenders")),
            &appenders,
            |b, &appenders| b.iter_custom(|events| rt.block_on(run(&log, appenders, events))),
        );
        let after = log.stats();
        let (events, commits) = (after.events - before.events, after.commits - before.commits);
        eprintln!(
            "append/{appenders}_appenders: {events} events in {commits} commits, {:.1} events per disk sync",
            events as f64 / commits.max(1) as f64
        );
    }
    group.finish();
    rt.block_on(log.shutdown());
}

criterion_group!(benches, append);
criterion_main!(benches);
