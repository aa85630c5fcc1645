//! The reference implementation: cylinders as plain boolean cells, built by visiting every
//! minutia for every cell, and compared cell by cell. Slow and obvious; the fast path in
//! `cylinder.rs` must give exactly the same cylinders and similarities.

use super::cylinder::{
    CELLS, MAX_ROTATION, MIN_MATCHABLE_SHARE, MIN_NEIGHBOURS, MIN_VALID_SHARE, MU_PSI, ND, NS,
    OMEGA, R, SIGMA_S, SPATIAL, cell_centre, contribution, disc_cells, in_disc,
};
use super::geometry::{Point, angle_diff, near_hull};

/// A cylinder as one boolean per cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NaiveCylinder {
    pub minutia: u16,
    pub bits: Vec<bool>,
    pub valid: Vec<bool>,
}

pub(crate) fn build(points: &[Point], hull: &[(f32, f32)]) -> Vec<NaiveCylinder> {
    let mut out = Vec::new();
    for (idx, m) in points.iter().enumerate() {
        let neighbours = points
            .iter()
            .enumerate()
            .filter(|&(o, t)| {
                o != idx && ((t.x - m.x).powi(2) + (t.y - m.y).powi(2)).sqrt() <= R + 3.0 * SIGMA_S
            })
            .count();
        let mut bits = vec![false; CELLS];
        let mut valid = vec![false; CELLS];
        let mut n_valid = 0;
        for i in 0..NS {
            for j in 0..NS {
                let p = cell_centre(m, i, j);
                let ok = in_disc(m, p) && near_hull(hull, p, OMEGA);
                n_valid += ok as usize;
                for k in 0..ND {
                    let c = k * SPATIAL + i * NS + j;
                    valid[c] = ok;
                    if ok {
                        let mut sum = 0.0f32;
                        for (o, t) in points.iter().enumerate() {
                            if o != idx {
                                sum += contribution(m, t, p, k);
                            }
                        }
                        bits[c] = sum > MU_PSI;
                    }
                }
            }
        }
        if neighbours >= MIN_NEIGHBOURS
            && n_valid as f32 >= (MIN_VALID_SHARE * disc_cells() as f32).ceil()
        {
            out.push(NaiveCylinder {
                minutia: idx as u16,
                bits,
                valid,
            });
        }
    }
    out
}

pub(crate) fn similarity(a: &NaiveCylinder, b: &NaiveCylinder, theta_a: f32, theta_b: f32) -> f32 {
    if angle_diff(theta_a, theta_b).abs() > MAX_ROTATION {
        return 0.0;
    }
    let (mut matchable, mut na, mut nb, mut nx) = (0usize, 0u32, 0u32, 0u32);
    for c in 0..CELLS {
        if a.valid[c] && b.valid[c] {
            matchable += 1;
            na += a.bits[c] as u32;
            nb += b.bits[c] as u32;
            nx += (a.bits[c] != b.bits[c]) as u32;
        }
    }
    if matchable < (MIN_MATCHABLE_SHARE * CELLS as f32) as usize || na + nb == 0 {
        return 0.0;
    }
    1.0 - (nx as f32).sqrt() / ((na as f32).sqrt() + (nb as f32).sqrt())
}
