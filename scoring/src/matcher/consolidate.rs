//! Global consistency: from local similarities to one score (MCC's "LSS-R", with a one-to-one pairing).
//!
//! In plain words: take the most similar cylinder pairs, each minutia used at most once. Pairs that
//! truly correspond agree with each other on geometry: the distance between two minutiae of one
//! print equals the distance between their partners in the other, and so do the relative
//! directions. Each pair's similarity is repeatedly blended with the similarities of the pairs it
//! agrees with (relaxation), so pairs that fit a consistent whole keep their weight and lone
//! look-alikes fade. The score is the mean relaxed similarity of the few pairs that kept the most
//! of their weight; how many pairs count grows with the smaller template's size.

use super::geometry::{Point, angle_diff, direction, sigmoid};
use std::f32::consts::{PI, TAU};
use std::sync::OnceLock;

/// Relaxation iterations.
const N_REL: usize = 5;
/// Weight of a pair's own similarity in each relaxation step.
const W_R: f32 = 0.5;
/// At most this many top pairs enter the relaxation.
pub(crate) const MAX_RELAX_PAIRS: usize = 48;
const MIN_NP: f32 = 4.0;
const MAX_NP: f32 = 8.0;
const MU_P: f32 = 20.0;
const TAU_P: f32 = 0.4;
const MU_1: f32 = 5.0;
const TAU_1: f32 = -1.6;
// The same sigmoid serves the relative-direction and the bearing differences.
const MU_2: f32 = PI / 12.0;
const TAU_2: f32 = -30.0;

/// A pairing of minutia `a` of the first template with minutia `b` of the second, with its weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pair {
    /// Index of the minutia in the first template.
    pub a: usize,
    /// Index of the minutia in the second template.
    pub b: usize,
    /// The pair's similarity after relaxation, 0..=1.
    pub weight: f32,
}

/// Only the best this many candidates of each row (cylinder of A) take part: the one-to-one
/// pairing seldom reaches deeper into a row, and sorting fewer candidates is most of the saving.
pub(crate) const ROW_BEST: usize = 4;

/// The best [`ROW_BEST`] keys offered, in no particular order (the candidates are sorted later
/// anyway, and keys are distinct, so their order does not matter). Empty slots hold 0, below
/// every key.
#[derive(Debug, Default)]
pub(crate) struct RowBest {
    keys: [u64; ROW_BEST],
    /// Where the smallest kept key (or an empty slot) is.
    min_at: usize,
}

impl RowBest {
    pub(crate) fn clear(&mut self) {
        self.keys = [0; ROW_BEST];
        self.min_at = 0;
    }

    /// Keeps `key` (> 0) if it beats the smallest kept key or an empty slot is left.
    #[inline(always)]
    pub(crate) fn offer(&mut self, key: u64) {
        if key <= self.keys[self.min_at] {
            return;
        }
        self.keys[self.min_at] = key;
        let mut m = 0;
        for i in 1..ROW_BEST {
            if self.keys[i] < self.keys[m] {
                m = i;
            }
        }
        self.min_at = m;
    }

    /// The similarity a key needs to be worth offering: that of the smallest kept key once
    /// [`ROW_BEST`] are kept (a key of equal similarity may still enter, by its position), else 0.
    #[inline(always)]
    pub(crate) fn floor(&self) -> f32 {
        f32::from_bits((self.keys[self.min_at] >> 32) as u32)
    }

    pub(crate) fn drain_into(&mut self, out: &mut Vec<u64>) {
        out.extend(self.keys.iter().filter(|&&k| k != 0));
        self.clear();
    }
}

/// The sort key of a candidate pair: its similarity `v` (> 0) above, its row `r` and column `c`
/// in the similarity matrix below (row in the high 16 bits, so that they order like the position
/// in the row-major matrix), so that keys sort by similarity and then by position (the bits of
/// positive floats order like the floats). Rows and columns are minutia indices, below 2^16.
#[inline(always)]
pub(crate) fn key(v: f32, r: usize, c: usize) -> u64 {
    ((v.to_bits() as u64) << 32) | (u32::MAX - ((r as u32) << 16 | c as u32)) as u64
}

/// The row and column of a [`key`].
#[inline(always)]
fn row_column(key: u64) -> (usize, usize) {
    let i = u32::MAX - (key & 0xffff_ffff) as u32;
    ((i >> 16) as usize, (i & 0xffff) as usize)
}

/// Scores the candidate pairs `keys` (see [`key`]; rows of the similarity matrix are cylinders of
/// A, columns cylinders of B, in any order). `ia`/`ib` map cylinder rows and columns to minutia
/// indices.
#[inline(always)]
pub(crate) fn consolidate(
    mut keys: Vec<u64>,
    ia: &[u16],
    ib: &[u16],
    pa: &Geometry,
    pb: &Geometry,
    pairs_out: Option<&mut Vec<Pair>>,
) -> f32 {
    let (ra, rb) = (ia.len(), ib.len());
    if ra == 0 || rb == 0 {
        return 0.0;
    }
    // 1. The top pairs, one-to-one, greedily by similarity.
    let n_r = ra.min(rb).min(MAX_RELAX_PAIRS);
    let mut used_a = vec![false; ra];
    let mut used_b = vec![false; rb];
    let mut top: Vec<(usize, usize, f32)> = Vec::with_capacity(n_r);
    // Usually the best few times n_r entries hold n_r one-to-one pairs: sort only those first.
    let head = (2 * n_r).min(keys.len());
    if head < keys.len() {
        keys.select_nth_unstable_by(head, |x, y| y.cmp(x));
    }
    keys[..head].sort_unstable_by(|x, y| y.cmp(x));
    let mut sorted_all = head == keys.len();
    let mut k = 0;
    while top.len() < n_r && k < keys.len() {
        if k == head && !sorted_all {
            keys[head..].sort_unstable_by(|x, y| y.cmp(x));
            sorted_all = true;
        }
        let (r, c) = row_column(keys[k]);
        k += 1;
        if !used_a[r] && !used_b[c] {
            used_a[r] = true;
            used_b[c] = true;
            top.push((
                ia[r] as usize,
                ib[c] as usize,
                f32::from_bits((keys[k - 1] >> 32) as u32),
            ));
        }
    }
    let n = top.len();
    if n == 0 {
        return 0.0;
    }
    // 2. Pairwise geometric compatibility, kept only where it is not zero (most pairs of
    // pairs disagree in distance, above all between different fingers).
    let tables = tables();
    let mut rho: Vec<(u16, u16, f32)> = Vec::with_capacity(n * 4);
    // The pairs' positions side by side (x and y in A, x and y in B), the distance differences of
    // one pair with every later pair, and the later pairs close enough in distance.
    let mut scratch = vec![0.0f32; 5 * n];
    let (pos, d1s) = scratch.split_at_mut(4 * n);
    let (pos_a, pos_b) = pos.split_at_mut(2 * n);
    let (xa, ya) = pos_a.split_at_mut(n);
    let (xb, yb) = pos_b.split_at_mut(n);
    for (t, &(a, b, _)) in top.iter().enumerate() {
        (xa[t], ya[t]) = pa.position(a);
        (xb[t], yb[t]) = pb.position(b);
    }
    let mut near: Vec<u16> = vec![0; n];
    for t in 0..n {
        let (a1, b1) = (top[t].0, top[t].1);
        // |distance in A − distance in B| for every later pair, many at a time.
        let later = t + 1..n;
        for ((((d, &x), &y), &u), &v) in d1s[later.clone()]
            .iter_mut()
            .zip(&xa[later.clone()])
            .zip(&ya[later.clone()])
            .zip(&xb[later.clone()])
            .zip(&yb[later.clone()])
        {
            let da = ((xa[t] - x).powi(2) + (ya[t] - y).powi(2)).sqrt();
            let db = ((xb[t] - u).powi(2) + (yb[t] - v).powi(2)).sqrt();
            *d = (da - db).abs();
        }
        // Pairs too far apart in distance have no compatibility (`tables.distance` is 0 from
        // DIST_MAX on): their angles need not be looked at.
        let mut m = 0;
        for k in later {
            near[m] = k as u16;
            m += (d1s[k] * DIST_STEPS_PER_PX < DIST_MAX * DIST_STEPS_PER_PX) as usize;
        }
        for &k in &near[..m] {
            let k = k as usize;
            let (a2, b2) = (top[k].0, top[k].1);
            let r1 = tables.distance(d1s[k]);
            let d2 = abs_wrapped(pa.turn(a1, a2) - pb.turn(b1, b2));
            let d3 = abs_wrapped(pa.bearing(a1, a2) - pb.bearing(b1, b2));
            let r = r1 * tables.angle(d2) * tables.angle(d3);
            if r > 0.0 {
                rho.push((t as u16, k as u16, r));
            }
        }
    }
    // 3. Relaxation: λ ← w·λ + (1 − w)·(ρ λ)/(n − 1).
    let mut lambda: Vec<f32> = top.iter().map(|p| p.2).collect();
    let mut support = vec![0.0f32; n];
    let others = if n > 1 {
        (1.0 - W_R) / (n - 1) as f32
    } else {
        0.0
    };
    for _ in 0..N_REL {
        support.iter_mut().for_each(|v| *v = 0.0);
        for &(t, k, r) in &rho {
            support[t as usize] += r * lambda[k as usize];
            support[k as usize] += r * lambda[t as usize];
        }
        for (l, s) in lambda.iter_mut().zip(&support) {
            *l = W_R * *l + others * s;
        }
    }
    // 4. The n_p pairs that kept most of their weight.
    let n_min = pa.len().min(pb.len()) as f32;
    let n_p = (MIN_NP + (sigmoid(n_min, MU_P, TAU_P) * (MAX_NP - MIN_NP)).round()) as usize;
    // (The order is total, so choosing the best n_p first and then sorting them gives exactly
    // the order of sorting all.)
    let eff: Vec<f32> = (0..n).map(|t| lambda[t] / top[t].2).collect();
    let order = |x: &usize, y: &usize| eff[*y].total_cmp(&eff[*x]).then(x.cmp(y));
    let mut by_eff: Vec<usize> = (0..n).collect();
    if n_p < n {
        by_eff.select_nth_unstable_by(n_p, order);
        by_eff.truncate(n_p);
    }
    by_eff.sort_unstable_by(order);
    let score = by_eff.iter().map(|&t| lambda[t]).sum::<f32>() / n_p as f32;
    if let Some(out) = pairs_out {
        out.clear();
        out.extend(by_eff.iter().map(|&t| Pair {
            a: top[t].0,
            b: top[t].1,
            weight: lambda[t],
        }));
    }
    score
}

/// The size of a difference of two angles in [-π, π), brought back into [-π, π] with one
/// correction: |d − 2π| above π, |d + 2π| below −π, else |d|. Both corrections come to
/// 2π − |d| exactly (a floating-point difference only changes sign when its operands swap), so
/// no branch is needed.
#[inline(always)]
fn abs_wrapped(d: f32) -> f32 {
    let a = d.abs();
    if a > PI { TAU - a } else { a }
}

/// Pairwise geometry of a template's minutiae, computed once: relative directions (how much
/// minutia j is turned against minutia i) and bearings (the direction from i to j, relative to
/// i's own direction); and the positions, from which distances are computed when needed.
#[derive(Debug, Clone)]
pub(crate) struct Geometry {
    n: usize,
    x: Vec<f32>,
    y: Vec<f32>,
    turn: Vec<f32>,
    bearing: Vec<f32>,
}

impl Geometry {
    pub(crate) fn new(points: &[Point]) -> Geometry {
        let n = points.len();
        let (mut turn, mut bearing) = (vec![0.0; n * n], vec![0.0; n * n]);
        for (i, a) in points.iter().enumerate() {
            for (j, b) in points.iter().enumerate() {
                turn[i * n + j] = angle_diff(a.theta, b.theta);
                bearing[i * n + j] = if i == j {
                    0.0
                } else {
                    angle_diff(a.theta, direction(a, b))
                };
            }
        }
        Geometry {
            n,
            x: points.iter().map(|p| p.x).collect(),
            y: points.iter().map(|p| p.y).collect(),
            turn,
            bearing,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.n
    }

    /// The position of minutia `i`.
    fn position(&self, i: usize) -> (f32, f32) {
        (self.x[i], self.y[i])
    }

    fn turn(&self, i: usize, j: usize) -> f32 {
        self.turn[i * self.n + j]
    }

    fn bearing(&self, i: usize, j: usize) -> f32 {
        self.bearing[i * self.n + j]
    }
}

/// The two compatibility sigmoids, tabulated (they are steep and only a few hundred steps matter).
struct Tables {
    distance: Vec<f32>,
    angle: Vec<f32>,
}

const DIST_STEPS_PER_PX: f32 = 16.0;
const DIST_MAX: f32 = 12.0;
const ANGLE_STEPS: usize = 1024;

impl Tables {
    fn distance(&self, d: f32) -> f32 {
        let i = (d * DIST_STEPS_PER_PX) as usize;
        if i < self.distance.len() {
            self.distance[i]
        } else {
            0.0
        }
    }

    fn angle(&self, a: f32) -> f32 {
        let i = (a * (ANGLE_STEPS as f32 / PI)) as usize;
        self.angle[i.min(ANGLE_STEPS)]
    }
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| Tables {
        distance: (0..(DIST_MAX * DIST_STEPS_PER_PX) as usize)
            .map(|i| sigmoid((i as f32 + 0.5) / DIST_STEPS_PER_PX, MU_1, TAU_1))
            .collect(),
        angle: (0..=ANGLE_STEPS)
            .map(|i| sigmoid((i as f32 + 0.5) * PI / ANGLE_STEPS as f32, MU_2, TAU_2))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_follow_the_sigmoids() {
        let t = tables();
        for k in 0..400 {
            let d = k as f32 * 0.07;
            assert!(
                (t.distance(d) - sigmoid(d, MU_1, TAU_1)).abs() < 0.02,
                "{d}"
            );
            let a = k as f32 * PI / 400.0;
            assert!((t.angle(a) - sigmoid(a, MU_2, TAU_2)).abs() < 0.03, "{a}");
        }
    }
}
