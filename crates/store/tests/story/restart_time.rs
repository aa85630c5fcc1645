//! How long `LogWriter::start` takes on a large log, verifying from the genesis (no stored
//! frontier: how every start went before frontiers were kept) and from the frontier kept with
//! the latest checkpoint. Runs only with `EXAMD_RESTART_EVENTS=<n>` (e.g. 1000000), on SQLite,
//! and prints both times; without it the test prints that it was skipped.

use std::sync::Arc;
use std::time::Instant;

use audit::{CheckpointPolicy, Event, Signer, Writer};
use model::{EventKind, Seq, SubjectKind, SubjectRef, UnixMs};
use store::writer::{Clock, LogWriter};

use super::site;

fn clock() -> Clock {
    Arc::new(|| UnixMs(1_800_000_000_000))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_time_on_a_large_log() {
    let Some(n) = std::env::var("EXAMD_RESTART_EVENTS")
        .ok()
        .map(|v| v.parse::<u64>().expect("EXAMD_RESTART_EVENTS is a count"))
    else {
        println!("SKIPPED: restart time (set EXAMD_RESTART_EVENTS=1000000 to measure it)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("site.db").display());
    std::fs::File::create(dir.path().join("site.db")).unwrap();
    let store = store::open(&url).await.unwrap();

    // The log, written straight through the store in writer-sized batches.
    let mut writer = Writer::new(&site(), CheckpointPolicy::default(), UnixMs(0));
    let filled = Instant::now();
    let mut seq = 0u64;
    while seq < n {
        let batch: Vec<_> = (0..store::writer::BATCH_CAP as u64)
            .take_while(|i| seq + i < n)
            .map(|i| {
                writer
                    .append(Event {
                        seq: Seq(seq + i + 1),
                        time: UnixMs(1_700_000_000_000 + (seq + i) as i64),
                        kind: EventKind::DeviceReport,
                        subjects: vec![SubjectRef::new(
                            SubjectKind::Device,
                            format!("seat-{}", (seq + i) % 40),
                        )],
                        payload: format!("{{\"n\":{}}}", seq + i).into_bytes(),
                    })
                    .unwrap()
            })
            .collect();
        seq += batch.len() as u64;
        store.append(&batch).await.unwrap();
    }
    println!("wrote {n} events in {:.1?}", filled.elapsed());

    let (signer, _) = Signer::generate().unwrap();
    let t = Instant::now();
    let log = LogWriter::start(
        store.clone(),
        site(),
        Some(signer),
        CheckpointPolicy::default(),
        clock(),
    )
    .await
    .unwrap();
    let from_genesis = t.elapsed();
    assert_eq!(log.verified_at_start(), n);
    // The checkpoint (and its frontier) a running site makes, then a few events after it.
    log.try_checkpoint_now()
        .await
        .unwrap()
        .expect("a checkpoint of the log");
    log.shutdown().await;
    let after: Vec<_> = (n + 1..=n + 100)
        .map(|s| {
            writer
                .append(Event {
                    seq: Seq(s),
                    time: UnixMs(1_800_000_000_000),
                    kind: EventKind::DeviceReport,
                    subjects: vec![],
                    payload: b"{}".to_vec(),
                })
                .unwrap()
        })
        .collect();
    store.append(&after).await.unwrap();

    let t = Instant::now();
    let log = LogWriter::start(
        store.clone(),
        site(),
        None,
        CheckpointPolicy::default(),
        clock(),
    )
    .await
    .unwrap();
    let from_frontier = t.elapsed();
    assert_eq!(log.verified_at_start(), 100);
    println!(
        "LogWriter::start on {n} events: {from_genesis:.2?} verifying from the genesis, \
         {from_frontier:.2?} from the checkpoint's frontier (100 events after it)"
    );
}
