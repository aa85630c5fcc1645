//! One test per kind of damage, on a small log with a checkpoint every 4 events.

use audit::{Anchor, Chain, Failure, Frontier, Problem, Verifier, encode, leaf_hash, verify};
use model::Seq;

use crate::support::{build, event, simple};

fn fail(seq: u64, problem: Problem) -> Result<audit::Report, Failure> {
    Err(Failure {
        seq: Seq(seq),
        problem,
    })
}

#[test]
fn an_intact_log_verifies() {
    let log = simple(10, 4);
    let report = log.verify().unwrap();
    assert_eq!(report.events, 10);
    assert_eq!(report.last_seq, Seq(10));
    assert_eq!(report.head, log.records[9].1);
    assert_eq!(report.checkpoints_checked, 3); // 4, 8 and the final 10
    let leaves: Vec<_> = log.records.iter().map(|(b, _)| leaf_hash(b)).collect();
    assert_eq!(
        report.frontier.unwrap().root(),
        audit::merkle::root(&leaves)
    );
}

#[test]
fn an_empty_log_verifies() {
    let log = simple(0, 4);
    assert_eq!(log.checkpoints.len(), 1, "a checkpoint of the empty tree");
    let report = log.verify().unwrap();
    assert_eq!((report.events, report.checkpoints_checked), (0, 1));
}

#[test]
fn a_flipped_payload_byte_is_payload_changed_at_its_seq() {
    let log = simple(10, 4);
    let mut r = log.records.clone();
    let last = r[4].0.len() - 1;
    r[4].0[last] ^= 0x01;
    assert_eq!(log.verify_records(&r), fail(5, Problem::PayloadChanged));
}

#[test]
fn a_changed_stored_hash_is_payload_changed_at_its_seq() {
    let log = simple(10, 4);
    let mut r = log.records.clone();
    r[6].1.0[0] ^= 0x80;
    assert_eq!(log.verify_records(&r), fail(7, Problem::PayloadChanged));
}

#[test]
fn a_broken_encoding_is_a_decode_error_at_its_seq() {
    let log = simple(10, 4);
    let mut r = log.records.clone();
    r[2].0.push(0);
    assert_eq!(
        log.verify_records(&r),
        fail(3, Problem::Decode(audit::DecodeError::Trailing(1)))
    );
}

#[test]
fn a_deleted_event_is_missing() {
    let log = simple(10, 4);
    let mut r = log.records.clone();
    r.remove(4);
    assert_eq!(
        log.verify_records(&r),
        fail(5, Problem::Missing { expected: Seq(5) })
    );
    // Several in a row: still the first absent one.
    r.drain(4..7);
    assert_eq!(
        log.verify_records(&r),
        fail(5, Problem::Missing { expected: Seq(5) })
    );
}

#[test]
fn a_deleted_last_event_is_a_truncation() {
    let log = simple(10, 4);
    let r = &log.records[..9];
    let want = Problem::Truncated {
        checkpoint_size: 10,
        log_size: 9,
    };
    assert_eq!(log.verify_records(r), fail(10, want));
    let want = Problem::Truncated {
        checkpoint_size: 4,
        log_size: 2,
    };
    assert_eq!(log.verify_records(&log.records[..2]), fail(3, want));
}

#[test]
fn swapped_events_are_out_of_order() {
    let log = simple(10, 4);
    let mut r = log.records.clone();
    r.swap(3, 4);
    assert_eq!(
        log.verify_records(&r),
        fail(4, Problem::OutOfOrder { found: Seq(5) })
    );
    let mut r = log.records.clone();
    r.swap(2, 8);
    assert_eq!(
        log.verify_records(&r),
        fail(3, Problem::OutOfOrder { found: Seq(9) })
    );
}

#[test]
fn repeated_events_are_duplicates() {
    let log = simple(10, 4);
    // A verbatim copy right after the original: named where the copy sits.
    let mut r = log.records.clone();
    r.insert(5, r[4].clone());
    assert_eq!(
        log.verify_records(&r),
        fail(6, Problem::Duplicate { found: Seq(5) })
    );
    // A copy of an older event.
    let mut r = log.records.clone();
    r.insert(5, r[1].clone());
    assert_eq!(
        log.verify_records(&r),
        fail(6, Problem::Duplicate { found: Seq(2) })
    );
}

#[test]
fn a_forged_event_chained_into_place_is_a_duplicate_at_its_seq() {
    // Someone inserts a well-formed event 5, chained from event 4, before the real event 5.
    let log = simple(10, 4);
    let mut r = log.records.clone();
    let bytes = encode(&event(5, b"forged".to_vec())).unwrap();
    let hash = Chain::link(&r[3].1, &bytes);
    r.insert(4, (bytes, hash));
    assert_eq!(
        log.verify_records(&r),
        fail(5, Problem::Duplicate { found: Seq(5) })
    );
}

#[test]
fn a_rewritten_event_with_recomputed_hashes_is_caught_by_the_checkpoint() {
    let log = simple(10, 4);
    let mut r = log.records.clone();
    r[5].0 = encode(&event(6, b"{\"score\":100}".to_vec())).unwrap();
    let mut prev = r[4].1;
    for rec in &mut r[5..] {
        rec.1 = Chain::link(&prev, &rec.0);
        prev = rec.1;
    }
    // The chain itself is now consistent; only the signed checkpoint at 8 disagrees.
    let want = Problem::CheckpointMismatch {
        tree_size: 8,
        last_good: 4,
    };
    assert_eq!(log.verify_records(&r), fail(8, want.clone()));
    // Also when only heads can be compared (no frontier).
    let from = Some(Anchor::trusted(Seq(4), r[3].1));
    let res = verify(
        &log.site,
        &[log.key],
        r[4..].iter().map(|(b, h)| (b, *h)),
        &log.checkpoints,
        from,
    );
    assert_eq!(res, fail(8, want));
}

#[test]
fn a_bad_signature_is_named_at_its_tree_size() {
    let mut log = simple(10, 4);
    log.checkpoints[1].signature[0] ^= 1;
    assert_eq!(
        log.verify(),
        fail(8, Problem::SignatureInvalid { tree_size: 8 })
    );
    // The right body under another key is refused too.
    let log2 = simple(10, 4);
    let other = audit::Signer::generate().unwrap().0;
    let res = verify(
        &log2.site,
        &[other.public_key()],
        log2.records.iter().map(|(b, h)| (b, *h)),
        &log2.checkpoints,
        None,
    );
    assert_eq!(res, fail(4, Problem::SignatureInvalid { tree_size: 4 }));
}

#[test]
fn a_checkpoint_of_another_site_is_refused() {
    let mut log = simple(6, 100);
    let mut cp = log.checkpoints[0].unverified().unwrap();
    cp.site = "elsewhere".parse().unwrap();
    log.checkpoints.push(log.signer.sign(&cp));
    let want = Problem::WrongSite {
        tree_size: 6,
        found: "elsewhere".parse().unwrap(),
    };
    assert_eq!(log.verify(), fail(6, want));
}

#[test]
fn the_first_bad_seq_wins() {
    // A payload change at 3 and a bad signature at 8: 3 is reported.
    let mut log = simple(10, 4);
    log.checkpoints[1].signature[0] ^= 1;
    let mut r = log.records.clone();
    r[2].0[12] ^= 4;
    assert_eq!(log.verify_records(&r), fail(3, Problem::PayloadChanged));
}

#[test]
fn verification_can_start_from_a_trusted_anchor() {
    let log = simple(12, 4);
    let rest = || log.records[6..].iter().map(|(b, h)| (b, *h));
    // Head only.
    let from = Anchor::trusted(Seq(6), log.records[5].1);
    let report = verify(&log.site, &[log.key], rest(), &log.checkpoints, Some(from)).unwrap();
    assert_eq!(
        (
            report.events,
            report.checkpoints_checked,
            report.checkpoints_skipped
        ),
        (6, 2, 1)
    );
    assert_eq!(report.frontier, None);
    // With the frontier: roots are checked and the report can be resumed from.
    let leaves: Vec<_> = log.records[..6].iter().map(|(b, _)| leaf_hash(b)).collect();
    let from = Anchor::with_frontier(Frontier::from_leaves(&leaves), log.records[5].1);
    let report = verify(&log.site, &[log.key], rest(), &log.checkpoints, Some(from)).unwrap();
    assert_eq!(report.anchor().frontier().unwrap().size(), 12);
    // A wrong trusted hash breaks the first event after it.
    let from = Anchor::trusted(Seq(6), log.records[4].1);
    let res = verify(&log.site, &[log.key], rest(), &log.checkpoints, Some(from));
    assert_eq!(res, fail(7, Problem::PayloadChanged));
    // An anchor that contradicts a checkpoint at its own seq fails at once.
    let from = Anchor::trusted(Seq(8), log.records[6].1);
    let res = Verifier::new(&log.site, &[log.key], &log.checkpoints, Some(from));
    assert_eq!(
        res.err(),
        Some(Failure {
            seq: Seq(8),
            problem: Problem::CheckpointMismatch {
                tree_size: 8,
                last_good: 8
            }
        })
    );
}

#[test]
fn a_resumed_run_equals_one_run() {
    let log = simple(9, 3);
    let first = verify(
        &log.site,
        &[log.key],
        log.records[..5].iter().map(|(b, h)| (b, *h)),
        &log.checkpoints[..1],
        None,
    )
    .unwrap();
    let second = verify(
        &log.site,
        &[log.key],
        log.records[5..].iter().map(|(b, h)| (b, *h)),
        &log.checkpoints,
        Some(first.anchor()),
    )
    .unwrap();
    let whole = log.verify().unwrap();
    assert_eq!(
        (second.head, second.frontier.clone()),
        (whole.head, whole.frontier)
    );
    assert_eq!(second.checkpoints_skipped, 1);
}

#[test]
fn large_payloads_verify() {
    let log = build(&[vec![7u8; 100_000], vec![], vec![0; 1]], 2);
    assert_eq!(log.verify().unwrap().events, 3);
}

#[test]
fn an_anchor_before_a_seq_comes_from_the_latest_good_checkpoint() {
    let mut log = simple(12, 4);
    let before = |seq| Anchor::before(&log.site, &[log.key], &log.checkpoints, Seq(seq));
    assert_eq!(before(4), None);
    assert_eq!(
        before(5).map(|a| (a.seq(), a.head())),
        Some((Seq(4), log.records[3].1))
    );
    assert_eq!(before(12).map(|a| a.seq()), Some(Seq(8)));
    // Verify from seq 10 on, starting at the checkpoint of 8.
    let from = before(10).unwrap();
    let rest = log.records[from.seq().0 as usize..]
        .iter()
        .map(|(b, h)| (b, *h));
    let report = verify(&log.site, &[log.key], rest, &log.checkpoints, Some(from)).unwrap();
    assert_eq!((report.events, report.last_seq), (4, Seq(12)));
    // A checkpoint with a bad signature is not trusted as a start.
    log.checkpoints[1].signature[0] ^= 1;
    let before = Anchor::before(&log.site, &[log.key], &log.checkpoints, Seq(10));
    assert_eq!(before.map(|a| a.seq()), Some(Seq(4)));
}
