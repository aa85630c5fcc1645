//! The prefilter's fixed-length binary code: a bit per quantised minutia-pair shape.
//!
//! For every minutia `i` and each of its nearest neighbours `j` at a distance in
//! [`Params::d_min`, `Params::d_max`), the pair is described by three numbers that do not change when the
//! finger is moved or turned: the distance `d`, and the directions of `i` and `j` measured from
//! the line `i → j`. Each is quantised into a bin (10 px, 15°); the bin triple is one cell, hashed
//! to one of [`BITS`] bits. A gallery template sets exactly its cells. A probe also sets the
//! neighbouring bin in every dimension where its value lies within a tenth of a bin edge, so that
//! small distortions do not lose the cell. The prefilter score of a gallery entry is the number
//! of common bits (one AND and one POPCNT per 64 bits) divided by the entry's own bit count, so
//! that dense codes do not win by size alone.
//!
//! The settings were chosen on the FVC2002 B sets (impressions 1–4 enrolled, 5–8 searched,
//! 160 × 160): of 16/24/32 direction bins, 4–40 neighbours, edge shares 0–0.5 and three score
//! normalisations, these put the brute-force best entry within the first 5 % of the prefilter's
//! order most often (120 of 160 probes; 130 within 10 %).

use crate::template::Template;
use std::f32::consts::TAU;

/// Bits in a code.
pub const BITS: usize = 4096;
/// 64-bit words in a code.
pub const WORDS: usize = BITS / 64;

/// The settings of the code. [`PARAMS`] is the one galleries use; others exist for tuning.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Shortest pair distance used, pixels at 500 ppi.
    pub d_min: f32,
    /// Longest pair distance used (exclusive), pixels.
    pub d_max: f32,
    /// Width of a distance bin, pixels.
    pub d_step: f32,
    /// Direction bins over a full turn.
    pub a_bins: usize,
    /// Neighbours per minutia (the nearest ones within the distance range).
    pub neighbours: usize,
    /// Share of a bin, at each edge, within which the probe also sets the neighbouring bin.
    pub edge: f32,
}

/// The code's settings.
pub const PARAMS: Params = Params {
    d_min: 12.0,
    d_max: 162.0,
    d_step: 10.0,
    a_bins: 24,
    neighbours: 20,
    edge: 0.1,
};

impl Params {
    fn d_bins(&self) -> usize {
        ((self.d_max - self.d_min) / self.d_step).ceil() as usize
    }
}

/// A fixed-length binary code.
pub type Code = [u64; WORDS];

/// One pair, before quantisation: distance and the two relative directions (0..2π).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PairShape {
    pub d: f32,
    pub a1: f32,
    pub a2: f32,
}

/// The pairs of a template: each minutia with its nearest neighbours in range, both ways round.
pub(crate) fn pairs(t: &Template, prm: &Params) -> Vec<PairShape> {
    let pts: Vec<(f32, f32, f32)> = t
        .minutiae
        .iter()
        .map(|m| (m.x as f32, m.y as f32, m.angle_rad()))
        .collect();
    let mut out = Vec::with_capacity(pts.len() * prm.neighbours.min(pts.len()));
    let mut near: Vec<(f32, usize)> = Vec::with_capacity(pts.len());
    for (i, &(xi, yi, ti)) in pts.iter().enumerate() {
        near.clear();
        for (j, &(xj, yj, _)) in pts.iter().enumerate() {
            if j == i {
                continue;
            }
            let d = (xj - xi).hypot(yj - yi);
            if (prm.d_min..prm.d_max).contains(&d) {
                near.push((d, j));
            }
        }
        let k = prm.neighbours.min(near.len());
        if k < near.len() {
            near.select_nth_unstable_by(k, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        }
        for &(d, j) in &near[..k] {
            let (xj, yj, tj) = pts[j];
            // Template angles turn counter-clockwise on screen (y down), so the line's angle does too.
            let phi = (-(yj - yi)).atan2(xj - xi);
            out.push(PairShape {
                d,
                a1: (ti - phi).rem_euclid(TAU),
                a2: (tj - phi).rem_euclid(TAU),
            });
        }
    }
    out
}

/// The bin of a value and the nearer neighbouring bin when the value lies within `edge` of a bin edge.
pub(crate) fn bins(pos: f32, count: usize, wraps: bool, edge: f32) -> (usize, Option<usize>) {
    let b = (pos.floor().max(0.0) as usize).min(count - 1);
    let frac = pos - b as f32;
    let other = if frac < edge {
        if b > 0 {
            Some(b - 1)
        } else if wraps {
            Some(count - 1)
        } else {
            None
        }
    } else if frac > 1.0 - edge {
        if b + 1 < count {
            Some(b + 1)
        } else if wraps {
            Some(0)
        } else {
            None
        }
    } else {
        None
    };
    (b, other)
}

/// The bit of a cell: the cell number itself when the cells fit, else a multiplicative hash of it.
fn cell(prm: &Params, d: usize, a1: usize, a2: usize) -> usize {
    let c = (d * prm.a_bins + a1) * prm.a_bins + a2;
    if prm.d_bins() * prm.a_bins * prm.a_bins <= BITS {
        c
    } else {
        ((c as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 52) as usize
    }
}

fn set(code: &mut Code, bit: usize) {
    code[bit / 64] |= 1u64 << (bit % 64);
}

fn positions(p: &PairShape, prm: &Params) -> (f32, f32, f32) {
    let a = prm.a_bins as f32 / TAU;
    ((p.d - prm.d_min) / prm.d_step, p.a1 * a, p.a2 * a)
}

/// The code a gallery entry stores: exactly the cells of its pairs.
pub fn gallery_code(t: &Template) -> Code {
    gallery_code_with(t, &PARAMS)
}

/// [`gallery_code`] with other settings.
#[doc(hidden)]
pub fn gallery_code_with(t: &Template, prm: &Params) -> Code {
    let mut code = [0u64; WORDS];
    for p in pairs(t, prm) {
        let (d, a1, a2) = positions(&p, prm);
        let (d, _) = bins(d, prm.d_bins(), false, 0.0);
        let (a1, _) = bins(a1, prm.a_bins, true, 0.0);
        let (a2, _) = bins(a2, prm.a_bins, true, 0.0);
        set(&mut code, cell(prm, d, a1, a2));
    }
    code
}

/// The code a probe searches with: its cells plus the neighbouring cells of values near a bin edge.
pub fn probe_code(t: &Template) -> Code {
    probe_code_with(t, &PARAMS)
}

/// [`probe_code`] with other settings.
#[doc(hidden)]
pub fn probe_code_with(t: &Template, prm: &Params) -> Code {
    let mut code = [0u64; WORDS];
    for p in pairs(t, prm) {
        let (d, a1, a2) = positions(&p, prm);
        let (d0, d1) = bins(d, prm.d_bins(), false, prm.edge);
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
}

/// Number of set bits.
pub fn ones(code: &Code) -> u32 {
    code.iter().map(|w| w.count_ones()).sum()
}

/// Common set bits of two codes.
#[inline(always)]
pub fn common(a: &[u64], b: &[u64]) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x & y).count_ones()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{Minutia, MinutiaKind};
    use std::collections::HashSet;

    fn template(ms: &[(u16, u16, f32)]) -> Template {
        Template {
            width: 400,
            height: 400,
            quality: 0,
            minutiae: ms
                .iter()
                .map(|&(x, y, a)| Minutia {
                    x,
                    y,
                    angle: Minutia::angle_from_rad(a),
                    kind: MinutiaKind::Ending,
                    quality: 50,
                })
                .collect(),
        }
    }

    /// The cells of a template, computed the plain way: every ordered pair, sorted distances, f64.
    fn naive_cells(t: &Template) -> HashSet<usize> {
        let p: Vec<(f64, f64, f64)> = t
            .minutiae
            .iter()
            .map(|m| (m.x as f64, m.y as f64, m.angle_rad() as f64))
            .collect();
        let mut cells = HashSet::new();
        for i in 0..p.len() {
            let mut near: Vec<(f64, usize)> = (0..p.len())
                .filter(|&j| j != i)
                .map(|j| ((p[j].0 - p[i].0).hypot(p[j].1 - p[i].1), j))
                .filter(|&(d, _)| d >= PARAMS.d_min as f64 && d < PARAMS.d_max as f64)
                .collect();
            near.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for &(d, j) in near.iter().take(PARAMS.neighbours) {
                let phi = (-(p[j].1 - p[i].1)).atan2(p[j].0 - p[i].0);
                let rel = |t: f64| (t - phi).rem_euclid(std::f64::consts::TAU);
                let q = |v: f64, step: f64, n: usize| ((v / step).floor() as usize).min(n - 1);
                let db = q(
                    d - PARAMS.d_min as f64,
                    PARAMS.d_step as f64,
                    PARAMS.d_bins(),
                );
                let (n, step) = (PARAMS.a_bins, std::f64::consts::TAU / PARAMS.a_bins as f64);
                cells.insert(cell(
                    &PARAMS,
                    db,
                    q(rel(p[i].2), step, n),
                    q(rel(p[j].2), step, n),
                ));
            }
        }
        cells
    }

    #[test]
    fn gallery_code_sets_exactly_the_naive_cells() {
        // A grid-free, irregular layout so that no value sits exactly on a bin edge.
        let ms: Vec<(u16, u16, f32)> = (0..40u32)
            .map(|i| {
                let x = 37 + (i * 97 % 300) as u16;
                let y = 41 + (i * 61 % 290) as u16;
                (x, y, (i as f32 * 0.731) % TAU)
            })
            .collect();
        let t = template(&ms);
        let want = naive_cells(&t);
        let code = gallery_code(&t);
        assert_eq!(ones(&code) as usize, want.len());
        for c in want {
            assert_ne!(code[c / 64] & (1 << (c % 64)), 0, "cell {c} missing");
        }
    }

    #[test]
    fn codes_do_not_change_when_the_finger_moves_or_turns() {
        let ms: Vec<(f32, f32, f32)> = (0..35u32)
            .map(|i| {
                (
                    (i * 53 % 200) as f32 - 100.0,
                    (i * 71 % 220) as f32 - 110.0,
                    (i as f32 * 1.37) % TAU,
                )
            })
            .collect();
        let place = |turn: f32, dx: f32, dy: f32| {
            let (s, c) = turn.sin_cos();
            // Counter-clockwise on screen with y down: x' = x c + y s, y' = −x s + y c.
            template(
                &ms.iter()
                    .map(|&(x, y, a)| {
                        let (xr, yr) = (x * c + y * s, -x * s + y * c);
                        ((xr + dx).round() as u16, (yr + dy).round() as u16, a + turn)
                    })
                    .collect::<Vec<_>>(),
            )
        };
        let a = place(0.0, 200.0, 200.0);
        let b = place(0.4, 190.0, 215.0);
        let (ga, pb) = (gallery_code(&a), probe_code(&b));
        // Rounding positions to whole pixels moves a few values across bin edges; the probe's
        // neighbouring cells catch most of them.
        let share = common(&ga, &pb) as f32 / ones(&ga) as f32;
        assert!(share > 0.9, "only {share} of the cells survive a turn");
        let other = place(0.0, 200.0, 200.0);
        assert_eq!(gallery_code(&other), ga);
    }

    #[test]
    fn probe_code_holds_the_gallery_code() {
        let t = template(&[
            (100, 100, 0.3),
            (140, 120, 2.0),
            (90, 170, 4.0),
            (200, 90, 5.5),
        ]);
        let (g, p) = (gallery_code(&t), probe_code(&t));
        assert_eq!(common(&g, &p), ones(&g));
        assert!(ones(&p) >= ones(&g));
    }

    #[test]
    fn bins_pick_the_nearer_neighbour_only_near_an_edge() {
        assert_eq!(bins(3.1, 16, true, 0.25), (3, Some(2)));
        assert_eq!(bins(3.5, 16, true, 0.25), (3, None));
        assert_eq!(bins(3.9, 16, true, 0.25), (3, Some(4)));
        assert_eq!(bins(0.1, 16, true, 0.25), (0, Some(15)));
        assert_eq!(bins(15.9, 16, true, 0.25), (15, Some(0)));
        assert_eq!(bins(0.1, 15, false, 0.25), (0, None));
        assert_eq!(bins(14.9, 15, false, 0.25), (14, None));
    }
}
