//! 1:1 comparison speed: the optimised matcher on prepared templates, preparing a template
//! (cylinders and pair geometry), a comparison with cylinder building, and the naive reference, on
//! synthetic templates of 20, 40 and 60 minutiae.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use scoring::{Minutia, MinutiaKind, Prepared, Template, compare, compare_naive, compare_prepared};
use std::hint::black_box;

/// A deterministic pseudo-random template (xorshift), minutiae spread over a 300 × 400 area.
fn template(n: usize, seed: u64) -> Template {
    let mut s = seed | 1;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let minutiae = (0..n)
        .map(|_| Minutia {
            x: 20 + (next() % 260) as u16,
            y: 20 + (next() % 360) as u16,
            angle: next() as u16,
            kind: if next() % 2 == 0 {
                MinutiaKind::Ending
            } else {
                MinutiaKind::Bifurcation
            },
            quality: 60,
        })
        .collect();
    Template {
        width: 300,
        height: 400,
        quality: 60,
        minutiae,
    }
}

/// The same template moved by a few pixels, as a second impression would be.
fn shifted(t: &Template) -> Template {
    let mut u = t.clone();
    for m in &mut u.minutiae {
        m.x += 3;
        m.y += 2;
    }
    u
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("compare");
    for n in [20usize, 40, 60] {
        let a = template(n, 1);
        let b = template(n, 2);
        let (pa, pb, pa2) = (
            Prepared::new(&a),
            Prepared::new(&b),
            Prepared::new(&shifted(&a)),
        );
        // The expected outcome, checked once outside the timed loop.
        assert!(compare_prepared(&pa, &pa2).0 > 4.0 * compare_prepared(&pa, &pb).0);
        g.bench_with_input(BenchmarkId::new("prepared_impostor", n), &n, |bch, _| {
            bch.iter(|| compare_prepared(black_box(&pa), black_box(&pb)))
        });
        g.bench_with_input(BenchmarkId::new("prepared_genuine", n), &n, |bch, _| {
            bch.iter(|| compare_prepared(black_box(&pa), black_box(&pa2)))
        });
        g.bench_with_input(BenchmarkId::new("prepare", n), &n, |bch, _| {
            bch.iter(|| Prepared::new(black_box(&a)))
        });
        g.bench_with_input(BenchmarkId::new("with_cylinders", n), &n, |bch, _| {
            bch.iter(|| compare(black_box(&a), black_box(&b)))
        });
        if n <= 40 {
            g.bench_with_input(BenchmarkId::new("naive", n), &n, |bch, _| {
                bch.iter(|| compare_naive(black_box(&a), black_box(&b)))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
