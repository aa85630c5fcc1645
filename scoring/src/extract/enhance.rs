//! Contextual enhancement and binarisation.
//!
//! In plain words: each pixel is first averaged with its neighbours along the local ridge
//! direction, 6 pixels each way with Gaussian weights (σ = 3.5 pixels), which bridges pores,
//! blotches and small breaks and removes noise; then it is filtered across the
//! ridges with a one-dimensional even Gabor wave: a cosine of the local ridge period under a
//! Gaussian whose spread is 0.4 of that period (about one ridge and its two valleys). Ridges come
//! out as positive humps and valleys as negative ones; the sign is the binary ridge map, cleaned
//! of small specks and pores (`clean.rs`). This is the classic oriented Gabor filter split into
//! two one-dimensional passes, which costs about 28 samples a pixel instead of several hundred.
//!
//! A second, lighter pass (a plain 9-pixel mean along the ridge, the rest the same) is run for
//! the minutiae that the strong smoothing erases (`union.rs`).
//!
//! The ridge period is measured per block from the autocorrelation of the profile across the
//! ridges, then averaged over the 9 × 9 blocks around it (72 pixels): one measurement is noisy (a
//! blotch or a pore moves the peak by a pixel or two) while the true period changes slowly over a
//! finger. Directions are quantised to 16 steps of π/16, periods to whole pixels (5 to 14 at
//! 500 ppi), and the sample offsets and weights for each step are computed once, the offsets
//! also as steps in the pixel array for pixels away from the edges (`oriented_sum_naive` in the
//! tests is the plain sum, and a property test checks that both agree bit for bit).

use super::clean::{MAX_HOLE, MIN_ISLAND, clean};
use super::orientation::{BLOCK, Field};
use super::plane::Plane;
use std::f32::consts::{PI, TAU};

const ANGLES: usize = 16;
/// Along-ridge smoothing half-length, pixels.
const ALONG: isize = 6;
/// Spread of the along-ridge Gaussian weights, pixels.
const ALONG_SIGMA: f32 = 3.5;
/// Along-ridge half-length of the second, lighter pass (a plain 9-pixel mean), pixels.
const LIGHT_ALONG: isize = 4;
/// Across-ridge filter half-length, pixels.
const ACROSS: isize = 7;
/// Spread of the across-ridge Gaussian envelope, as a fraction of the ridge period.
const ACROSS_SIGMA: f32 = 0.4;
const MIN_PERIOD: usize = 5;
const MAX_PERIOD: usize = 14;
/// Measured periods are averaged over this many blocks each way (a 9 × 9-block window).
const PERIOD_RADIUS: usize = 4;
/// The ridge period assumed where it cannot be measured, pixels at 500 ppi.
const DEFAULT_PERIOD: f32 = 9.0;

/// The weighted sum of `img` at (x, y) + each offset `offs[k]` times `weights[k]`; edge pixels
/// repeat outward. `lin` holds the same offsets as steps in the pixel array (`dy · w + dx`), used
/// away from the edges (the sum is then exactly [`oriented_sum_naive`]'s, in the same order).
#[inline]
fn oriented_sum(
    img: &Plane,
    x: usize,
    y: usize,
    offs: &[(isize, isize)],
    lin: &[isize],
    weights: &[f32],
) -> f32 {
    let reach = offs.len() / 2;
    let inside = x >= reach && y >= reach && x + reach < img.w && y + reach < img.h;
    let mut s = 0.0;
    if inside {
        let c = (y * img.w + x) as isize;
        for (&o, &wt) in lin.iter().zip(weights) {
            s += wt * img.data[(c + o) as usize];
        }
    } else {
        let (xi, yi) = (x as isize, y as isize);
        for (&(dx, dy), &wt) in offs.iter().zip(weights) {
            s += wt * img.clamped(xi + dx, yi + dy);
        }
    }
    s
}

/// The offsets as steps in a pixel array `w` wide.
fn linear(offs: &[(isize, isize)], w: usize) -> Vec<isize> {
    offs.iter().map(|&(dx, dy)| dy * w as isize + dx).collect()
}

fn bin_of(theta: f32) -> usize {
    ((theta.rem_euclid(PI) / PI * ANGLES as f32).round() as usize) % ANGLES
}

fn offsets(bin: usize, half: isize, across: bool) -> Vec<(isize, isize)> {
    let a = bin as f32 * PI / ANGLES as f32;
    let (s, c) = a.sin_cos();
    // Along the ridge (cos, sin) in image coordinates; across is its normal (-sin, cos).
    let (dx, dy) = if across { (-s, c) } else { (c, s) };
    (-half..=half)
        .map(|t| {
            (
                (t as f32 * dx).round() as isize,
                (t as f32 * dy).round() as isize,
            )
        })
        .collect()
}

/// Ridge period per block, measured by autocorrelation of the smoothed profile across the ridges.
fn periods(sm: &Plane, field: &Field) -> Vec<f32> {
    let (bw, bh) = (field.bw, field.bh);
    let mut raw = vec![f32::NAN; bw * bh];
    let profile_half = 16isize;
    let offs: Vec<Vec<(isize, isize)>> = (0..ANGLES)
        .map(|b| offsets(b, profile_half, true))
        .collect();
    let mut prof = Vec::with_capacity(33);
    for by in 0..bh {
        for bx in 0..bw {
            let i = by * bw + bx;
            if !field.foreground[i] {
                continue;
            }
            let (cx, cy) = (
                (bx * BLOCK + BLOCK / 2) as isize,
                (by * BLOCK + BLOCK / 2) as isize,
            );
            prof.clear();
            prof.extend(
                offs[bin_of(field.orientation[i])]
                    .iter()
                    .map(|&(dx, dy)| sm.clamped(cx + dx, cy + dy)),
            );
            let mean = prof.iter().sum::<f32>() / prof.len() as f32;
            prof.iter_mut().for_each(|v| *v -= mean);
            let e0: f32 = prof.iter().map(|v| v * v).sum();
            if e0 <= 1e-3 {
                continue;
            }
            let mut best = (0.0f32, 0usize);
            for lag in MIN_PERIOD..=MAX_PERIOD {
                let c: f32 = (0..prof.len() - lag)
                    .map(|k| prof[k] * prof[k + lag])
                    .sum::<f32>()
                    / e0;
                if c > best.0 {
                    best = (c, lag);
                }
            }
            if best.0 > 0.25 {
                raw[i] = best.1 as f32;
            }
        }
    }
    smooth_periods(&raw, bw, bh)
}

/// The mean of the measured periods (finite values of `raw`) over the (2 · [`PERIOD_RADIUS`] + 1)²
/// blocks around each block, [`DEFAULT_PERIOD`] where none was measured. Fast: the sums and counts
/// are box-summed along the rows, then along the columns.
fn smooth_periods(raw: &[f32], bw: usize, bh: usize) -> Vec<f32> {
    let r = PERIOD_RADIUS;
    // Row pass: (sum, count) over x - r ..= x + r within the row.
    let mut rows = vec![(0.0f32, 0u32); bw * bh];
    for y in 0..bh {
        let line = &raw[y * bw..(y + 1) * bw];
        let (mut s, mut n) = (0.0f32, 0u32);
        // The window of x = 0 holds x = 0 ..= r; each step adds x + r and drops x - r - 1.
        for &v in line.iter().take(r) {
            if v.is_finite() {
                s += v;
                n += 1;
            }
        }
        for x in 0..bw {
            if let Some(&v) = line.get(x + r).filter(|v| v.is_finite()) {
                s += v;
                n += 1;
            }
            if let Some(&v) = x
                .checked_sub(r + 1)
                .map(|k| &line[k])
                .filter(|v| v.is_finite())
            {
                s -= v;
                n -= 1;
            }
            rows[y * bw + x] = (s, n);
        }
    }
    // Column pass over the row sums.
    let mut out = vec![DEFAULT_PERIOD; bw * bh];
    for x in 0..bw {
        let (mut s, mut n) = (0.0f32, 0u32);
        for y in 0..r.min(bh) {
            s += rows[y * bw + x].0;
            n += rows[y * bw + x].1;
        }
        for y in 0..bh {
            if y + r < bh {
                s += rows[(y + r) * bw + x].0;
                n += rows[(y + r) * bw + x].1;
            }
            if let Some(k) = y.checked_sub(r + 1) {
                s -= rows[k * bw + x].0;
                n -= rows[k * bw + x].1;
            }
            if n > 0 {
                out[y * bw + x] = s / n as f32;
            }
        }
    }
    out
}

/// The same, the plain way: every block adds up its whole window.
#[cfg(test)]
fn smooth_periods_naive(raw: &[f32], bw: usize, bh: usize) -> Vec<f32> {
    let r = PERIOD_RADIUS;
    let mut out = vec![DEFAULT_PERIOD; bw * bh];
    for by in 0..bh {
        for bx in 0..bw {
            let (mut s, mut n) = (0.0f32, 0u32);
            for y in by.saturating_sub(r)..(by + r + 1).min(bh) {
                for x in bx.saturating_sub(r)..(bx + r + 1).min(bw) {
                    let v = raw[y * bw + x];
                    if v.is_finite() {
                        s += v;
                        n += 1;
                    }
                }
            }
            if n > 0 {
                out[by * bw + bx] = s / n as f32;
            }
        }
    }
    out
}

/// Enhances `img` (ridges dark) and returns the binary ridge map (true = ridge), false outside the
/// foreground, cleaned of small ridge specks and valley holes.
pub(crate) fn binarise(img: &Plane, field: &Field) -> Vec<bool> {
    binarise_with(img, field, ALONG, ALONG_SIGMA)
}

/// [`binarise`] with the lighter along-ridge smoothing of the second pass: a plain mean over
/// [`LIGHT_ALONG`] pixels each way.
pub(crate) fn binarise_light(img: &Plane, field: &Field) -> Vec<bool> {
    binarise_with(img, field, LIGHT_ALONG, f32::INFINITY)
}

/// [`binarise`] with an along-ridge Gaussian of spread `along_sigma` over `along_half` pixels
/// each way (an infinite spread gives equal weights: a plain mean).
fn binarise_with(img: &Plane, field: &Field, along_half: isize, along_sigma: f32) -> Vec<bool> {
    let (w, h) = (img.w, img.h);
    let bw = field.bw;
    let block_of = |x: usize, y: usize| (y / BLOCK) * bw + x / BLOCK;
    let along: Vec<Vec<(isize, isize)>> =
        (0..ANGLES).map(|b| offsets(b, along_half, false)).collect();
    let across: Vec<Vec<(isize, isize)>> = (0..ANGLES).map(|b| offsets(b, ACROSS, true)).collect();
    let along_lin: Vec<Vec<isize>> = along.iter().map(|o| linear(o, w)).collect();
    let across_lin: Vec<Vec<isize>> = across.iter().map(|o| linear(o, w)).collect();
    // Across-ridge weights per period: an even Gabor wave made zero-mean; ridges (dark) give positive output.
    let weights: Vec<Vec<f32>> = (MIN_PERIOD..=MAX_PERIOD)
        .map(|p| {
            let sigma = ACROSS_SIGMA * p as f32;
            let mut wts: Vec<f32> = (-ACROSS..=ACROSS)
                .map(|t| {
                    -(-(t * t) as f32 / (2.0 * sigma * sigma)).exp()
                        * (TAU * t as f32 / p as f32).cos()
                })
                .collect();
            let mean = wts.iter().sum::<f32>() / wts.len() as f32;
            wts.iter_mut().for_each(|v| *v -= mean);
            wts
        })
        .collect();
    let bins: Vec<usize> = field.orientation.iter().map(|&o| bin_of(o)).collect();
    // Along-ridge weights: a Gaussian, summing to one.
    let along_weights: Vec<f32> = {
        let g: Vec<f32> = (-along_half..=along_half)
            .map(|t| (-(t * t) as f32 / (2.0 * along_sigma * along_sigma)).exp())
            .collect();
        let total: f32 = g.iter().sum();
        g.iter().map(|v| v / total).collect()
    };
    // Pass 1: along-ridge weighted mean.
    let mut sm = Plane::new(w, h);
    for y in 0..h {
        for x in 0..w {
            let b = block_of(x, y);
            if !field.foreground[b] {
                continue;
            }
            let k = bins[b];
            sm.data[y * w + x] = oriented_sum(img, x, y, &along[k], &along_lin[k], &along_weights);
        }
    }
    // Fill background with the foreground mean so the filter does not ring at the border.
    let (mut s, mut n) = (0.0f64, 0usize);
    for y in 0..h {
        for x in 0..w {
            if field.foreground[block_of(x, y)] {
                s += sm.data[y * w + x] as f64;
                n += 1;
            }
        }
    }
    let fill = if n > 0 { (s / n as f64) as f32 } else { 0.0 };
    for y in 0..h {
        for x in 0..w {
            if !field.foreground[block_of(x, y)] {
                sm.data[y * w + x] = fill;
            }
        }
    }
    let per = periods(&sm, field);
    let period_idx: Vec<usize> = per
        .iter()
        .map(|p| (p.round() as usize).clamp(MIN_PERIOD, MAX_PERIOD) - MIN_PERIOD)
        .collect();
    // Pass 2: across-ridge Gabor; sign is the ridge map.
    let mut out = vec![false; w * h];
    for y in 0..h {
        for x in 0..w {
            let b = block_of(x, y);
            if !field.foreground[b] {
                continue;
            }
            let k = bins[b];
            let r = oriented_sum(
                &sm,
                x,
                y,
                &across[k],
                &across_lin[k],
                &weights[period_idx[b]],
            );
            out[y * w + x] = r > 0.0;
        }
    }
    let mut fg = vec![false; w * h];
    for y in 0..h {
        for x in 0..w {
            fg[y * w + x] = field.foreground[block_of(x, y)];
        }
    }
    clean(&mut out, &fg, w, h, MIN_ISLAND, MAX_HOLE);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The plain reference for [`oriented_sum`]: the (weighted) sum of `img` at (x, y) + each offset; edge pixels repeat outward.
    fn oriented_sum_naive(
        img: &Plane,
        x: usize,
        y: usize,
        offs: &[(isize, isize)],
        weights: Option<&[f32]>,
    ) -> f32 {
        let reach = offs.len() / 2;
        let inside = x >= reach && y >= reach && x + reach < img.w && y + reach < img.h;
        let mut s = 0.0;
        if inside {
            let c = (y * img.w + x) as isize;
            let w = img.w as isize;
            for (k, &(dx, dy)) in offs.iter().enumerate() {
                let v = img.data[(c + dy * w + dx) as usize];
                s += weights.map_or(v, |wt| wt[k] * v);
            }
        } else {
            let (xi, yi) = (x as isize, y as isize);
            for (k, &(dx, dy)) in offs.iter().enumerate() {
                let v = img.clamped(xi + dx, yi + dy);
                s += weights.map_or(v, |wt| wt[k] * v);
            }
        }
        s
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// The sum with array steps equals the plain one bit for bit, at the edges too.
        #[test]
        fn oriented_sum_equals_naive(
            w in 1usize..30,
            h in 1usize..30,
            pix in proptest::collection::vec(0u8..=255, 30 * 30),
            x in 0usize..30,
            y in 0usize..30,
            bin in 0usize..ANGLES,
            across in any::<bool>(),
            half in 1isize..8,
        ) {
            let img = Plane { w, h, data: pix[..w * h].iter().map(|&v| f32::from(v)).collect() };
            let (x, y) = (x % w, y % h);
            let offs = offsets(bin, half, across);
            let wts: Vec<f32> = (0..offs.len()).map(|k| 0.3 + k as f32 * 0.17).collect();
            let fast = oriented_sum(&img, x, y, &offs, &linear(&offs, w), &wts);
            let plain = oriented_sum_naive(&img, x, y, &offs, Some(&wts));
            prop_assert_eq!(fast.to_bits(), plain.to_bits());
        }

        /// Measured periods are whole pixels, so both ways add exactly the same numbers.
        #[test]
        fn smoothed_periods_equal_naive(
            bw in 1usize..50,
            bh in 1usize..50,
            cells in proptest::collection::vec(0u8..16, 50 * 50),
        ) {
            let raw: Vec<f32> = cells[..bw * bh]
                .iter()
                .map(|&c| if c < (MIN_PERIOD as u8) { f32::NAN } else { f32::from(c.min(MAX_PERIOD as u8)) })
                .collect();
            prop_assert_eq!(smooth_periods(&raw, bw, bh), smooth_periods_naive(&raw, bw, bh));
        }
    }
}
