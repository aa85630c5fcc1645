//! The second, finer prefilter stage: a small binary code per minutia, compared by popcount.
//!
//! Around each minutia `i`, its nearest neighbours `j` at a distance in
//! [`LocalParams::d_min`, `LocalParams::d_max`) are described by three numbers that turn and move
//! with the minutia: the distance, the bearing of `j` seen from `i` relative to `i`'s direction,
//! and `j`'s direction relative to `i`'s. Each is quantised (4 distance bins, 8 × 8 direction
//! bins), and the bin triple is one of [`LOCAL_BITS`] bits. It is a coarse, 256-bit cousin of the
//! matcher's 1,536-bit cylinder, cheap enough to compare with every entry the first stage keeps.
//!
//! A probe minutia also sets the neighbouring bin where a value lies near a bin edge (as the
//! global code does). The similarity of two minutiae is `common / √(|probe| · |entry|)` (counts of
//! set bits; the probe's without the edge bins), at most 1. Pairs that truly correspond turn the
//! finger by about the same angle, so the score is taken per rotation: the turn from probe to
//! entry (entry direction − probe direction) falls in one of [`ROTATION_BINS`] bins; for each
//! candidate rotation `r` within the matcher's 60°, each probe minutia takes its best similarity
//! among the entry minutiae turned by `r` give or take one bin, and the rotation scores the mean of
//! the best [`LocalParams::top`] of these (*local similarity sort*, restricted to one rotation).
//! The entry's score is that of its best rotation.

use super::code::bins;
use crate::template::Template;
use std::f32::consts::TAU;

/// Bits in one minutia's code.
pub const LOCAL_BITS: usize = 256;
/// 64-bit words in one minutia's code.
pub const LOCAL_WORDS: usize = LOCAL_BITS / 64;

/// One minutia's code.
pub type LocalCode = [u64; LOCAL_WORDS];

/// Bins of the turn between two paired minutiae, over a full turn.
pub const ROTATION_BINS: usize = 16;

/// The settings of the local codes. [`LOCAL_PARAMS`] is the one galleries use.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalParams {
    /// Shortest neighbour distance used, pixels at 500 ppi.
    pub d_min: f32,
    /// Longest neighbour distance used (exclusive), pixels.
    pub d_max: f32,
    /// Distance bins over `d_min..d_max`.
    pub d_bins: usize,
    /// Direction bins over a full turn, for the bearing and for the relative direction.
    pub a_bins: usize,
    /// Neighbours per minutia (the nearest in range).
    pub neighbours: usize,
    /// Share of a bin, at each edge, within which the probe also sets the neighbouring bin.
    pub edge: f32,
    /// Largest rotation tried (centre of its bin), in template angle units (1/65,536 turn).
    pub max_turn: u16,
    /// How many probe minutiae's best similarities make the entry's score.
    pub top: usize,
}

/// The local codes' settings.
pub const LOCAL_PARAMS: LocalParams = LocalParams {
    d_min: 8.0,
    d_max: 100.0,
    d_bins: 4,
    a_bins: 8,
    neighbours: 16,
    edge: 0.0,
    max_turn: 10_923,
    top: 12,
};

fn set(code: &mut LocalCode, bit: usize) {
    code[bit / 64] |= 1u64 << (bit % 64);
}

/// The neighbour shapes of every minutia: per minutia, (distance, bearing, relative direction)
/// as bin positions (fractional bins).
fn shapes(t: &Template, prm: &LocalParams) -> Vec<Vec<(f32, f32, f32)>> {
    let pts: Vec<(f32, f32, f32)> = t
        .minutiae
        .iter()
        .map(|m| (m.x as f32, m.y as f32, m.angle_rad()))
        .collect();
    let step = (prm.d_max - prm.d_min) / prm.d_bins as f32;
    let a = prm.a_bins as f32 / TAU;
    let mut near: Vec<(f32, usize)> = Vec::with_capacity(pts.len());
    pts.iter()
        .enumerate()
        .map(|(i, &(xi, yi, ti))| {
            near.clear();
            for (j, &(xj, yj, _)) in pts.iter().enumerate() {
                let d = (xj - xi).hypot(yj - yi);
                if j != i && (prm.d_min..prm.d_max).contains(&d) {
                    near.push((d, j));
                }
            }
            let k = prm.neighbours.min(near.len());
            if k < near.len() {
                near.select_nth_unstable_by(k, |x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
            }
            near[..k]
                .iter()
                .map(|&(d, j)| {
                    let (xj, yj, tj) = pts[j];
                    let phi = (-(yj - yi)).atan2(xj - xi);
                    (
                        (d - prm.d_min) / step,
                        (phi - ti).rem_euclid(TAU) * a,
                        (tj - ti).rem_euclid(TAU) * a,
                    )
                })
                .collect()
        })
        .collect()
}

fn cell(prm: &LocalParams, d: usize, a1: usize, a2: usize) -> usize {
    ((d * prm.a_bins + a1) * prm.a_bins + a2) % LOCAL_BITS
}

/// The codes a gallery entry stores, one per minutia in the template's order: exactly its cells.
pub fn gallery_locals(t: &Template) -> Vec<LocalCode> {
    gallery_locals_with(t, &LOCAL_PARAMS)
}

/// [`gallery_locals`] with other settings.
#[doc(hidden)]
pub fn gallery_locals_with(t: &Template, prm: &LocalParams) -> Vec<LocalCode> {
    shapes(t, prm)
        .into_iter()
        .map(|s| {
            let mut code = [0u64; LOCAL_WORDS];
            for (d, a1, a2) in s {
                let (d, _) = bins(d, prm.d_bins, false, 0.0);
                let (a1, _) = bins(a1, prm.a_bins, true, 0.0);
                let (a2, _) = bins(a2, prm.a_bins, true, 0.0);
                set(&mut code, cell(prm, d, a1, a2));
            }
            code
        })
        .collect()
}

/// A probe made ready for the local stage.
#[derive(Debug, Clone)]
pub struct ProbeLocals {
    /// Per minutia: its code with the edge bins.
    codes: Vec<LocalCode>,
    /// Per minutia: 1/√(bits set without the edge bins), 0 for an empty code.
    inv_norm: Vec<f32>,
    /// Per minutia: its direction in template units.
    dirs: Vec<u16>,
}

impl ProbeLocals {
    /// Builds a probe's local codes.
    pub fn new(t: &Template) -> Self {
        Self::with(t, &LOCAL_PARAMS)
    }

    /// [`ProbeLocals::new`] with other settings.
    #[doc(hidden)]
    pub fn with(t: &Template, prm: &LocalParams) -> Self {
        let base = gallery_locals_with(t, prm);
        let codes = shapes(t, prm)
            .into_iter()
            .map(|s| {
                let mut code = [0u64; LOCAL_WORDS];
                for (d, a1, a2) in s {
                    let (d0, d1) = bins(d, prm.d_bins, false, prm.edge);
                    let (a10, a11) = bins(a1, prm.a_bins, true, prm.edge);
                    let (a20, a21) = bins(a2, prm.a_bins, true, prm.edge);
                    for d in [Some(d0), d1].into_iter().flatten() {
                        for a1 in [Some(a10), a11].into_iter().flatten() {
                            for a2 in [Some(a20), a21].into_iter().flatten() {
                                set(&mut code, cell(prm, d, a1, a2));
                            }
                        }
                    }
                }
                code
            })
            .collect();
        Self {
            codes,
            inv_norm: base.iter().map(inv_norm).collect(),
            dirs: t.minutiae.iter().map(|m| m.angle).collect(),
        }
    }
}

fn ones(c: &LocalCode) -> u32 {
    c.iter().map(|w| w.count_ones()).sum()
}

fn inv_norm(c: &LocalCode) -> f32 {
    match ones(c) {
        0 => 0.0,
        n => 1.0 / (n as f32).sqrt(),
    }
}

/// The rotation bin of the turn from direction `from` to direction `to` (template units).
#[inline(always)]
fn rotation_bin(from: u16, to: u16) -> usize {
    // The bin is centred on its rotation: bin 0 covers −11.25°..11.25°.
    let half = (65536 / ROTATION_BINS / 2) as u16;
    (to.wrapping_sub(from).wrapping_add(half) as usize) * ROTATION_BINS / 65536
}

/// The rotation bins tried: those whose centre turns by at most `max_turn` either way.
fn rotations(max_turn: u16) -> impl Iterator<Item = usize> {
    let step = 65536 / ROTATION_BINS;
    (0..ROTATION_BINS).filter(move |&r| {
        let c = r * step;
        c.min(65536 - c) <= max_turn as usize
    })
}

/// The score of one entry: its minutiae's codes and directions (same order).
#[inline(always)]
fn score_generic(p: &ProbeLocals, codes: &[LocalCode], dirs: &[u16], prm: &LocalParams) -> f32 {
    let norms: Vec<f32> = codes.iter().map(inv_norm).collect();
    // best[i][r]: probe minutia i's best similarity among entry minutiae turned by bin r.
    let mut best = vec![[0.0f32; ROTATION_BINS]; p.codes.len()];
    for (((pc, &pn), &pd), row) in p.codes.iter().zip(&p.inv_norm).zip(&p.dirs).zip(&mut best) {
        for ((gc, &gn), &gd) in codes.iter().zip(&norms).zip(dirs) {
            let common: u32 = pc.iter().zip(gc).map(|(x, y)| (x & y).count_ones()).sum();
            let r = rotation_bin(pd, gd);
            row[r] = row[r].max(common as f32 * pn * gn);
        }
    }
    let mut per = vec![0.0f32; p.codes.len()];
    let mut out = 0.0f32;
    for r in rotations(prm.max_turn) {
        let (lo, hi) = (
            (r + ROTATION_BINS - 1) % ROTATION_BINS,
            (r + 1) % ROTATION_BINS,
        );
        for (v, row) in per.iter_mut().zip(&best) {
            *v = row[lo].max(row[r]).max(row[hi]).min(1.0);
        }
        out = out.max(top_mean(&mut per, prm.top));
    }
    out
}

/// The mean of the `top` largest values (over `top`, so that a short list scores low).
fn top_mean(v: &mut [f32], top: usize) -> f32 {
    if top == 0 {
        return 0.0;
    }
    let k = top.min(v.len());
    if k < v.len() {
        v.select_nth_unstable_by(k, |a, b| b.total_cmp(a));
    }
    v[..k].iter().sum::<f32>() / top as f32
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
fn score_popcnt(p: &ProbeLocals, codes: &[LocalCode], dirs: &[u16], prm: &LocalParams) -> f32 {
    score_generic(p, codes, dirs, prm)
}

/// The local-stage score of one entry for this probe.
pub fn score(p: &ProbeLocals, codes: &[LocalCode], dirs: &[u16]) -> f32 {
    score_with(p, codes, dirs, &LOCAL_PARAMS)
}

/// [`score`] with other settings.
#[doc(hidden)]
pub fn score_with(p: &ProbeLocals, codes: &[LocalCode], dirs: &[u16], prm: &LocalParams) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("popcnt") {
        // SAFETY: the processor supports POPCNT, checked just above; the function is otherwise ordinary safe code.
        #[allow(unsafe_code)]
        return unsafe { score_popcnt(p, codes, dirs, prm) };
    }
    score_generic(p, codes, dirs, prm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{Minutia, MinutiaKind};
    use proptest::prelude::*;
    use std::collections::HashSet;

    fn template(ms: &[(u16, u16, u16)]) -> Template {
        Template {
            width: 400,
            height: 400,
            quality: 0,
            minutiae: ms
                .iter()
                .map(|&(x, y, angle)| Minutia {
                    x,
                    y,
                    angle,
                    kind: MinutiaKind::Ending,
                    quality: 50,
                })
                .collect(),
        }
    }

    /// One minutia's cells the plain way: all neighbours sorted, f64 geometry.
    fn naive_cells(t: &Template, i: usize) -> HashSet<usize> {
        let prm = LOCAL_PARAMS;
        let p: Vec<(f64, f64, f64)> = t
            .minutiae
            .iter()
            .map(|m| (m.x as f64, m.y as f64, m.angle_rad() as f64))
            .collect();
        let mut near: Vec<(f64, usize)> = (0..p.len())
            .filter(|&j| j != i)
            .map(|j| ((p[j].0 - p[i].0).hypot(p[j].1 - p[i].1), j))
            .filter(|&(d, _)| d >= prm.d_min as f64 && d < prm.d_max as f64)
            .collect();
        near.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let tau = std::f64::consts::TAU;
        let q = |v: f64, n: usize| ((v.floor()) as usize).min(n - 1);
        near.iter()
            .take(prm.neighbours)
            .map(|&(d, j)| {
                let phi = (-(p[j].1 - p[i].1)).atan2(p[j].0 - p[i].0);
                let step = (prm.d_max - prm.d_min) as f64 / prm.d_bins as f64;
                let a = prm.a_bins as f64 / tau;
                cell(
                    &prm,
                    q((d - prm.d_min as f64) / step, prm.d_bins),
                    q((phi - p[i].2).rem_euclid(tau) * a, prm.a_bins),
                    q((p[j].2 - p[i].2).rem_euclid(tau) * a, prm.a_bins),
                )
            })
            .collect()
    }

    /// The entry score the plain way: for every rotation in range, every pair, f64, a full sort.
    fn naive_score(p: &ProbeLocals, codes: &[LocalCode], dirs: &[u16]) -> f64 {
        let prm = LOCAL_PARAMS;
        let bits = |c: &LocalCode| c.iter().map(|w| w.count_ones()).sum::<u32>() as f64;
        let width = 65536 / ROTATION_BINS as i64;
        let mut out = 0.0f64;
        for r in 0..ROTATION_BINS as i64 {
            let centre = r * width;
            if centre.min(65536 - centre) > prm.max_turn as i64 {
                continue;
            }
            // Turns within one and a half bins of the centre (the bin and its neighbours).
            let mut best: Vec<f64> = (0..p.codes.len())
                .map(|i| {
                    let mut b = 0.0f64;
                    for (g, &gd) in codes.iter().zip(dirs) {
                        let turn = (gd as i64 - p.dirs[i] as i64 - centre).rem_euclid(65536);
                        let off = turn.min(65536 - turn);
                        let inside =
                            off < width * 3 / 2 || (off == width * 3 / 2 && turn > 65536 / 2);
                        if !inside || bits(g) == 0.0 {
                            continue;
                        }
                        let both = p.codes[i]
                            .iter()
                            .zip(g)
                            .map(|(x, y)| (x & y).count_ones())
                            .sum::<u32>() as f64;
                        b = b.max(both * p.inv_norm[i] as f64 / bits(g).sqrt());
                    }
                    b.min(1.0)
                })
                .collect();
            best.sort_by(|a, b| b.total_cmp(a));
            out = out.max(best.iter().take(prm.top).sum::<f64>() / prm.top as f64);
        }
        out
    }

    fn irregular(n: u32, seed: u32) -> Template {
        template(
            &(0..n)
                .map(|i| {
                    (
                        (20 + (i * 97 + seed * 13) % 300) as u16,
                        (25 + (i * 61 + seed * 29) % 290) as u16,
                        (i.wrapping_mul(7919).wrapping_add(seed * 104_729) % 65536) as u16,
                    )
                })
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn gallery_locals_set_exactly_the_naive_cells() {
        let t = irregular(40, 3);
        let codes = gallery_locals(&t);
        assert_eq!(codes.len(), 40);
        for (i, c) in codes.iter().enumerate() {
            let want = naive_cells(&t, i);
            assert_eq!(ones(c) as usize, want.len(), "minutia {i}");
            for b in want {
                assert_ne!(c[b / 64] & (1 << (b % 64)), 0, "minutia {i} cell {b}");
            }
        }
    }

    #[test]
    fn a_template_scores_itself_highest() {
        let t = irregular(40, 5);
        let p = ProbeLocals::new(&t);
        let dirs: Vec<u16> = t.minutiae.iter().map(|m| m.angle).collect();
        let own = score(&p, &gallery_locals(&t), &dirs);
        assert!(own > 0.9, "{own}");
        let other = irregular(40, 77);
        let odirs: Vec<u16> = other.minutiae.iter().map(|m| m.angle).collect();
        let theirs = score(&p, &gallery_locals(&other), &odirs);
        assert!(theirs < own, "{theirs} >= {own}");
    }

    proptest! {
        #[test]
        fn score_equals_the_naive_score(
            a in proptest::collection::vec((0u16..400, 0u16..400, any::<u16>()), 0..45),
            b in proptest::collection::vec((0u16..400, 0u16..400, any::<u16>()), 0..45),
        ) {
            let (ta, tb) = (template(&a), template(&b));
            let p = ProbeLocals::new(&ta);
            let dirs: Vec<u16> = tb.minutiae.iter().map(|m| m.angle).collect();
            let fast = score(&p, &gallery_locals(&tb), &dirs) as f64;
            let slow = naive_score(&p, &gallery_locals(&tb), &dirs);
            prop_assert!((fast - slow).abs() < 1e-5, "{} vs {}", fast, slow);
        }
    }
}
