//! Minutiae from the skeleton, their directions, and the removal of false ones.
//!
//! In plain words: a skeleton pixel with one neighbouring line is a ridge ending; one where three
//! separate lines meet is a bifurcation. A minutia's direction comes from walking a few pixels
//! along its line(s): an ending points along its ridge, a bifurcation away from its stem, between
//! its forks (the ISO/IEC 19794-2 convention, in which an ending and a bifurcation that pressure
//! turns into one another keep their direction). The walk gives the sense and a rough angle (a
//! 14-pixel chord on a pixel grid is a few degrees off); the smoothed orientation field, read at
//! the minutia's own pixel (interpolated between the four nearest block centres) rather than for
//! its whole block, gives the angle more precisely, so the two are averaged with the field
//! weighted twice. Then the usual artefacts are
//! removed: minutiae near the edge of the finger area (the ridges are cut there, not ended);
//! an ending whose ridge reaches a bifurcation within a short walk (a spur) or another ending (a
//! short fragment); two bifurcations joined by a short line (a bridge or a hole); two endings close
//! together and facing each other, or farther apart but on one line, each pointing straight away
//! from the other (a broken ridge); and crowded clusters.

use super::orientation::{BLOCK, Field};
use super::thin::{ring, ring_offset, transitions};
use crate::matcher::angle_diff_pub as angle_diff;
use std::f32::consts::PI;

/// How far a direction walk goes, pixels (about one and a half ridge periods; 10 was noisier).
const WALK: usize = 14;
/// How far the spur, fragment and bridge walks go, pixels. Only short pieces are removed: walks
/// of 7 pixels removed more true minutiae than false ones (see ALGORITHM.md, "Tried").
const SHORT: usize = 5;
/// Endings closer than this and facing each other are a broken ridge, pixels.
const BREAK: f32 = 7.0;
/// Endings up to this far apart on one line, each pointing straight away from the other, are a
/// ridge broken by a gap (pores, dry skin, blotches), pixels (about two ridge periods).
const GAP: f32 = 20.0;
/// How far each ending's direction may turn from the line joining the two for [`GAP`], radians.
const GAP_TURN: f32 = PI / 6.0;
/// Minutiae closer than this to another are dropped as a cluster, pixels.
const CLUSTER: f32 = 5.0;
/// Minimum distance from the background, in blocks.
const BORDER_BLOCKS: i32 = 2;
/// The orientation field's weight against the traced direction's in a minutia's direction (1 and
/// 0.5 put fewer paired directions within 10° of the reference extractor's; see ALGORITHM.md).
const FIELD_WEIGHT: f32 = 2.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Found {
    pub x: usize,
    pub y: usize,
    /// Direction in image coordinates (y down), radians.
    pub angle: f32,
    pub bifurcation: bool,
    /// 0–100.
    pub quality: u8,
}

enum Stop {
    /// The line ended at this pixel.
    End(usize),
    /// The line reached a junction at this pixel.
    Junction(usize),
    /// The walk reached its length at this pixel.
    Far(usize),
}

/// Walks along the skeleton from `start` through its neighbour `first`, at most `max` steps.
fn walk(skel: &[bool], w: usize, h: usize, start: usize, first: usize, max: usize) -> Stop {
    let (mut prev, mut cur) = (start, first);
    for _ in 0..max {
        let (x, y) = (cur % w, cur / w);
        let r = ring(skel, w, h, x, y);
        if transitions(&r) >= 3 {
            return Stop::Junction(cur);
        }
        // Next: a set neighbour that is neither where we came from nor touching it.
        let (px, py) = ((prev % w) as isize, (prev / w) as isize);
        let mut next = None;
        for (k, &set) in r.iter().enumerate() {
            if !set {
                continue;
            }
            let (dx, dy) = ring_offset(k);
            let (nx, ny) = (x as isize + dx, y as isize + dy);
            let n = ny as usize * w + nx as usize;
            if n == prev || n == start || ((nx - px).abs() <= 1 && (ny - py).abs() <= 1) {
                continue;
            }
            // Prefer 4-neighbours over diagonals.
            if next.is_none() || k % 2 == 0 {
                next = Some(n);
            }
        }
        match next {
            Some(n) => {
                prev = cur;
                cur = n;
            }
            None => return Stop::End(cur),
        }
    }
    Stop::Far(cur)
}

fn stop_pixel(s: &Stop) -> usize {
    match *s {
        Stop::End(p) | Stop::Junction(p) | Stop::Far(p) => p,
    }
}

/// One starting neighbour per line leaving (x, y): one per run of set pixels around the ring,
/// preferring a 4-neighbour within the run.
fn branches(skel: &[bool], w: usize, h: usize, x: usize, y: usize) -> Vec<usize> {
    let r = ring(skel, w, h, x, y);
    let mut out = Vec::with_capacity(3);
    let Some(first_gap) = (0..8).find(|&k| !r[k]) else {
        return out;
    };
    let mut k = (first_gap + 1) % 8;
    let mut best: Option<usize> = None;
    for _ in 0..8 {
        if r[k] {
            if best.is_none_or(|b| b % 2 == 1 && k % 2 == 0) {
                best = Some(k);
            }
        } else if let Some(b) = best.take() {
            let (dx, dy) = ring_offset(b);
            out.push(((y as isize + dy) as usize) * w + (x as isize + dx) as usize);
        }
        k = (k + 1) % 8;
    }
    if let Some(b) = best {
        let (dx, dy) = ring_offset(b);
        out.push(((y as isize + dy) as usize) * w + (x as isize + dx) as usize);
    }
    out
}

fn dir(w: usize, from: usize, to: usize) -> f32 {
    let (fx, fy) = ((from % w) as f32, (from / w) as f32);
    let (tx, ty) = ((to % w) as f32, (to / w) as f32);
    (ty - fy).atan2(tx - fx)
}

/// The ridge orientation at pixel (x, y), radians modulo π: the orientations of the four nearest
/// block centres as doubled-angle vectors (so that opposite directions agree), weighted
/// bilinearly by nearness and by their coherence, summed, and halved back.
fn orientation_at(field: &Field, x: usize, y: usize) -> f32 {
    let (bw, bh) = (field.bw, field.bh);
    let fx = (x as f32 + 0.5) / BLOCK as f32 - 0.5;
    let fy = (y as f32 + 0.5) / BLOCK as f32 - 0.5;
    let (x0, y0) = (fx.floor(), fy.floor());
    let (tx, ty) = (fx - x0, fy - y0);
    let (mut sx, mut sy) = (0.0f32, 0.0f32);
    for (dx, dy, near) in [
        (0, 0, (1.0 - tx) * (1.0 - ty)),
        (1, 0, tx * (1.0 - ty)),
        (0, 1, (1.0 - tx) * ty),
        (1, 1, tx * ty),
    ] {
        let bx = (x0 as isize + dx).clamp(0, bw as isize - 1) as usize;
        let by = (y0 as isize + dy).clamp(0, bh as isize - 1) as usize;
        let b = by * bw + bx;
        let weight = field.coherence[b].max(0.01) * near;
        sx += weight * (2.0 * field.orientation[b]).cos();
        sy += weight * (2.0 * field.orientation[b]).sin();
    }
    if sx == 0.0 && sy == 0.0 {
        field.orientation[(y / BLOCK).min(bh - 1) * bw + (x / BLOCK).min(bw - 1)]
    } else {
        sy.atan2(sx) / 2.0
    }
}

/// Finds, orients and filters the minutiae of a skeleton.
pub(crate) fn find(skel: &[bool], w: usize, h: usize, field: &Field) -> Vec<Found> {
    let (bw, bh) = (field.bw, field.bh);
    // Distance of each block to the background, in blocks (Chebyshev, image edge counts as background).
    let dist = border_distance(&field.foreground, bw, bh);
    struct Cand {
        p: usize,
        bif: bool,
        angle: f32,
        far: Vec<Stop>,
    }
    let near = |a: usize, b: usize, d: f32| {
        let (ax, ay, bx, by) = (
            (a % w) as f32,
            (a / w) as f32,
            (b % w) as f32,
            (b / w) as f32,
        );
        (ax - bx).powi(2) + (ay - by).powi(2) <= d * d
    };
    let mut cands: Vec<Cand> = Vec::new();
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            let i = y * w + x;
            let blk = (y / BLOCK) * bw + x / BLOCK;
            if !skel[i] || dist[blk] < BORDER_BLOCKS {
                continue;
            }
            let r = ring(skel, w, h, x, y);
            let n = r.iter().filter(|&&v| v).count();
            let t = transitions(&r);
            let bif = if t == 1 && n <= 2 {
                false
            } else if t == 3 {
                // Neighbouring junction pixels are one bifurcation.
                if cands
                    .iter()
                    .rev()
                    .take(8)
                    .any(|c| c.bif && near(c.p, i, 3.0))
                {
                    continue;
                }
                true
            } else {
                continue;
            };
            let br = branches(skel, w, h, x, y);
            if br.len() != if bif { 3 } else { 1 } {
                continue;
            }
            let far: Vec<Stop> = br.iter().map(|&b| walk(skel, w, h, i, b, SHORT)).collect();
            let dirs: Vec<f32> = br
                .iter()
                .map(|&b| dir(w, i, stop_pixel(&walk(skel, w, h, i, b, WALK))))
                .collect();
            let traced = if bif {
                // The stem is the branch farthest in angle from the other two; the minutia points away from it.
                let spread = |k: usize| {
                    (0..3)
                        .filter(|&j| j != k)
                        .map(|j| angle_diff(dirs[k], dirs[j]).abs())
                        .fold(PI, f32::min)
                };
                let stem = (0..3)
                    .max_by(|&a, &b| spread(a).total_cmp(&spread(b)))
                    .unwrap_or(0);
                dirs[stem] + PI
            } else {
                // An ending points along its own ridge (ISO/IEC 19794-2). An ending and a
                // bifurcation are each other's dual: where pressure joins the ending ridge to its
                // neighbour it becomes a bifurcation whose forks point back along that ridge, so
                // this keeps a minutia's direction when its type changes between impressions.
                dirs[0]
            };
            // Blend with the orientation field (which knows the direction only modulo π).
            let o = orientation_at(field, x, y);
            let o = if angle_diff(o, traced).abs() <= PI / 2.0 {
                o
            } else {
                o + PI
            };
            let angle = if angle_diff(o, traced).abs() < PI / 4.0 {
                let (s, c) = (
                    traced.sin() + FIELD_WEIGHT * o.sin(),
                    traced.cos() + FIELD_WEIGHT * o.cos(),
                );
                s.atan2(c)
            } else {
                traced
            };
            cands.push(Cand {
                p: i,
                bif,
                angle,
                far,
            });
        }
    }
    let near = |a: usize, b: usize, d: f32| {
        let (ax, ay, bx, by) = (
            (a % w) as f32,
            (a / w) as f32,
            (b % w) as f32,
            (b / w) as f32,
        );
        (ax - bx).powi(2) + (ay - by).powi(2) <= d * d
    };
    let mut drop = vec![false; cands.len()];
    // Spurs, fragments, bridges: a short walk reaches another minutia.
    for i in 0..cands.len() {
        for s in &cands[i].far {
            let hit = match s {
                Stop::End(p) | Stop::Junction(p) => Some(*p),
                Stop::Far(_) => None,
            };
            if let Some(p) = hit {
                for j in 0..cands.len() {
                    if j != i && near(cands[j].p, p, 2.5) {
                        drop[i] = true;
                        drop[j] = true;
                    }
                }
                if let Stop::End(_) = s {
                    // A short isolated fragment or a spur whose other end was not detected.
                    if !cands[i].bif {
                        drop[i] = true;
                    }
                }
            }
        }
    }
    // Broken ridges and clusters.
    for i in 0..cands.len() {
        for j in i + 1..cands.len() {
            let (a, b) = (&cands[i], &cands[j]);
            let broken = !a.bif
                && !b.bif
                && near(a.p, b.p, BREAK)
                && angle_diff(a.angle, b.angle).abs() > 2.0 * PI / 3.0;
            // A longer gap in one ridge: each ending points along its ridge straight away from the other.
            let gap = !a.bif && !b.bif && near(a.p, b.p, GAP) && {
                let v = dir(w, a.p, b.p);
                angle_diff(a.angle, v + PI).abs() < GAP_TURN
                    && angle_diff(b.angle, v).abs() < GAP_TURN
            };
            if near(a.p, b.p, CLUSTER) || broken || gap {
                drop[i] = true;
                drop[j] = true;
            }
        }
    }
    if std::env::var("FPDEBUG").is_ok() {
        eprintln!(
            "candidates {} dropped {}",
            cands.len(),
            drop.iter().filter(|d| **d).count()
        );
    }
    cands
        .iter()
        .zip(&drop)
        .filter(|(_, d)| !**d)
        .map(|(c, _)| {
            let (x, y) = (c.p % w, c.p / w);
            let b = (y / BLOCK) * bw + x / BLOCK;
            let border = (dist[b] as f32 / 4.0).min(1.0);
            let q = (field.coherence[b] * 1.4).min(1.0) * (0.5 + 0.5 * border);
            Found {
                x,
                y,
                angle: c.angle,
                bifurcation: c.bif,
                quality: (q * 100.0).round().clamp(1.0, 100.0) as u8,
            }
        })
        .collect()
}

/// Chebyshev distance of each block to the nearest background block or the image edge, in blocks (two-pass transform).
fn border_distance(fg: &[bool], bw: usize, bh: usize) -> Vec<i32> {
    let mut d: Vec<i32> = (0..bw * bh)
        .map(|i| {
            let (x, y) = (i % bw, i / bw);
            if !fg[i] {
                0
            } else {
                (x as i32 + 1)
                    .min(y as i32 + 1)
                    .min((bw - x) as i32)
                    .min((bh - y) as i32)
            }
        })
        .collect();
    for y in 0..bh {
        for x in 0..bw {
            let i = y * bw + x;
            for (dx, dy) in [(-1i32, 0i32), (-1, -1), (0, -1), (1, -1)] {
                let (nx, ny) = (x as i32 + dx, y as i32 + dy);
                if nx >= 0 && ny >= 0 && (nx as usize) < bw {
                    d[i] = d[i].min(d[ny as usize * bw + nx as usize] + 1);
                }
            }
        }
    }
    for y in (0..bh).rev() {
        for x in (0..bw).rev() {
            let i = y * bw + x;
            for (dx, dy) in [(1i32, 0i32), (1, 1), (0, 1), (-1, 1)] {
                let (nx, ny) = (x as i32 + dx, y as i32 + dy);
                if nx >= 0 && (nx as usize) < bw && (ny as usize) < bh {
                    d[i] = d[i].min(d[ny as usize * bw + nx as usize] + 1);
                }
            }
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(bw: usize, bh: usize, orientation: Vec<f32>) -> Field {
        Field {
            bw,
            bh,
            orientation,
            coherence: vec![0.8; bw * bh],
            foreground: vec![true; bw * bh],
        }
    }

    #[test]
    fn orientation_at_a_block_centre_is_the_blocks() {
        let f = field(3, 3, (0..9).map(|k| 0.1 * k as f32).collect());
        // Block (1, 1)'s centre lies at pixel 11.5; pixel 12 is a sixteenth of a block past it.
        let o = orientation_at(&f, 12, 12);
        assert!((o - 0.4).abs() < 0.06, "{o}");
        let plain = field(3, 3, vec![1.0; 9]);
        for (x, y) in [(0, 0), (5, 17), (23, 23)] {
            assert!(angle_diff(orientation_at(&plain, x, y), 1.0).abs() < 1e-4);
        }
    }

    #[test]
    fn orientation_at_averages_modulo_pi() {
        // Orientations just either side of the horizontal (0.1 and π − 0.1) average to 0, not π/2.
        let f = field(2, 1, vec![0.1, PI - 0.1]);
        let o = orientation_at(&f, 8, 4);
        assert!(angle_diff(2.0 * o, 0.0).abs() < 0.05, "{o}");
    }
}
