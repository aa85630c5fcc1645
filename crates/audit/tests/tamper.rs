//! Property tests: any single tampering of a signed log is found at the right seq.
//!
//! Cases default to 64 per property; set `PROPTEST_CASES` for a longer run.

use audit::{Chain, Hash, Problem, encode};
use model::Seq;
use proptest::prelude::*;

use crate::support::{Log, build, event};

/// One way to damage a log of `n` records (indices are taken modulo the log's length).
#[derive(Debug, Clone)]
enum Tamper {
    /// XOR one byte of a record (its bytes, then its 32-byte stored hash) with a non-zero mask.
    Flip {
        record: usize,
        byte: usize,
        mask: u8,
    },
    Delete {
        record: usize,
    },
    /// Insert before `at`: a copy of another record, random bytes, or a well-formed event
    /// claiming the seq of that place and chained from the record before it.
    Insert {
        at: usize,
        what: Inserted,
    },
    Swap {
        a: usize,
        b: usize,
    },
    /// Keep only the first `keep` records (`keep < n`).
    Truncate {
        keep: usize,
    },
}

#[derive(Debug, Clone)]
enum Inserted {
    Copy(usize),
    Garbage(Vec<u8>, [u8; 32]),
    Forged(Vec<u8>),
}

enum WhatKind {
    Forged,
    Other,
}

fn tamper() -> impl Strategy<Value = Tamper> {
    prop_oneof![
        (any::<usize>(), any::<usize>(), 1..=255u8).prop_map(|(record, byte, mask)| Tamper::Flip {
            record,
            byte,
            mask
        }),
        any::<usize>().prop_map(|record| Tamper::Delete { record }),
        (
            any::<usize>(),
            prop_oneof![
                any::<usize>().prop_map(Inserted::Copy),
                (prop::collection::vec(any::<u8>(), 0..64), any::<[u8; 32]>())
                    .prop_map(|(b, h)| Inserted::Garbage(b, h)),
                prop::collection::vec(any::<u8>(), 0..64).prop_map(Inserted::Forged),
            ]
        )
            .prop_map(|(at, what)| Tamper::Insert { at, what }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Tamper::Swap { a, b }),
        any::<usize>().prop_map(|keep| Tamper::Truncate { keep }),
    ]
}

fn log_strategy() -> impl Strategy<Value = Log> {
    (
        prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 1..200),
        1..40u64,
    )
        .prop_map(|(payloads, every)| build(&payloads, every))
}

/// The byte range of the seq field in a record.
const SEQ_FIELD: std::ops::Range<usize> = 1..9;

proptest! {
    #![proptest_config(crate::support::proptest_config())]

    #[test]
    fn an_untouched_log_verifies(log in log_strategy()) {
        let report = log.verify().unwrap();
        prop_assert_eq!(report.events, log.records.len() as u64);
        prop_assert_eq!(report.checkpoints_checked, log.checkpoints.len());
    }

    #[test]
    fn any_single_tampering_is_found_at_the_right_seq(log in log_strategy(), t in tamper()) {
        let n = log.records.len();
        let mut r = log.records.clone();
        let failure = match t {
            Tamper::Flip { record, byte, mask } => {
                let k = record % n;
                let len = r[k].0.len() + 32;
                let at = byte % len;
                let blen = r[k].0.len();
                if at < blen {
                    r[k].0[at] ^= mask;
                } else {
                    r[k].1.0[at - blen] ^= mask;
                }
                let f = log.verify_records(&r).unwrap_err();
                prop_assert_eq!(f.seq, Seq(k as u64 + 1), "{:?}", f);
                if !SEQ_FIELD.contains(&at) {
                    prop_assert!(matches!(f.problem, Problem::PayloadChanged | Problem::Decode(_)), "{:?}", f);
                } else if k + 1 < n {
                    // The record after it still chains from it: its bytes changed.
                    prop_assert_eq!(&f.problem, &Problem::PayloadChanged);
                }
                f
            }
            Tamper::Delete { record } => {
                let k = record % n;
                r.remove(k);
                let f = log.verify_records(&r).unwrap_err();
                let seq = Seq(k as u64 + 1);
                if k + 1 < n {
                    prop_assert_eq!(&f, &audit::Failure { seq, problem: Problem::Missing { expected: seq } });
                } else {
                    prop_assert_eq!(f.seq, seq);
                    prop_assert!(matches!(f.problem, Problem::Truncated { checkpoint_size, log_size }
                        if checkpoint_size == n as u64 && log_size == n as u64 - 1), "{:?}", f);
                }
                f
            }
            Tamper::Insert { at, what } => {
                let k = at % (n + 1);
                let what_kind = if matches!(what, Inserted::Forged(_)) { WhatKind::Forged } else { WhatKind::Other };
                let record = match what {
                    Inserted::Copy(j) => r[j % n].clone(),
                    Inserted::Garbage(b, h) => (b, Hash(h)),
                    Inserted::Forged(payload) => {
                        let bytes = encode(&event(k as u64 + 1, payload)).unwrap();
                        let prev = if k == 0 { Chain::genesis_hash(&log.site) } else { r[k - 1].1 };
                        let hash = Chain::link(&prev, &bytes);
                        (bytes, hash)
                    }
                };
                // A verbatim copy of the record it is put before is named where the second copy sits.
                let verbatim_of_next = k < n && record == r[k];
                let forged = matches!(what_kind, WhatKind::Forged);
                r.insert(k, record);
                if forged && k == n {
                    // A well-formed event chained onto the end is an append, not tampering:
                    // only the next checkpoint can vouch for it.
                    prop_assert_eq!(log.verify_records(&r).unwrap().events, n as u64 + 1);
                    return Ok(());
                }
                let f = log.verify_records(&r).unwrap_err();
                let want = if verbatim_of_next { k + 2 } else { k + 1 };
                prop_assert_eq!(f.seq, Seq(want as u64), "{:?}", f);
                f
            }
            Tamper::Swap { a, b } => {
                let (a, b) = (a % n, b % n);
                let (a, b) = (a.min(b), a.max(b));
                prop_assume!(a != b);
                r.swap(a, b);
                let f = log.verify_records(&r).unwrap_err();
                let want = audit::Failure { seq: Seq(a as u64 + 1), problem: Problem::OutOfOrder { found: Seq(b as u64 + 1) } };
                prop_assert_eq!(&f, &want);
                f
            }
            Tamper::Truncate { keep } => {
                let keep = keep % n;
                r.truncate(keep);
                let f = log.verify_records(&r).unwrap_err();
                prop_assert_eq!(f.seq, Seq(keep as u64 + 1));
                prop_assert!(matches!(f.problem, Problem::Truncated { log_size, .. } if log_size == keep as u64), "{:?}", f);
                f
            }
        };
        // Every failure message names its seq.
        let prefix = format!("seq {}:", failure.seq);
        prop_assert!(failure.to_string().starts_with(&prefix));
    }

    #[test]
    fn a_rewrite_with_recomputed_hashes_fails_at_the_covering_checkpoint(
        log in log_strategy(), record in any::<usize>(), payload in prop::collection::vec(any::<u8>(), 0..50)
    ) {
        let n = log.records.len();
        let k = record % n;
        let mut r = log.records.clone();
        let bytes = encode(&event(k as u64 + 1, payload)).unwrap();
        prop_assume!(bytes != r[k].0);
        r[k].0 = bytes;
        let mut prev = if k == 0 { Chain::genesis_hash(&log.site) } else { r[k - 1].1 };
        for rec in &mut r[k..] {
            rec.1 = Chain::link(&prev, &rec.0);
            prev = rec.1;
        }
        let sizes: Vec<u64> = log.checkpoints.iter().map(|c| c.unverified().unwrap().tree_size).collect();
        let covering = *sizes.iter().find(|&&s| s > k as u64).unwrap();
        let last_good = sizes.iter().copied().filter(|&s| s <= k as u64).max().unwrap_or(0);
        let f = log.verify_records(&r).unwrap_err();
        prop_assert_eq!(f.seq, Seq(covering));
        prop_assert_eq!(f.problem, Problem::CheckpointMismatch { tree_size: covering, last_good });
    }
}
