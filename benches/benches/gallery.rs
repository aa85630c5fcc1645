//! 1:N search: one probe against synthetic galleries of 1,000, 10,000 and 100,000 templates (and
//! 1,000,000 with `GALLERY_BENCH_MAX=1000000`): the prefilter-and-rerank search with a mated probe
//! (a decisive hit ends it early) and with a stranger's probe (no decisive hit: the matcher takes
//! its whole budget, the worst case), beside the brute-force baseline at 1,000 (it prepares and
//! compares every entry).
//!
//! Templates come from `fingersynth`'s master-print model (`synthetic_template`); the mated probe is
//! another impression of a finger in the gallery, the stranger a finger of another population. The
//! expected answers are checked once outside the timed loop. Each sample is one search (flat
//! sampling, ten samples), so the whole bench runs in a few minutes.

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use fingersynth::{MinutiaImpressionParams, synthetic_template};
use rayon::prelude::*;
use scoring::gallery::{EntryId, Gallery, SearchEnd, SearchOptions};
use scoring::{THRESHOLD_FMR_10000, Template};
use std::hint::black_box;
use std::time::Duration;

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

/// A finger whose impression 2 the search puts first, at the threshold.
fn mated_probe(g: &Gallery, n: u64, opts: &SearchOptions) -> (EntryId, Template) {
    (0..50)
        .map(|k| {
            let id = EntryId(k * (n / 50));
            let t = synthetic_template(1, id.0, 2, &MinutiaImpressionParams::default());
            (id, t)
        })
        .find(|(id, p)| g.search(p, opts).best_at(THRESHOLD_FMR_10000).map(|c| c.id) == Some(*id))
        .expect("no mated probe found at the top")
}

fn bench(c: &mut Criterion) {
    let max: u64 = std::env::var("GALLERY_BENCH_MAX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let mut grp = c.benchmark_group("gallery_search");
    grp.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    let opts = SearchOptions::default();
    let stranger = synthetic_template(2, 7, 2, &MinutiaImpressionParams::default());
    for n in [1_000u64, 10_000, 100_000, 1_000_000]
        .into_iter()
        .filter(|&n| n <= max)
    {
        let g = gallery(n);
        let probe = mated_probe(&g, n, &opts);
        grp.bench_with_input(BenchmarkId::new("mated", n), &n, |b, _| {
            b.iter(|| g.search(black_box(&probe.1), &opts))
        });
        let s = g.search(&stranger, &opts);
        assert_eq!(s.best_at(THRESHOLD_FMR_10000), None);
        assert_eq!(s.end, SearchEnd::BudgetLimited);
        grp.bench_with_input(BenchmarkId::new("stranger", n), &n, |b, _| {
            b.iter(|| g.search(black_box(&stranger), &opts))
        });
        if n <= 1_000 {
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
