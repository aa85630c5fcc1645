//! Minutia Cylinder-Code (MCC) local structures, bit-packed.
//!
//! In plain words: around each minutia we lay a cylinder, a grid of NS × NS cells turned to the
//! minutia's direction (radius R), stacked ND layers high, one layer per range of relative angle.
//! A cell's bit is set when some neighbouring minutia lies near the cell centre (Gaussian in
//! distance) with a direction, relative to the central minutia, that falls in the cell's angle
//! range (Gaussian in angle). Cells outside the fingerprint's area (the convex hull of its
//! minutiae, widened by a margin) are marked invalid. Because the grid turns and moves with its
//! minutia, two cylinders from the same spot of the same finger look alike whatever the finger's
//! rotation and position. Two cylinders are compared on the cells valid in both:
//! similarity = 1 − |a xor b| / (|a| + |b|), with |·| the square root of the number of set bits
//! (computed eight pairs at a time in `lanes.rs`).
//!
//! Layout: bit index = k·NS² + i·NS + j (k = angle layer, i, j = cell), so the validity mask of
//! the NS² spatial cells repeats unchanged in every layer.

use super::geometry::{Point, angle_diff, erf, near_hull};
use std::f32::consts::{PI, TAU};

/// Cells along a side of the cylinder's base, as in MCC's papers. Eight cells a side is about
/// 1.4 times faster but cost half a point of pooled EER on our own extraction (ALGORITHM.md §5).
pub(crate) const NS: usize = 16;
/// Angle layers.
pub(crate) const ND: usize = 6;
/// Cylinder radius, pixels at 500 ppi.
pub(crate) const R: f32 = 70.0;
/// Spatial Gaussian sigma, pixels.
pub(crate) const SIGMA_S: f32 = 28.0 / 3.0;
/// Angular Gaussian sigma, radians.
pub(crate) const SIGMA_D: f32 = 2.0 * PI / 9.0;
/// A cell's bit is set when its summed contribution exceeds this (MCC's value for 16 × 16 cells).
pub(crate) const MU_PSI: f32 = 0.01;
/// Margin around the convex hull of the minutiae within which cells count as valid, pixels.
pub(crate) const OMEGA: f32 = 50.0;
/// A cylinder is used only if at least this share of its disc's cells is valid ...
pub(crate) const MIN_VALID_SHARE: f32 = 0.75;
/// ... and at least this many other minutiae contribute to it.
pub(crate) const MIN_NEIGHBOURS: usize = 2;
/// Two cylinders are compared only if this share of all cells is valid in both.
pub(crate) const MIN_MATCHABLE_SHARE: f32 = 0.60;
/// Two cylinders are compared only if their minutiae differ in direction by at most this.
pub(crate) const MAX_ROTATION: f32 = PI / 3.0;

pub(crate) const SPATIAL: usize = NS * NS;
pub(crate) const CELLS: usize = SPATIAL * ND;
pub(crate) const WORDS: usize = CELLS / 64;
pub(crate) const SPATIAL_WORDS: usize = SPATIAL.div_ceil(64);
const DELTA_S: f32 = 2.0 * R / NS as f32;
const DELTA_D: f32 = TAU / ND as f32;
const NEIGHBOUR_RADIUS: f32 = 3.0 * SIGMA_S;

/// A bit-packed cylinder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cylinder {
    /// Index of the central minutia in the template.
    pub minutia: u16,
    pub bits: [u64; WORDS],
    /// Validity of the NS² spatial cells (the same in every layer).
    pub mask: [u64; SPATIAL_WORDS],
}

/// The centre of cell (i, j) of the cylinder around `m` (i, j from 0).
pub(crate) fn cell_centre(m: &Point, i: usize, j: usize) -> (f32, f32) {
    cell_centre_turned(m, m.theta.sin_cos(), i, j)
}

/// [`cell_centre`] with the sine and cosine of the minutia's direction given (computed once per
/// cylinder rather than once per cell).
#[inline(always)]
fn cell_centre_turned(m: &Point, (s, c): (f32, f32), i: usize, j: usize) -> (f32, f32) {
    let a = i as f32 - (NS as f32 - 1.0) / 2.0;
    let b = j as f32 - (NS as f32 - 1.0) / 2.0;
    // u is the minutia's direction on screen (y down); v is u turned a quarter turn counter-clockwise.
    let (ux, uy) = (c, -s);
    let (vx, vy) = (-s, -c);
    (
        m.x + DELTA_S * (a * ux + b * vx),
        m.y + DELTA_S * (a * uy + b * vy),
    )
}

/// Whether cell (i, j) lies within the cylinder's disc (before the hull test).
pub(crate) fn in_disc(m: &Point, p: (f32, f32)) -> bool {
    (p.0 - m.x).powi(2) + (p.1 - m.y).powi(2) <= R * R
}

/// The spatial part of a neighbour's contribution to a cell centred at `p`: a Gaussian in the
/// distance from `t` to `p`, zero when `t` is farther than 3σ from `p`.
pub(crate) fn spatial_weight(t: &Point, p: (f32, f32)) -> f32 {
    let d2 = (t.x - p.0).powi(2) + (t.y - p.1).powi(2);
    if d2 > NEIGHBOUR_RADIUS * NEIGHBOUR_RADIUS {
        return 0.0;
    }
    (-d2 / (2.0 * SIGMA_S * SIGMA_S)).exp() / (SIGMA_S * (TAU).sqrt())
}

/// The directional part of neighbour `t`'s contribution to layer `k` of the cylinder around `m`:
/// the share of a Gaussian in relative angle that falls in the layer's range.
pub(crate) fn layer_weight(m: &Point, t: &Point, k: usize) -> f32 {
    let layer_angle = -PI + (k as f32 + 0.5) * DELTA_D;
    let rel = angle_diff(m.theta, t.theta);
    let alpha = angle_diff(layer_angle, rel);
    let k2 = SIGMA_D * std::f32::consts::SQRT_2;
    0.5 * (erf((alpha + DELTA_D / 2.0) / k2) - erf((alpha - DELTA_D / 2.0) / k2))
}

/// The contribution of neighbour `t` to layer `k` of a cell centred at `p` of the cylinder around `m`:
/// [`spatial_weight`] times [`layer_weight`].
pub(crate) fn contribution(m: &Point, t: &Point, p: (f32, f32), k: usize) -> f32 {
    spatial_weight(t, p) * layer_weight(m, t, k)
}

/// Number of disc cells of a cylinder (the same for every cylinder).
pub(crate) fn disc_cells() -> usize {
    let m = Point {
        x: 0.0,
        y: 0.0,
        theta: 0.0,
    };
    (0..NS)
        .flat_map(|i| (0..NS).map(move |j| (i, j)))
        .filter(|&(i, j)| in_disc(&m, cell_centre(&m, i, j)))
        .count()
}

/// Builds the cylinders of a template (fast path: each minutia only visits neighbours within
/// reach, and a neighbour's layer weights are computed once per cylinder instead of once per
/// cell). Minutiae whose cylinder is not valid get none.
pub(crate) fn build(points: &[Point], hull: &[(f32, f32)]) -> Vec<Cylinder> {
    let min_valid = (MIN_VALID_SHARE * disc_cells() as f32).ceil() as u32;
    let reach2 = (R + NEIGHBOUR_RADIUS).powi(2);
    let mut out = Vec::with_capacity(points.len());
    let mut near: Vec<(&Point, [f32; ND])> = Vec::with_capacity(points.len());
    let mut cells: Vec<(usize, (f32, f32))> = Vec::with_capacity(SPATIAL);
    let mut reach_masks = [0u128; SPATIAL];
    for (idx, m) in points.iter().enumerate() {
        let close = |t: &&Point| (t.x - m.x).powi(2) + (t.y - m.y).powi(2) <= reach2;
        if points
            .iter()
            .enumerate()
            .filter(|&(o, t)| o != idx && close(&t))
            .count()
            < MIN_NEIGHBOURS
        {
            continue;
        }
        // Validity first: a cylinder mostly outside the finger is dropped before any weight is computed.
        let mut cyl = Cylinder {
            minutia: idx as u16,
            bits: [0; WORDS],
            mask: [0; SPATIAL_WORDS],
        };
        let mut valid = 0;
        cells.clear();
        let turn = m.theta.sin_cos();
        for s in 0..SPATIAL {
            let p = cell_centre_turned(m, turn, s / NS, s % NS);
            if !in_disc(m, p) || !near_hull(hull, p, OMEGA) {
                continue;
            }
            cyl.mask[s / 64] |= 1 << (s % 64);
            valid += 1;
            cells.push((s, p));
        }
        if valid < min_valid {
            continue;
        }
        near.clear();
        near.extend(
            points
                .iter()
                .enumerate()
                .filter(|&(o, t)| o != idx && close(&t))
                .map(|(_, t)| (t, std::array::from_fn(|k| layer_weight(m, t, k)))),
        );
        let add = |sum: &mut [f32; ND], (t, gd): &(&Point, [f32; ND]), p| {
            let gs = spatial_weight(t, p);
            if gs != 0.0 {
                for k in 0..ND {
                    sum[k] += gs * gd[k];
                }
            }
        };
        // Which neighbours can reach which cells (see `reaching`): visiting only those, in the
        // same order, adds exactly the same terms as visiting every neighbour for every cell.
        let reach = reaching(m, turn, &near, &mut reach_masks);
        for &(s, p) in &cells {
            let mut sum = [0.0f32; ND];
            if reach {
                let mut them = reach_masks[s];
                while them != 0 {
                    let q = them.trailing_zeros() as usize;
                    them &= them - 1;
                    add(&mut sum, &near[q], p);
                }
            } else {
                for n in &near {
                    add(&mut sum, n, p);
                }
            }
            for (k, v) in sum.iter().enumerate() {
                if *v > MU_PSI {
                    let b = k * SPATIAL + s;
                    cyl.bits[b / 64] |= 1 << (b % 64);
                }
            }
        }
        out.push(cyl);
    }
    out
}

/// Marks in `masks` (one bit per neighbour, by position in `near`) the cells of the cylinder
/// around `m` that each neighbour may reach: those whose centre may lie within 3σ of it, a square
/// of about 7 × 7 cells in the cylinder's own frame, widened by a quarter cell (about 2 pixels,
/// far beyond any rounding of the cell centres). Returns false, marking nothing, when there are
/// more neighbours than bits.
fn reaching(
    m: &Point,
    (s, c): (f32, f32),
    near: &[(&Point, [f32; ND])],
    masks: &mut [u128; SPATIAL],
) -> bool {
    if near.len() > 128 {
        return false;
    }
    masks.fill(0);
    let half = (NS as f32 - 1.0) / 2.0;
    let r = NEIGHBOUR_RADIUS / DELTA_S + 0.25;
    // Cell (i, j) lies at m + DELTA_S·((i − half)·u + (j − half)·v), u and v as in `cell_centre`.
    let (ux, uy, vx, vy) = (c, -s, -s, -c);
    let span = |x: f32| {
        let lo = (x - r).ceil().max(0.0);
        let hi = (x + r).floor().min(NS as f32 - 1.0);
        lo as usize..(hi + 1.0).max(lo) as usize
    };
    for (q, (t, _)) in near.iter().enumerate() {
        let (dx, dy) = (t.x - m.x, t.y - m.y);
        let i = (dx * ux + dy * uy) / DELTA_S + half;
        let j = (dx * vx + dy * vy) / DELTA_S + half;
        for i in span(i) {
            for j in span(j) {
                masks[i * NS + j] |= 1 << q;
            }
        }
    }
    true
}
