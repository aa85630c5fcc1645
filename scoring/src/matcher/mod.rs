//! Matching two templates: MCC local structures, then a global consistency step.
//!
//! [`Prepared`] holds a template's cylinders; build it once per template and compare many times.
//! [`compare`] does both steps for a one-off comparison.
//!
//! The local step compares each cylinder of the first template, in ascending direction, with the
//! second template's cylinders of similar direction (sorted by direction, so they lie in one or two
//! runs, found by one forward walk per comparison: `Window`), eight at a time (`lanes.rs`); the
//! global step is in `consolidate.rs`.

mod consolidate;
mod cylinder;
mod geometry;
mod lanes;
mod naive;
#[cfg(test)]
mod pinned;

pub use consolidate::Pair;
pub(crate) use geometry::angle_diff as angle_diff_pub;

use crate::template::Template;
use consolidate::Geometry;
use geometry::{Point, convex_hull};
use lanes::{Block, LANES, Similarities};
use std::f32::consts::TAU;

/// A comparison score in 0..=1: higher means more likely the same finger.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Score(pub f32);

/// Scores at or above this are a match with a false match rate of about 1 in 1,000: the lowest
/// threshold with at most 11 false matches among the 11,520 impostor pairs of the four FVC2002 B
/// development sets pooled (all-pairs protocol, our own extraction; `fpeval --scores` on each set,
/// then `fpeval pool`; see ALGORITHM.md). Raw scores are small: a genuine pair typically scores
/// 0.03 to 0.3, an impostor pair below 0.02.
pub const THRESHOLD_FMR_1000: Score = Score(0.02669);
/// Scores at or above this are a match with a false match rate of about 1 in 10,000: on the same
/// pooled sets one impostor pair exceeds it (the highest scored 0.0362), so the rate itself is
/// at the edge of what 11,520 impostor pairs can show.
pub const THRESHOLD_FMR_10000: Score = Score(0.03170);

/// A template made ready for matching: its minutiae as points, their pairwise geometry, and its
/// valid cylinders sorted by the direction of their minutiae, in blocks of eight side by side
/// (see `lanes.rs`).
#[derive(Debug, Clone)]
pub struct Prepared {
    geometry: Geometry,
    blocks: Vec<Block>,
    /// The direction of each cylinder's minutia, ascending (radians in 0..2π).
    thetas: Vec<f32>,
    /// The index of each cylinder's minutia in the template.
    minutiae: Vec<u16>,
}

impl Prepared {
    /// Builds the cylinders of a template.
    pub fn new(t: &Template) -> Prepared {
        let points = points_of(t);
        let hull = convex_hull(&points.iter().map(|p| (p.x, p.y)).collect::<Vec<_>>());
        let cylinders =
            sorted_by_direction(cylinder::build(&points, &hull), &points, |c| c.minutia);
        let thetas: Vec<f32> = cylinders
            .iter()
            .map(|c| points[c.minutia as usize].theta)
            .collect();
        let minutiae = cylinders.iter().map(|c| c.minutia).collect();
        let geometry = Geometry::new(&points);
        let blocks = lanes::blocks(&cylinders, &thetas);
        Prepared {
            geometry,
            blocks,
            thetas,
            minutiae,
        }
    }

    /// How many minutiae have a usable cylinder.
    pub fn cylinder_count(&self) -> usize {
        self.thetas.len()
    }
}

/// Sorts cylinders by their minutia's direction (then by minutia index), so that the cylinders
/// within the rotation limit of a given direction lie in one or two runs.
fn sorted_by_direction<C>(mut c: Vec<C>, points: &[Point], minutia: impl Fn(&C) -> u16) -> Vec<C> {
    c.sort_by(|x, y| {
        let (i, j) = (minutia(x) as usize, minutia(y) as usize);
        points[i].theta.total_cmp(&points[j].theta).then(i.cmp(&j))
    });
    c
}

fn points_of(t: &Template) -> Vec<Point> {
    t.minutiae
        .iter()
        .map(|m| Point {
            x: m.x as f32,
            y: m.y as f32,
            theta: m.angle_rad(),
        })
        .collect()
}

/// The column ranges of `b`'s cylinders whose directions may lie within the rotation limit of
/// `theta` (slightly wider than the limit; [`cylinder::similarity`] applies the exact test).
/// The plain definition, by binary search; [`Window`] gives the same ranges for rows in
/// ascending direction (a property test).
#[cfg_attr(not(test), allow(dead_code))]
fn columns_near(thetas: &[f32], theta: f32) -> [std::ops::Range<usize>; 2] {
    let reach = cylinder::MAX_ROTATION + 0.01;
    let (lo, hi) = (theta - reach, theta + reach);
    let at = |v: f32| thetas.partition_point(|&t| t < v);
    let n = thetas.len();
    if lo < 0.0 {
        let first = 0..at(hi);
        [at(lo + TAU).max(first.end)..n, first]
    } else if hi >= TAU {
        let first = at(lo)..n;
        [0..at(hi - TAU).min(first.start), first]
    } else {
        [at(lo)..at(hi), 0..0]
    }
}

/// [`columns_near`] for rows taken in ascending direction: each of the four bounds it looks up
/// (the window's low and high ends, and both shifted by a full turn when the window wraps) only
/// moves forward from one row to the next, so four cursors walk `thetas` once per comparison
/// instead of two binary searches per row. Each cursor stops at the first direction not below its
/// bound, which is exactly where `partition_point` stops, so the ranges are the same.
struct Window<'a> {
    thetas: &'a [f32],
    /// Cursors for `lo`, `hi`, `lo + 2π` and `hi − 2π`.
    at: [usize; 4],
}

impl<'a> Window<'a> {
    fn new(thetas: &'a [f32]) -> Window<'a> {
        Window { thetas, at: [0; 4] }
    }

    /// Moves cursor `c` to the first direction not below `v` (`v` never decreases for a cursor).
    #[inline(always)]
    fn at(&mut self, c: usize, v: f32) -> usize {
        let mut p = self.at[c];
        while p < self.thetas.len() && self.thetas[p] < v {
            p += 1;
        }
        self.at[c] = p;
        p
    }

    /// The same ranges as `columns_near(thetas, theta)`; `theta` must not decrease between calls.
    #[inline(always)]
    fn near(&mut self, theta: f32) -> [std::ops::Range<usize>; 2] {
        let reach = cylinder::MAX_ROTATION + 0.01;
        let (lo, hi) = (theta - reach, theta + reach);
        let n = self.thetas.len();
        if lo < 0.0 {
            let first = 0..self.at(1, hi);
            [self.at(2, lo + TAU).max(first.end)..n, first]
        } else if hi >= TAU {
            let first = self.at(0, lo)..n;
            [0..self.at(3, hi - TAU).min(first.start), first]
        } else {
            [self.at(0, lo)..self.at(1, hi), 0..0]
        }
    }
}

/// The candidate pairs: every cylinder pair with a positive similarity, as keys that sort by
/// similarity and then by position in the row-major similarity matrix
/// (see [`consolidate::key`]); of each row only its best [`consolidate::ROW_BEST`].
/// Each cylinder of `a` is compared with the blocks of `b` that hold the columns near its
/// direction, eight columns at a time ([`lanes::similarities`]); `a`'s cylinders are taken in
/// ascending direction, so the windows are found by one walk over `b`'s directions ([`Window`]).
#[inline(always)]
fn candidates(a: &Prepared, b: &Prepared, lanes: impl Similarities) -> Vec<u64> {
    let mut keys = Vec::with_capacity(a.thetas.len() * consolidate::ROW_BEST);
    let mut best = consolidate::RowBest::default();
    let mut window = Window::new(&b.thetas);
    for (r, &ta) in a.thetas.iter().enumerate() {
        best.clear();
        let row = lanes::row(&a.blocks, r);
        for cols in window.near(ta) {
            if cols.is_empty() {
                continue;
            }
            for k in cols.start / LANES..=(cols.end - 1) / LANES {
                // The lanes of this block that lie in `cols`.
                let lo = cols.start.saturating_sub(k * LANES).min(LANES);
                let hi = (cols.end - k * LANES).min(LANES);
                let want = (((1u32 << hi) - 1) & !((1u32 << lo) - 1)) as u8;
                // Lanes below the row's fourth best so far cannot enter it: not offered.
                let (v, keep) = lanes.similarities(&row, &b.blocks[k], best.floor(), want);
                let mut todo = keep as u32;
                while todo != 0 {
                    let l = todo.trailing_zeros() as usize;
                    todo &= todo - 1;
                    best.offer(consolidate::key(v[l], r, k * LANES + l));
                }
            }
        }
        best.drain_into(&mut keys);
    }
    keys
}

#[inline(always)]
fn score_generic(
    a: &Prepared,
    b: &Prepared,
    pairs: Option<&mut Vec<Pair>>,
    lanes: impl Similarities,
) -> Score {
    let keys = candidates(a, b, lanes);
    Score(consolidate::consolidate(
        keys,
        &a.minutiae,
        &b.minutiae,
        &a.geometry,
        &b.geometry,
        pairs,
    ))
}

/// The same code compiled for processors with AVX2 and POPCNT: a block's eight lanes of bit
/// counts, square roots and divisions in vector registers, and the relaxation's eight lanes in
/// one vector register too. Lanes are independent and no multiply-add is fused, so the results
/// are bit for bit those of the plain code.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt,avx2")]
fn score_avx2(a: &Prepared, b: &Prepared, pairs: Option<&mut Vec<Pair>>) -> Score {
    score_generic(a, b, pairs, lanes::Plain)
}

/// The same code compiled for processors that count bits in whole vector registers (AVX-512
/// VPOPCNTDQ): word `w` of a block's eight cylinders in one instruction. No multiply-add is
/// fused here either (Rust never contracts them), so the results are bit for bit those of the
/// plain code.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt,avx2,avx512f,avx512vl,avx512dq,avx512vpopcntdq")]
fn score_avx512(
    a: &Prepared,
    b: &Prepared,
    pairs: Option<&mut Vec<Pair>>,
    lanes: lanes::Avx512,
) -> Score {
    score_generic(a, b, pairs, lanes)
}

/// The same code compiled for processors with the POPCNT instruction only (the baseline x86-64
/// target counts bits with a dozen instructions).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
fn score_popcnt(a: &Prepared, b: &Prepared, pairs: Option<&mut Vec<Pair>>) -> Score {
    score_generic(a, b, pairs, lanes::Plain)
}

fn score_with(a: &Prepared, b: &Prepared, pairs: Option<&mut Vec<Pair>>) -> Score {
    #[cfg(target_arch = "x86_64")]
    if let Some(v) = lanes::Avx512::detect()
        && std::arch::is_x86_feature_detected!("avx2")
        && std::arch::is_x86_feature_detected!("popcnt")
    {
        // SAFETY: the processor supports every enabled feature (`Avx512::detect` checked AVX-512 F, VL, DQ and VPOPCNTDQ, the rest just above); the function is otherwise ordinary safe code.
        #[allow(unsafe_code)]
        return unsafe { score_avx512(a, b, pairs, v) };
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("popcnt")
    {
        // SAFETY: the processor supports every enabled feature, checked just above; the function is otherwise ordinary safe code.
        #[allow(unsafe_code)]
        return unsafe { score_avx2(a, b, pairs) };
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("popcnt") {
        // SAFETY: the processor supports POPCNT, checked just above; the function is otherwise ordinary safe code.
        #[allow(unsafe_code)]
        return unsafe { score_popcnt(a, b, pairs) };
    }
    score_generic(a, b, pairs, lanes::Plain)
}

/// Compares two prepared templates.
pub fn compare_prepared(a: &Prepared, b: &Prepared) -> Score {
    score_with(a, b, None)
}

/// Compares two templates (builds both templates' cylinders first; prefer [`Prepared`] when comparing one template many times).
pub fn compare(a: &Template, b: &Template) -> Score {
    compare_prepared(&Prepared::new(a), &Prepared::new(b))
}

/// The reference matcher: the same score as [`compare`], computed with plain boolean cylinders
/// cell by cell. Only for tests and benchmarks.
#[doc(hidden)]
pub fn compare_naive(a: &Template, b: &Template) -> Score {
    let prep = |t: &Template| {
        let p = points_of(t);
        let hull = convex_hull(&p.iter().map(|q| (q.x, q.y)).collect::<Vec<_>>());
        let c = sorted_by_direction(naive::build(&p, &hull), &p, |c| c.minutia);
        (p, c)
    };
    let (pa, ca) = prep(a);
    let (pb, cb) = prep(b);
    let mut keys = Vec::new();
    for (r, x) in ca.iter().enumerate() {
        let mut row: Vec<u64> = Vec::new();
        for (c, y) in cb.iter().enumerate() {
            let v = naive::similarity(
                x,
                y,
                pa[x.minutia as usize].theta,
                pb[y.minutia as usize].theta,
            );
            if v > 0.0 {
                row.push(consolidate::key(v, r, c));
            }
        }
        // A row's best ROW_BEST candidates.
        row.sort_unstable_by(|x, y| y.cmp(x));
        row.truncate(consolidate::ROW_BEST);
        keys.extend(row);
    }
    let ia: Vec<u16> = ca.iter().map(|c| c.minutia).collect();
    let ib: Vec<u16> = cb.iter().map(|c| c.minutia).collect();
    Score(consolidate::consolidate(
        keys,
        &ia,
        &ib,
        &Geometry::new(&pa),
        &Geometry::new(&pb),
        None,
    ))
}

/// Why two templates scored as they did: the score and the minutia pairs that carried it.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The score, as [`compare`] gives it.
    pub score: Score,
    /// The paired minutiae (indices into each template's minutiae), strongest first.
    pub pairs: Vec<Pair>,
}

/// Compares two prepared templates and tells which minutiae were paired.
pub fn explain(a: &Prepared, b: &Prepared) -> Explanation {
    let mut pairs = Vec::new();
    let score = score_with(a, b, Some(&mut pairs));
    pairs.sort_by(|x, y| y.weight.total_cmp(&x.weight));
    Explanation { score, pairs }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{Minutia, MinutiaKind};
    use proptest::prelude::*;

    fn naive_score(a: &Template, b: &Template) -> f32 {
        compare_naive(a, b).0
    }

    fn arb_template(max: usize) -> impl Strategy<Value = Template> {
        proptest::collection::vec((20u16..280, 20u16..280, any::<u16>()), max / 2..max).prop_map(
            |ms| Template {
                width: 300,
                height: 300,
                quality: 0,
                minutiae: ms
                    .into_iter()
                    .map(|(x, y, angle)| Minutia {
                        x,
                        y,
                        angle,
                        kind: MinutiaKind::Ending,
                        quality: 0,
                    })
                    .collect(),
            },
        )
    }

    /// Moves and turns every minutia of a template (rigid motion about the centre). The copy is also shifted by
    /// `MARGIN` pixels, so that no minutia of a 300 × 300 template turned by up to 0.6 rad and moved by up to
    /// 30 pixels leaves the positive quadrant: clamping it there would bend the copy, which is then no longer rigid.
    fn moved(t: &Template, dx: f32, dy: f32, rot: f32) -> Template {
        const MARGIN: f32 = 100.0;
        let (s, c) = rot.sin_cos();
        let mut out = t.clone();
        for m in &mut out.minutiae {
            let (x, y) = (m.x as f32 - 150.0, m.y as f32 - 150.0);
            // A counter-clockwise turn on screen (y down) by `rot`.
            let (xr, yr) = (c * x + s * y, -s * x + c * y);
            let (nx, ny) = (xr + 150.0 + MARGIN + dx, yr + 150.0 + MARGIN + dy);
            assert!(nx >= 0.0 && ny >= 0.0, "the margin keeps the copy rigid");
            m.x = nx.round() as u16;
            m.y = ny.round() as u16;
            m.angle = Minutia::angle_from_rad(m.angle_rad() + rot);
        }
        out
    }

    fn cases() -> u32 {
        std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(24)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(cases()))]

        #[test]
        fn fast_path_equals_naive(a in arb_template(40), b in arb_template(40)) {
            let fast = compare(&a, &b).0;
            let slow = naive_score(&a, &b);
            prop_assert!((fast - slow).abs() <= 1e-6, "fast {fast} naive {slow}");
            // The plain lanes (processors without AVX-512) give the same score bit for bit.
            let (pa, pb) = (Prepared::new(&a), Prepared::new(&b));
            let plain = score_generic(&pa, &pb, None, lanes::Plain).0;
            prop_assert_eq!(plain.to_bits(), fast.to_bits());
        }

        #[test]
        fn window_equals_columns_near(
                mut thetas in proptest::collection::vec(0f32..TAU, 0..60),
                mut rows in proptest::collection::vec(0f32..TAU, 0..60)) {
            thetas.sort_by(f32::total_cmp);
            rows.sort_by(f32::total_cmp);
            let mut w = Window::new(&thetas);
            for &t in &rows {
                prop_assert_eq!(w.near(t), columns_near(&thetas, t), "theta {}", t);
            }
        }

        #[test]
        fn a_moved_copy_scores_higher_than_an_unrelated_template(
                a in arb_template(45), b in arb_template(45), rot in -0.6f32..0.6, dx in -30f32..30.0, dy in -30f32..30.0) {
            prop_assume!(a.minutiae.len() >= 30 && b.minutiae.len() >= 30);
            let same = compare(&a, &moved(&a, dx, dy, rot)).0;
            let other = compare(&a, &b).0;
            prop_assert!(same > other, "same {same} other {other}");
            prop_assert!(same > 0.5, "same {same}");
        }
    }

    /// Edge cases: empty, single, collinear and coincident minutiae.
    #[test]
    fn seeds() {
        let m = |x, y, a| Minutia {
            x,
            y,
            angle: a,
            kind: MinutiaKind::Ending,
            quality: 0,
        };
        let t = |ms: Vec<Minutia>| Template {
            width: 300,
            height: 300,
            quality: 0,
            minutiae: ms,
        };
        let seeds = [
            t(vec![]),
            t(vec![m(100, 100, 0)]),
            t((0..10).map(|i| m(20 + 20 * i, 150, 0)).collect()),
            t(vec![m(100, 100, 7); 5]),
        ];
        for a in &seeds {
            for b in &seeds {
                let s = compare(a, b).0;
                assert!((0.0..=1.0).contains(&s));
                assert!((s - naive_score(a, b)).abs() <= 1e-6);
            }
        }
    }
}
