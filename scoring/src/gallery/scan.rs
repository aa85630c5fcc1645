//! The prefilter scan: score every gallery code against the probe code and keep the best few.
//!
//! Plainly: for each entry `e`, `score(e) = popcount(code(e) AND probe) × weight(e)`; sort all
//! entries by score (highest first, lower index first on ties) and keep the first `n`.
//! [`shortlist`] does exactly that, but in chunks on all cores, keeping only each chunk's best
//! `n` (a partial selection, not a sort) before merging; [`shortlist_naive`] is the plain
//! version it is tested against.

use super::code::{Code, WORDS, common};
use rayon::prelude::*;
use std::cmp::Ordering;

/// Entries per parallel work item: large enough to amortise the bookkeeping, small enough to spread.
const CHUNK: usize = 8192;

/// One shortlisted entry: prefilter score and index into the gallery.
pub(crate) type Scored = (f32, u32);

/// Highest score first, then lowest index.
pub(crate) fn order(a: &Scored, b: &Scored) -> Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

fn score_chunk(codes: &[u64], weights: &[f32], first: usize, probe: &Code) -> Vec<Scored> {
    codes
        .chunks_exact(WORDS)
        .zip(weights)
        .enumerate()
        .map(|(i, (c, w))| (common(c, probe) as f32 * w, (first + i) as u32))
        .collect()
}

/// The same loop compiled for processors with the POPCNT instruction (the baseline x86-64
/// target counts bits with a dozen instructions).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
fn score_chunk_popcnt(codes: &[u64], weights: &[f32], first: usize, probe: &Code) -> Vec<Scored> {
    score_chunk(codes, weights, first, probe)
}

fn score_chunk_fast(codes: &[u64], weights: &[f32], first: usize, probe: &Code) -> Vec<Scored> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("popcnt") {
        // SAFETY: the processor supports POPCNT, checked just above; the function is otherwise ordinary safe code.
        #[allow(unsafe_code)]
        return unsafe { score_chunk_popcnt(codes, weights, first, probe) };
    }
    score_chunk(codes, weights, first, probe)
}

/// Keeps the best `n` of `v` (in no particular order).
fn keep_best(mut v: Vec<Scored>, n: usize) -> Vec<Scored> {
    if v.len() > n {
        if n == 0 {
            return Vec::new();
        }
        v.select_nth_unstable_by(n - 1, order);
        v.truncate(n);
    }
    v
}

/// The best `n` entries by prefilter score, best first. `codes` holds `WORDS` words per entry.
pub(crate) fn shortlist(codes: &[u64], weights: &[f32], probe: &Code, n: usize) -> Vec<Scored> {
    debug_assert_eq!(codes.len(), weights.len() * WORDS);
    let parts: Vec<Vec<Scored>> = codes
        .par_chunks(CHUNK * WORDS)
        .zip(weights.par_chunks(CHUNK))
        .enumerate()
        .map(|(k, (c, w))| keep_best(score_chunk_fast(c, w, k * CHUNK, probe), n))
        .collect();
    let mut all = keep_best(parts.concat(), n);
    all.sort_unstable_by(order);
    all
}

/// The best `n` of already scored entries, best first.
pub(crate) fn best(v: Vec<Scored>, n: usize) -> Vec<Scored> {
    let mut v = keep_best(v, n);
    v.sort_unstable_by(order);
    v
}

/// The plain version of [`shortlist`]: score all, sort all, keep `n`.
#[cfg(test)]
pub(crate) fn shortlist_naive(
    codes: &[u64],
    weights: &[f32],
    probe: &Code,
    n: usize,
) -> Vec<Scored> {
    let mut all = score_chunk(codes, weights, 0, probe);
    all.sort_by(order);
    all.truncate(n);
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn arb_codes() -> impl Strategy<Value = (Vec<u64>, Vec<f32>, Vec<u64>)> {
        // Sparse words make ties common, which is where an unstable merge would go wrong.
        (1usize..40).prop_flat_map(|n| {
            (
                proptest::collection::vec(
                    any::<u64>().prop_map(|w| w & 0x0101_0101_0101_0101),
                    n * WORDS,
                ),
                proptest::collection::vec(prop_oneof![Just(0.5f32), Just(1.0), 0.1f32..2.0], n),
                proptest::collection::vec(any::<u64>(), WORDS),
            )
        })
    }

    proptest! {
        #[test]
        fn shortlist_equals_the_naive_shortlist((codes, weights, probe) in arb_codes(), n in 0usize..50) {
            let probe: Code = probe.try_into().unwrap();
            prop_assert_eq!(
                shortlist(&codes, &weights, &probe, n),
                shortlist_naive(&codes, &weights, &probe, n)
            );
        }
    }

    #[test]
    fn shortlist_spans_chunks() {
        // More than two chunks, one clear best entry in the last chunk and ties everywhere else.
        let n = 2 * CHUNK + 100;
        let mut codes = vec![1u64; n * WORDS];
        let weights = vec![1.0f32; n];
        let best = n - 3;
        codes[best * WORDS..(best + 1) * WORDS].fill(u64::MAX);
        let probe = [u64::MAX; WORDS];
        let got = shortlist(&codes, &weights, &probe, 5);
        assert_eq!(got, shortlist_naive(&codes, &weights, &probe, 5));
        assert_eq!(got[0].1 as usize, best);
        assert_eq!(
            got[1..].iter().map(|s| s.1).collect::<Vec<_>>(),
            vec![0, 1, 2, 3]
        );
    }
}
