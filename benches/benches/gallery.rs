//! 1:N search: one probe against synthetic galleries of 10,000 and 100,000 templates (and
//! 1,000,000 with `GALLERY_BENCH_MAX=1000000`), the prefilter-and-rerank search beside the
//! brute-force baseline (brute force at 10,000 only: it takes seconds beyond).
//!
//! Templates come from `fingersynth`'s master-print model (`synthetic_template`); the probe is
//! another impression of a finger in the gallery. The expected top-1 is checked once outside the
//! timed loop.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use fingersynth::{MinutiaImpressionParams, synthetic_template};
use rayon::prelude::*;
use scoring::gallery::{EntryId, Gallery, SearchOptions};
use std::hint::black_box;

fn gallery(n: u64) -> Gallery {
    let p = MinutiaImpressionParams::default();
    let entries: Vec<_> = (0..n)
        .into_par_iter()
        .map(|k| (EntryId(k), synthetic_template(1, k, 1, &p)))
        .collect();
    let mut g = Gallery::new();
    g.extend(entries).unwrap();
    g
}

fn bench(c: &mut Criterion) {
    let max: u64 = std::env::var("GALLERY_BENCH_MAX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let mut grp = c.benchmark_group("gallery_search");
    grp.sample_size(10);
    let opts = SearchOptions::default();
    for n in [10_000u64, 100_000, 1_000_000]
        .into_iter()
        .filter(|&n| n <= max)
    {
        let g = gallery(n);
        // A finger whose impression 2 the matcher scores above the threshold against impression 1.
        let probe = (0..50)
            .map(|k| {
                (
                    EntryId(k * (n / 50)),
                    synthetic_template(1, k * (n / 50), 2, &MinutiaImpressionParams::default()),
                )
            })
            .find(|(id, p)| {
                g.search(p, &opts)
                    .best_at(scoring::THRESHOLD_FMR_10000)
                    .map(|c| c.id)
                    == Some(*id)
            })
            .expect("no mated probe found at the top");
        grp.bench_with_input(BenchmarkId::new("prefilter_rerank", n), &n, |b, _| {
            b.iter(|| g.search(black_box(&probe.1), &opts))
        });
        if n <= 10_000 {
            assert_eq!(g.search_brute_force(&probe.1, 1).candidates[0].id, probe.0);
            grp.bench_with_input(BenchmarkId::new("brute_force", n), &n, |b, _| {
                b.iter(|| g.search_brute_force(black_box(&probe.1), 1))
            });
        }
    }
    grp.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
