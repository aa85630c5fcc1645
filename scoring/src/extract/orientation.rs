//! Foreground segmentation and the orientation field, per block of 8 × 8 pixels.
//!
//! In plain words: the gray-level gradient points across the ridges. Squaring it as a complex
//! number (doubling its angle) makes opposite gradients agree, so gradients can be summed over a
//! window; half the angle of the sum, turned a quarter turn, is the ridge direction, and the
//! length of the sum relative to the summed gradient energy (the coherence) says how clean the
//! ridges are.
//!
//! The finger is where the gradients *agree*: a block is foreground when the length of its
//! summed doubled-angle gradient over a 24 × 24 window (the part of the gradient energy that
//! runs one way) is a fair share of the image's typical value. Ridges give a long sum; the
//! grainy, patchy background of a capacitive sensor and the blotches where the contact fades
//! have as much gray-level spread as ridges but gradients pointing every way, so their sum is
//! short. (The gray-level spread alone was used before and let those areas in.)
//!
//! The window sums come from 4 × 4 pixel cells (fast); `window_sums_naive` adds the pixels
//! one by one and must agree.

use super::plane::Plane;

/// Block side in pixels.
pub(crate) const BLOCK: usize = 8;
/// Half the window side around a block's centre for the orientation and coherence sums (16 × 16).
const HALF_WINDOW: usize = 8;
/// Half the window side around a block's centre for the foreground measure (24 × 24).
const MASK_HALF_WINDOW: usize = 12;
/// A block is foreground when its measure exceeds this share of the image's 90th percentile.
const MASK_SHARE: f64 = 0.3;
/// ... and this absolute floor (a blank or flat image has no foreground).
const MASK_FLOOR: f64 = 4.0;
/// Cell side of the fast window sums, pixels (windows are whole cells).
const CELL: usize = 4;

/// Per-block field: orientation (radians, image coordinates with y down, along the ridges, 0..π),
/// coherence (0..1), and foreground flag.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub bw: usize,
    pub bh: usize,
    pub orientation: Vec<f32>,
    pub coherence: Vec<f32>,
    pub foreground: Vec<bool>,
}

/// The three gradient moments summed over each block's window: (Σ gx²−gy², Σ 2·gx·gy, Σ gx²+gy²).
pub(crate) type Sums = Vec<[f64; 3]>;

#[cfg(test)]
fn gradients(img: &Plane) -> [Plane; 3] {
    let (w, h) = (img.w, img.h);
    let mut out = [Plane::new(w, h), Plane::new(w, h), Plane::new(w, h)];
    for y in 0..h {
        for x in 0..w {
            let (xi, yi) = (x as isize, y as isize);
            let p = |dx: isize, dy: isize| img.clamped(xi + dx, yi + dy);
            let gx = (p(1, -1) + 2.0 * p(1, 0) + p(1, 1)) - (p(-1, -1) + 2.0 * p(-1, 0) + p(-1, 1));
            let gy = (p(-1, 1) + 2.0 * p(0, 1) + p(1, 1)) - (p(-1, -1) + 2.0 * p(0, -1) + p(1, -1));
            let i = y * w + x;
            out[0].data[i] = gx * gx - gy * gy;
            out[1].data[i] = 2.0 * gx * gy;
            out[2].data[i] = gx * gx + gy * gy;
        }
    }
    out
}

/// The pixel range [start, end) of the window of half side `half` around block `b`'s centre, cut to the image.
fn block_window(b: usize, half: usize, limit: usize) -> (usize, usize) {
    let c = b * BLOCK + BLOCK / 2;
    (c.saturating_sub(half), (c + half).min(limit))
}

/// The gradient moments of every pixel added into 4 × 4 pixel cells, with `pad` empty cells
/// before the image on each axis so that every block's window is whole cells.
struct Cells {
    cw: usize,
    pad: usize,
    sums: Vec<[f64; 3]>,
}

impl Cells {
    fn new(img: &Plane, pad: usize) -> Cells {
        let (w, h) = (img.w, img.h);
        let (bw, bh) = (w.div_ceil(BLOCK), h.div_ceil(BLOCK));
        // Cell cx covers x in [4(cx − pad), 4(cx − pad) + 4); enough cells for the last block's window.
        let (cw, ch) = (2 * bw + 2 * pad, 2 * bh + 2 * pad);
        let mut sums = vec![[0.0f64; 3]; cw * ch];
        let d = &img.data;
        for y in 0..h {
            let interior_y = y >= 1 && y + 1 < h;
            let crow = (y / CELL + pad) * cw;
            let mut acc = [0.0f64; 3];
            for x in 0..w {
                let (gx, gy) = if interior_y && x >= 1 && x + 1 < w {
                    let i = y * w + x;
                    let (up, dn) = (i - w, i + w);
                    let gx = (d[up + 1] + 2.0 * d[i + 1] + d[dn + 1])
                        - (d[up - 1] + 2.0 * d[i - 1] + d[dn - 1]);
                    let gy = (d[dn - 1] + 2.0 * d[dn] + d[dn + 1])
                        - (d[up - 1] + 2.0 * d[up] + d[up + 1]);
                    (gx, gy)
                } else {
                    sobel(img, x, y)
                };
                acc[0] += (gx * gx - gy * gy) as f64;
                acc[1] += (2.0 * gx * gy) as f64;
                acc[2] += (gx * gx + gy * gy) as f64;
                if x % CELL == CELL - 1 || x + 1 == w {
                    let c = &mut sums[crow + x / CELL + pad];
                    for k in 0..3 {
                        c[k] += acc[k];
                    }
                    acc = [0.0; 3];
                }
            }
        }
        Cells { cw, pad, sums }
    }

    /// Each block's window of half side `half` (a multiple of the cell side, at most `4 · pad + 4`).
    fn windows(&self, bw: usize, bh: usize, half: usize) -> Sums {
        let k = half / CELL;
        debug_assert!(half.is_multiple_of(CELL) && k <= self.pad + 1);
        let mut out = vec![[0.0f64; 3]; bw * bh];
        for by in 0..bh {
            // Window [8b + 4 − half, 8b + 4 + half) = cells 2b + 1 + pad − k .. 2b + 1 + pad + k.
            let cy0 = 2 * by + 1 + self.pad - k;
            for bx in 0..bw {
                let cx0 = 2 * bx + 1 + self.pad - k;
                let s = &mut out[by * bw + bx];
                for cy in cy0..cy0 + 2 * k {
                    for c in &self.sums[cy * self.cw + cx0..cy * self.cw + cx0 + 2 * k] {
                        for q in 0..3 {
                            s[q] += c[q];
                        }
                    }
                }
            }
        }
        out
    }
}

/// Window sums of half side `half` (8 or 12 pixels), fast: each pixel's values are added once
/// into its 4 × 4 cell, and each block's window is a sum of whole cells (what [`field`] uses).
#[cfg(test)]
pub(crate) fn window_sums(img: &Plane, half: usize) -> (usize, usize, Sums) {
    let (bw, bh) = (img.w.div_ceil(BLOCK), img.h.div_ceil(BLOCK));
    let cells = Cells::new(img, MASK_HALF_WINDOW / CELL);
    (bw, bh, cells.windows(bw, bh, half))
}

/// The Sobel gradient at (x, y), with coordinates clamped at the edges.
fn sobel(img: &Plane, x: usize, y: usize) -> (f32, f32) {
    let (xi, yi) = (x as isize, y as isize);
    let p = |dx: isize, dy: isize| img.clamped(xi + dx, yi + dy);
    let gx = (p(1, -1) + 2.0 * p(1, 0) + p(1, 1)) - (p(-1, -1) + 2.0 * p(-1, 0) + p(-1, 1));
    let gy = (p(-1, 1) + 2.0 * p(0, 1) + p(1, 1)) - (p(-1, -1) + 2.0 * p(0, -1) + p(1, -1));
    (gx, gy)
}

/// Window sums by adding every pixel of every window (the reference for [`window_sums`]).
#[cfg(test)]
pub(crate) fn window_sums_naive(img: &Plane, half: usize) -> (usize, usize, Sums) {
    let g = gradients(img);
    let (w, h) = (img.w, img.h);
    let (bw, bh) = (w.div_ceil(BLOCK), h.div_ceil(BLOCK));
    let mut sums = vec![[0.0f64; 3]; bw * bh];
    for by in 0..bh {
        let (y0, y1) = block_window(by, half, h);
        for bx in 0..bw {
            let (x0, x1) = block_window(bx, half, w);
            for (c, plane) in g.iter().enumerate() {
                let mut s = 0.0f64;
                for y in y0..y1 {
                    for x in x0..x1 {
                        s += plane.data[y * w + x] as f64;
                    }
                }
                sums[by * bw + bx][c] = s;
            }
        }
    }
    (bw, bh, sums)
}

/// Computes the block field: orientation smoothed over 3 × 3 blocks, coherence, and a cleaned-up foreground mask.
pub(crate) fn field(img: &Plane) -> Field {
    let (bw, bh) = (img.w.div_ceil(BLOCK), img.h.div_ceil(BLOCK));
    let cells = Cells::new(img, MASK_HALF_WINDOW / CELL);
    let sums = cells.windows(bw, bh, HALF_WINDOW);
    let n = bw * bh;
    // Foreground: the coherent gradient energy per pixel (its square root, a gray-level contrast)
    // above a share of the image's typical value.
    let wide = cells.windows(bw, bh, MASK_HALF_WINDOW);
    let mut measure = vec![0.0f64; n];
    for by in 0..bh {
        let (y0, y1) = block_window(by, MASK_HALF_WINDOW, img.h);
        for bx in 0..bw {
            let (x0, x1) = block_window(bx, MASK_HALF_WINDOW, img.w);
            let s = &wide[by * bw + bx];
            let area = ((y1 - y0) * (x1 - x0)) as f64;
            measure[by * bw + bx] = ((s[0] * s[0] + s[1] * s[1]).sqrt() / area).sqrt();
        }
    }
    let mut sorted = measure.clone();
    sorted.sort_by(f64::total_cmp);
    let p90 = sorted[(sorted.len() * 9 / 10).min(sorted.len() - 1)];
    let thr = (MASK_SHARE * p90).max(MASK_FLOOR);
    let mut fg: Vec<bool> = measure.iter().map(|&m| m > thr).collect();
    // Coherence of the raw sums.
    let mut coherence = vec![0.0f32; n];
    for i in 0..n {
        let s = &sums[i];
        coherence[i] = if s[2] > 0.0 {
            ((s[0] * s[0] + s[1] * s[1]).sqrt() / s[2]) as f32
        } else {
            0.0
        };
    }
    clean_mask(&mut fg, bw, bh);
    // Orientation: average the doubled-angle vectors over 5 × 5 blocks.
    let mut orientation = vec![0.0f32; n];
    for by in 0..bh {
        for bx in 0..bw {
            let (mut c, mut s) = (0.0f64, 0.0f64);
            for y in by.saturating_sub(1)..(by + 2).min(bh) {
                for x in bx.saturating_sub(1)..(bx + 2).min(bw) {
                    let q = &sums[y * bw + x];
                    let e = q[2].max(1e-9);
                    // Normalise each block so one strong block does not dominate.
                    c += q[0] / e;
                    s += q[1] / e;
                }
            }
            let grad = 0.5 * s.atan2(c) as f32;
            orientation[by * bw + bx] =
                (grad + std::f32::consts::FRAC_PI_2).rem_euclid(std::f32::consts::PI);
        }
    }
    Field {
        bw,
        bh,
        orientation,
        coherence,
        foreground: fg,
    }
}

/// Majority-smooths the block mask, keeps its largest 4-connected part and fills its holes.
fn clean_mask(fg: &mut [bool], bw: usize, bh: usize) {
    for _ in 0..2 {
        let old = fg.to_vec();
        for by in 0..bh {
            for bx in 0..bw {
                let mut on = 0;
                let mut all = 0;
                for y in by.saturating_sub(1)..(by + 2).min(bh) {
                    for x in bx.saturating_sub(1)..(bx + 2).min(bw) {
                        on += old[y * bw + x] as usize;
                        all += 1;
                    }
                }
                fg[by * bw + bx] = on * 2 > all;
            }
        }
    }
    // Largest component.
    let mut label = vec![0u32; fg.len()];
    let mut best = (0u32, 0usize);
    let mut next = 0u32;
    let mut stack = Vec::new();
    for start in 0..fg.len() {
        if !fg[start] || label[start] != 0 {
            continue;
        }
        next += 1;
        let mut size = 0;
        stack.push(start);
        label[start] = next;
        while let Some(i) = stack.pop() {
            size += 1;
            let (x, y) = (i % bw, i / bw);
            let mut push = |j: usize| {
                if fg[j] && label[j] == 0 {
                    label[j] = next;
                    stack.push(j);
                }
            };
            if x > 0 {
                push(i - 1);
            }
            if x + 1 < bw {
                push(i + 1);
            }
            if y > 0 {
                push(i - bw);
            }
            if y + 1 < bh {
                push(i + bw);
            }
        }
        if size > best.1 {
            best = (next, size);
        }
    }
    for i in 0..fg.len() {
        fg[i] = label[i] == best.0 && best.0 != 0;
    }
    // Fill holes: background not reachable from the border becomes foreground.
    let mut outside = vec![false; fg.len()];
    for i in 0..fg.len() {
        let (x, y) = (i % bw, i / bw);
        if !fg[i] && (x == 0 || y == 0 || x + 1 == bw || y + 1 == bh) {
            outside[i] = true;
            stack.push(i);
        }
    }
    while let Some(i) = stack.pop() {
        let (x, y) = (i % bw, i / bw);
        let mut nb = Vec::with_capacity(4);
        if x > 0 {
            nb.push(i - 1);
        }
        if x + 1 < bw {
            nb.push(i + 1);
        }
        if y > 0 {
            nb.push(i - bw);
        }
        if y + 1 < bh {
            nb.push(i + bw);
        }
        for j in nb {
            if !fg[j] && !outside[j] {
                outside[j] = true;
                stack.push(j);
            }
        }
    }
    for i in 0..fg.len() {
        fg[i] = !outside[i];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]
        #[test]
        fn summed_area_tables_equal_naive_sums(w in 1usize..40, h in 1usize..40, seed in any::<u64>()) {
            let mut img = Plane::new(w, h);
            let mut s = seed | 1;
            for v in &mut img.data {
                s ^= s << 13; s ^= s >> 7; s ^= s << 17;
                *v = (s % 256) as f32;
            }
            for half in [HALF_WINDOW, MASK_HALF_WINDOW] {
                let (_, _, fast) = window_sums(&img, half);
                let (_, _, slow) = window_sums_naive(&img, half);
                prop_assert_eq!(fast.len(), slow.len());
                for (a, b) in fast.iter().zip(&slow) {
                    for c in 0..3 {
                        prop_assert!((a[c] - b[c]).abs() <= 1e-6 * b[c].abs().max(1.0), "{} vs {}", a[c], b[c]);
                    }
                }
            }
        }
    }

    #[test]
    fn vertical_stripes_have_vertical_ridges() {
        let mut img = Plane::new(64, 64);
        for y in 0..64 {
            for x in 0..64 {
                img.data[y * 64 + x] =
                    128.0 + 100.0 * (x as f32 * std::f32::consts::TAU / 9.0).sin();
            }
        }
        let f = field(&img);
        let o = f.orientation[(4 * f.bw) + 4];
        assert!((o - std::f32::consts::FRAC_PI_2).abs() < 0.05, "{o}");
        assert!(f.coherence[4 * f.bw + 4] > 0.8);
        assert!(f.foreground.iter().all(|&b| b));
    }
}
