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

/// Relaxation iterations.
const N_REL: usize = 5;
/// Weight of a pair's own similarity in each relaxation step.
const W_R: f32 = 0.5;
/// At most this many top pairs enter the relaxation.
pub(crate) const MAX_RELAX_PAIRS: usize = 32;
const MIN_NP: f32 = 4.0;
const MAX_NP: f32 = 12.0;
const MU_P: f32 = 20.0;
const TAU_P: f32 = 0.4;
const MU_1: f32 = 5.0;
const TAU_1: f32 = -1.6;
const MU_2: f32 = PI / 12.0;
const TAU_2: f32 = -30.0;
const MU_3: f32 = PI / 12.0;
const TAU_3: f32 = -30.0;

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
    pa: &[Point],
    pb: &[Point],
    pairs_out: Option<&mut Vec<Pair>>,
) -> f32 {
    let (ra, rb) = (ia.len(), ib.len());
    if ra == 0 || rb == 0 {
        return 0.0;
    }
    // 1. The top pairs, one-to-one, greedily by similarity.
    let mut order: Vec<u32> = (0..sim.len() as u32)
        .filter(|&i| sim[i as usize] > 0.0)
        .collect();
    let n_r = ra.min(rb).min(MAX_RELAX_PAIRS);
    order.sort_unstable_by(|&x, &y| sim[y as usize].total_cmp(&sim[x as usize]).then(x.cmp(&y)));
    let mut used_a = vec![false; ra];
    let mut used_b = vec![false; rb];
    let mut top: Vec<(usize, usize, f32)> = Vec::with_capacity(n_r);
    for &i in &order {
        let (r, c) = (i as usize / rb, i as usize % rb);
        if !used_a[r] && !used_b[c] {
            used_a[r] = true;
            used_b[c] = true;
            top.push((ia[r] as usize, ib[c] as usize, sim[i as usize]));
            if top.len() == n_r {
                break;
            }
        }
    }
    let n = top.len();
    if n == 0 {
        return 0.0;
    }
    // 2. Pairwise geometric compatibility.
    let mut rho = vec![0.0f32; n * n];
    for t in 0..n {
        for k in t + 1..n {
            let (a1, b1) = (&pa[top[t].0], &pb[top[t].1]);
            let (a2, b2) = (&pa[top[k].0], &pb[top[k].1]);
            let da = ((a1.x - a2.x).powi(2) + (a1.y - a2.y).powi(2)).sqrt();
            let db = ((b1.x - b2.x).powi(2) + (b1.y - b2.y).powi(2)).sqrt();
            let d1 = (da - db).abs();
            let d2 = angle_diff(
                angle_diff(a1.theta, a2.theta),
                angle_diff(b1.theta, b2.theta),
            )
            .abs();
            let ra1 = angle_diff(a1.theta, direction(a1, a2));
            let rb1 = angle_diff(b1.theta, direction(b1, b2));
            let d3 = angle_diff(ra1, rb1).abs();
            let r = sigmoid(d1, MU_1, TAU_1) * sigmoid(d2, MU_2, TAU_2) * sigmoid(d3, MU_3, TAU_3);
            rho[t * n + k] = r;
            rho[k * n + t] = r;
        }
    }
    // 3. Relaxation.
    let mut lambda: Vec<f32> = top.iter().map(|p| p.2).collect();
    let mut next = vec![0.0f32; n];
    for _ in 0..N_REL {
        for t in 0..n {
            let s: f32 = (0..n).map(|k| rho[t * n + k] * lambda[k]).sum();
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
