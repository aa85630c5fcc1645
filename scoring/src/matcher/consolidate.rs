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
use std::f32::consts::PI;
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

/// Scores a local similarity matrix `sim` (rows: cylinders of A, columns: cylinders of B).
/// `ia`/`ib` map cylinder rows and columns to minutia indices; `n_a`/`n_b` are the templates' minutia counts.
pub(crate) fn consolidate(
    sim: &[f32],
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
    // Keys sort by similarity (positive floats order like their bits), then by index.
    let mut keys: Vec<u64> = sim
        .iter()
        .enumerate()
        .filter(|(_, v)| **v > 0.0)
        .map(|(i, v)| ((v.to_bits() as u64) << 32) | (u32::MAX - i as u32) as u64)
        .collect();
    let n_r = ra.min(rb).min(MAX_RELAX_PAIRS);
    let mut used_a = vec![false; ra];
    let mut used_b = vec![false; rb];
    let mut top: Vec<(usize, usize, f32)> = Vec::with_capacity(n_r);
    // Usually the best few times n_r entries hold n_r one-to-one pairs: sort only those first.
    let head = (4 * n_r).min(keys.len());
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
        let i = (u32::MAX - (keys[k] & 0xffff_ffff) as u32) as usize;
        k += 1;
        let (r, c) = (i / rb, i % rb);
        if !used_a[r] && !used_b[c] {
            used_a[r] = true;
            used_b[c] = true;
            top.push((ia[r] as usize, ib[c] as usize, sim[i]));
        }
    }
    let n = top.len();
    if n == 0 {
        return 0.0;
    }
    // 2. Pairwise geometric compatibility.
    let tables = tables();
    // Rows are padded to a multiple of LANES so the relaxation's sums run in independent lanes.
    let stride = n.div_ceil(LANES) * LANES;
    let mut rho = vec![0.0f32; n * stride];
    for t in 0..n {
        for k in t + 1..n {
            let (a1, b1) = (top[t].0, top[t].1);
            let (a2, b2) = (top[k].0, top[k].1);
            let (da, db) = (pa.dist(a1, a2), pb.dist(b1, b2));
            let d1 = (da - db).abs();
            let r1 = tables.distance(d1);
            if r1 == 0.0 {
                // Too far apart in distance: the angles need not be looked at.
                continue;
            }
            let d2 = wrap_pi(pa.turn(a1, a2) - pb.turn(b1, b2)).abs();
            let d3 = wrap_pi(pa.bearing(a1, a2) - pb.bearing(b1, b2)).abs();
            let r = r1 * tables.angle(d2) * tables.angle(d3);
            rho[t * stride + k] = r;
            rho[k * stride + t] = r;
        }
    }
    // 3. Relaxation.
    let mut lambda = vec![0.0f32; stride];
    for (l, p) in lambda.iter_mut().zip(&top) {
        *l = p.2;
    }
    let mut next = vec![0.0f32; stride];
    for _ in 0..N_REL {
        for t in 0..n {
            let s = dot(&rho[t * stride..(t + 1) * stride], &lambda);
            let support = if n > 1 { s / (n - 1) as f32 } else { 0.0 };
            next[t] = W_R * lambda[t] + (1.0 - W_R) * support;
        }
        std::mem::swap(&mut lambda, &mut next);
    }
    // 4. The n_p pairs that kept most of their weight.
    let n_min = pa.len().min(pb.len()) as f32;
    let n_p = (MIN_NP + (sigmoid(n_min, MU_P, TAU_P) * (MAX_NP - MIN_NP)).round()) as usize;
    let mut by_eff: Vec<usize> = (0..n).collect();
    let eff = |t: usize| lambda[t] / top[t].2;
    by_eff.sort_unstable_by(|&x, &y| eff(y).total_cmp(&eff(x)).then(x.cmp(&y)));
    by_eff.truncate(n_p);
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

/// Independent partial sums in [`dot`] (one vector register of `f32`).
const LANES: usize = 8;

/// The dot product of two slices whose common length is a multiple of [`LANES`], summed in
/// [`LANES`] independent lanes (the compiler turns this into vector instructions).
#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; LANES];
    for (x, y) in a.chunks_exact(LANES).zip(b.chunks_exact(LANES)) {
        for l in 0..LANES {
            acc[l] += x[l] * y[l];
        }
    }
    acc.iter().sum()
}

/// Brings a difference of two angles in [-π, π) back into [-π, π] with one correction.
#[inline]
fn wrap_pi(d: f32) -> f32 {
    if d > PI {
        d - 2.0 * PI
    } else if d < -PI {
        d + 2.0 * PI
    } else {
        d
    }
}

/// Pairwise geometry of a template's minutiae, computed once: distances, relative directions
/// (how much minutia j is turned against minutia i) and bearings (the direction from i to j,
/// relative to i's own direction).
#[derive(Debug, Clone)]
pub(crate) struct Geometry {
    n: usize,
    dist: Vec<f32>,
    turn: Vec<f32>,
    bearing: Vec<f32>,
}

impl Geometry {
    pub(crate) fn new(points: &[Point]) -> Geometry {
        let n = points.len();
        let (mut dist, mut turn, mut bearing) =
            (vec![0.0; n * n], vec![0.0; n * n], vec![0.0; n * n]);
        for (i, a) in points.iter().enumerate() {
            for (j, b) in points.iter().enumerate() {
                dist[i * n + j] = ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt();
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
            dist,
            turn,
            bearing,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.n
    }

    fn dist(&self, i: usize, j: usize) -> f32 {
        self.dist[i * self.n + j]
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
const DIST_MAX: f32 = 24.0;
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
