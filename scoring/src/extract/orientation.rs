//! Foreground segmentation and the orientation field, per block of 8 × 8 pixels.
//!
//! In plain words: the gray-level gradient points across the ridges. Squaring it as a complex
//! number (doubling its angle) makes opposite gradients agree, so gradients can be summed over a
//! window; half the angle of the sum, turned a quarter turn, is the ridge direction, and the
//! length of the sum relative to the summed gradient energy (the coherence) says how clean the
//! ridges are. Blocks whose gray-level spread is low are background.
//!
//! The window sums come from summed-area tables (fast); `window_sums_naive` adds the pixels
//! one by one and must agree.

use super::plane::Plane;

/// Block side in pixels.
pub(crate) const BLOCK: usize = 8;
/// Half the window side around a block's centre used for its sums.
const HALF_WINDOW: usize = 8;

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

/// The three gradient moments summed over each block's window: (Σ gx²−gy², Σ 2·gx·gy, Σ gx²+gy²),
/// plus the gray mean and variance over the window.
pub(crate) type Sums = Vec<[f64; 5]>;

#[cfg(test)]
fn gradients(img: &Plane) -> [Plane; 5] {
    let (w, h) = (img.w, img.h);
    let mut out = [
        Plane::new(w, h),
        Plane::new(w, h),
        Plane::new(w, h),
        Plane::new(w, h),
        Plane::new(w, h),
    ];
    for y in 0..h {
        for x in 0..w {
            let (xi, yi) = (x as isize, y as isize);
            let p = |dx: isize, dy: isize| img.clamped(xi + dx, yi + dy);
            let gx = (p(1, -1) + 2.0 * p(1, 0) + p(1, 1)) - (p(-1, -1) + 2.0 * p(-1, 0) + p(-1, 1));
            let gy = (p(-1, 1) + 2.0 * p(0, 1) + p(1, 1)) - (p(-1, -1) + 2.0 * p(0, -1) + p(1, -1));
            let i = y * w + x;
            let v = img.data[i];
            out[0].data[i] = gx * gx - gy * gy;
            out[1].data[i] = 2.0 * gx * gy;
            out[2].data[i] = gx * gx + gy * gy;
            out[3].data[i] = v;
            out[4].data[i] = v * v;
        }
    }
    out
}

fn block_window(b: usize, limit: usize) -> (usize, usize) {
    let c = b * BLOCK + BLOCK / 2;
    (c.saturating_sub(HALF_WINDOW), (c + HALF_WINDOW).min(limit))
}

/// Window sums, fast: each pixel's five values are added once into its 4 × 4 cell, and each
/// block's 16 × 16 window (which starts half a block before the block) is the sum of 4 × 4 cells.
pub(crate) fn window_sums(img: &Plane) -> (usize, usize, Sums) {
    const CELL: usize = 4;
    let (w, h) = (img.w, img.h);
    let (bw, bh) = (w.div_ceil(BLOCK), h.div_ceil(BLOCK));
    // Cells cover [-4, w + 8) so that every window is whole cells; cell cx covers x in [4(cx-1), 4cx).
    let (cw, ch) = (w.div_ceil(CELL) + 3, h.div_ceil(CELL) + 3);
    let mut cells = vec![[0.0f64; 5]; cw * ch];
    let d = &img.data;
    for y in 0..h {
        let interior_y = y >= 1 && y + 1 < h;
        let crow = (y / CELL + 1) * cw;
        let mut acc = [0.0f64; 5];
        for x in 0..w {
            let (gx, gy) = if interior_y && x >= 1 && x + 1 < w {
                let i = y * w + x;
                let (up, dn) = (i - w, i + w);
                let gx = (d[up + 1] + 2.0 * d[i + 1] + d[dn + 1])
                    - (d[up - 1] + 2.0 * d[i - 1] + d[dn - 1]);
                let gy =
                    (d[dn - 1] + 2.0 * d[dn] + d[dn + 1]) - (d[up - 1] + 2.0 * d[up] + d[up + 1]);
                (gx, gy)
            } else {
                sobel(img, x, y)
            };
            let v = d[y * w + x];
            acc[0] += (gx * gx - gy * gy) as f64;
            acc[1] += (2.0 * gx * gy) as f64;
            acc[2] += (gx * gx + gy * gy) as f64;
            acc[3] += v as f64;
            acc[4] += (v * v) as f64;
            if x % CELL == CELL - 1 || x + 1 == w {
                let c = &mut cells[crow + x / CELL + 1];
                for k in 0..5 {
                    c[k] += acc[k];
                }
                acc = [0.0; 5];
            }
        }
    }
    let mut sums = vec![[0.0f64; 5]; bw * bh];
    for by in 0..bh {
        for bx in 0..bw {
            let s = &mut sums[by * bw + bx];
            // Window [8b - 4, 8b + 12) = cells 2b .. 2b + 4 in the shifted numbering.
            for cy in 2 * by..2 * by + 4 {
                for cx in 2 * bx..2 * bx + 4 {
                    let c = &cells[cy * cw + cx];
                    for k in 0..5 {
                        s[k] += c[k];
                    }
                }
            }
        }
    }
    (bw, bh, sums)
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
pub(crate) fn window_sums_naive(img: &Plane) -> (usize, usize, Sums) {
    let g = gradients(img);
    let (w, h) = (img.w, img.h);
    let (bw, bh) = (w.div_ceil(BLOCK), h.div_ceil(BLOCK));
    let mut sums = vec![[0.0f64; 5]; bw * bh];
    for by in 0..bh {
        let (y0, y1) = block_window(by, h);
        for bx in 0..bw {
            let (x0, x1) = block_window(bx, w);
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

/// Computes the block field: orientation smoothed over 5 × 5 blocks, coherence, and a cleaned-up foreground mask.
pub(crate) fn field(img: &Plane) -> Field {
    let (bw, bh, sums) = window_sums(img);
    let n = bw * bh;
    let area = |by: usize, bx: usize| {
        let (y0, y1) = block_window(by, img.h);
        let (x0, x1) = block_window(bx, img.w);
        ((y1 - y0) * (x1 - x0)) as f64
    };
    // Foreground: gray-level standard deviation above a share of the image's typical ridge contrast.
    let mut std = vec![0.0f32; n];
    for by in 0..bh {
        for bx in 0..bw {
            let s = &sums[by * bw + bx];
            let a = area(by, bx);
            let mean = s[3] / a;
            std[by * bw + bx] = ((s[4] / a - mean * mean).max(0.0)).sqrt() as f32;
        }
    }
    let mut sorted = std.clone();
    sorted.sort_by(f32::total_cmp);
    let p90 = sorted[(sorted.len() * 9 / 10).min(sorted.len() - 1)];
    let thr = (0.3 * p90).max(4.0);
    let mut fg: Vec<bool> = std.iter().map(|&s| s > thr).collect();
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
            let (_, _, fast) = window_sums(&img);
            let (_, _, slow) = window_sums_naive(&img);
            for (a, b) in fast.iter().zip(&slow) {
                for c in 0..5 {
                    prop_assert!((a[c] - b[c]).abs() <= 1e-6 * b[c].abs().max(1.0), "{} vs {}", a[c], b[c]);
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
