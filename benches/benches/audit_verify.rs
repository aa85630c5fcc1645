//! Verification speed of the audit log: 10,000 events with 200-byte payloads.
//!
//! Goal: at least 1,000,000 events/s hashed and chained on one core (`chain_only`).
//! `verify` adds the canonical-encoding check, the RFC 6962 leaf hash and Merkle frontier,
//! and a signed checkpoint every 1,000 events. `naive` is the plain baseline: full decode
//! and re-encode of every event, chain link, and every checkpoint root recomputed from all
//! leaves by the recursive definition.

use std::hint::black_box;

use audit::{
    Anchor, Chain, CheckpointPolicy, Event, Hash, SignedCheckpoint, Signer, Writer, decode, encode,
    leaf_hash, merkle, validate, verify,
};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use model::{EventKind, Seq, SiteId, SubjectKind, SubjectRef, UnixMs};

const EVENTS: usize = 10_000;
const PAYLOAD: usize = 200;

struct Log {
    site: SiteId,
    keys: Vec<audit::PublicKey>,
    records: Vec<(Vec<u8>, Hash)>,
    checkpoints: Vec<SignedCheckpoint>,
}

fn build() -> Log {
    let site: SiteId = "bench-site".parse().unwrap();
    let (signer, _) = Signer::generate().unwrap();
    let mut w = Writer::new(
        &site,
        CheckpointPolicy {
            every_events: 1000,
            every_ms: 0,
        },
        UnixMs(0),
    );
    let mut records = Vec::with_capacity(EVENTS);
    let mut checkpoints = Vec::new();
    for i in 0..EVENTS as u64 {
        let payload: Vec<u8> = (0..PAYLOAD)
            .map(|j| b'a' + ((i as usize + j) % 26) as u8)
            .collect();
        let event = Event {
            seq: Seq(i + 1),
            time: UnixMs(1_700_000_000_000 + i as i64 * 100),
            kind: EventKind::DeviceReport,
            subjects: vec![SubjectRef::new(SubjectKind::Device, "gate-1")],
            payload,
        };
        let sealed = w.append(event).unwrap();
        records.push((sealed.bytes, sealed.hash));
        if w.checkpoint_due(UnixMs(0)) {
            checkpoints.push(signer.sign(&w.checkpoint(UnixMs(0))));
        }
    }
    Log {
        site,
        keys: vec![signer.public_key()],
        records,
        checkpoints,
    }
}

/// Checks encoding and chain only: the 1M events/s goal.
fn chain_only(site: &SiteId, records: &[(Vec<u8>, Hash)]) -> Hash {
    let mut head = Chain::genesis_hash(site);
    let mut expected = Seq(1);
    for (bytes, stored) in records {
        assert_eq!(validate(bytes), Ok(expected));
        head = Chain::link(&head, bytes);
        assert_eq!(head, *stored);
        expected = expected.next();
    }
    head
}

/// The plain baseline: allocate, re-encode, recompute roots from scratch.
fn naive(log: &Log) -> Hash {
    let mut head = Chain::genesis_hash(&log.site);
    let mut leaves = Vec::with_capacity(log.records.len());
    for (bytes, stored) in &log.records {
        let event = decode(bytes).unwrap();
        assert_eq!(&encode(&event).unwrap(), bytes);
        head = Chain::link(&head, bytes);
        assert_eq!(head, *stored);
        leaves.push(leaf_hash(bytes));
    }
    for signed in &log.checkpoints {
        let cp = log.keys[0].verify(signed).unwrap();
        assert_eq!(merkle::root(&leaves[..cp.tree_size as usize]), cp.root);
    }
    head
}

fn bench(c: &mut Criterion) {
    let log = build();
    let iter = || log.records.iter().map(|(b, h)| (b, *h));
    // Every path agrees on the result before anything is timed.
    let report = verify(&log.site, &log.keys, iter(), &log.checkpoints, None).unwrap();
    assert_eq!(
        (report.events, report.checkpoints_checked),
        (EVENTS as u64, EVENTS / 1000)
    );
    assert_eq!(chain_only(&log.site, &log.records), report.head);
    assert_eq!(naive(&log), report.head);

    let mut g = c.benchmark_group("verify");
    g.throughput(Throughput::Elements(EVENTS as u64));
    g.bench_function(BenchmarkId::new("chain_only", EVENTS), |b| {
        b.iter(|| chain_only(black_box(&log.site), black_box(&log.records)))
    });
    g.bench_function(BenchmarkId::new("verify_heads_only", EVENTS), |b| {
        b.iter(|| {
            let from = Anchor::trusted(Seq(0), Chain::genesis_hash(&log.site));
            verify(
                &log.site,
                &log.keys,
                black_box(iter()),
                &log.checkpoints,
                Some(from),
            )
            .unwrap()
        })
    });
    g.bench_function(BenchmarkId::new("verify", EVENTS), |b| {
        b.iter(|| {
            verify(
                &log.site,
                &log.keys,
                black_box(iter()),
                &log.checkpoints,
                None,
            )
            .unwrap()
        })
    });
    g.bench_function(BenchmarkId::new("naive", EVENTS), |b| {
        b.iter(|| naive(black_box(&log)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
