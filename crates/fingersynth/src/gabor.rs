//! Ridge growth by iterated, space-variant Gabor filtering (the SFinGe master-print step).
//!
//! Plain-language version of the loop, which [`naive_step`] implements literally:
//!
//! ```text
//! start: I = 0 everywhere except a few random seed pixels set to ±1
//! repeat `iterations` times, for every pixel p of the active area:
//!     K = the even Gabor kernel tuned to the ridge direction θ(p) and period P(p)
//!     I'(p) = clamp(gain · Σ_q K(q) · I(p + q), −1, 1)
//! ```
//!
//! Each pass propagates the seeds' ridges by about one kernel radius along the local
//! orientation and frequency, until the whole area is filled. The fast path ([`grow`]) differs
//! only in bookkeeping: θ and P are quantised into a precomputed bank of kernels (32 directions ×
//! 0.5-pixel period steps), each kernel is stored as a list of non-negligible taps with offsets
//! into a zero-padded buffer (no bounds checks), and only pixels of the active area are visited.

use crate::field::Grid;
use crate::frequency::{MAX_PERIOD, MIN_PERIOD};
use std::f64::consts::{PI, TAU};

/// Orientation bins of the bank.
pub const ORIENTATIONS: usize = 32;
/// Period step between bank kernels, pixels.
pub const PERIOD_STEP: f64 = 0.5;
/// Kernel radius, pixels (the kernels are at most `2R+1` square).
pub const RADIUS: usize = 8;

/// One kernel: `(dx, dy, weight)` taps.
#[derive(Debug, Clone, PartialEq)]
pub struct Kernel {
    /// Non-negligible taps.
    pub taps: Vec<(i32, i32, f32)>,
}

/// Precomputed kernels indexed by `(period bin, orientation bin)`.
#[derive(Debug, Clone)]
pub struct KernelBank {
    kernels: Vec<Kernel>,
    periods: usize,
}

impl KernelBank {
    /// Builds the whole bank.
    pub fn new() -> Self {
        let periods = ((MAX_PERIOD - MIN_PERIOD) / PERIOD_STEP).round() as usize + 1;
        let mut kernels = Vec::with_capacity(periods * ORIENTATIONS);
        for pi in 0..periods {
            let period = MIN_PERIOD + pi as f64 * PERIOD_STEP;
            for oi in 0..ORIENTATIONS {
                let theta = PI * oi as f64 / ORIENTATIONS as f64;
                kernels.push(gabor_kernel(theta, period));
            }
        }
        Self { kernels, periods }
    }

    /// Index of the kernel closest to direction `theta` (radians) and `period` (pixels).
    pub fn index(&self, theta: f64, period: f64) -> u16 {
        let oi = (theta.rem_euclid(PI) / PI * ORIENTATIONS as f64).round() as usize % ORIENTATIONS;
        let pi = ((period - MIN_PERIOD) / PERIOD_STEP).round().max(0.0) as usize;
        (pi.min(self.periods - 1) * ORIENTATIONS + oi) as u16
    }

    /// The kernel at `index`.
    pub fn kernel(&self, index: u16) -> &Kernel {
        &self.kernels[usize::from(index)]
    }
}

impl Default for KernelBank {
    fn default() -> Self {
        Self::new()
    }
}

/// The even-symmetric Gabor kernel for ridges running along `theta` with `period` pixels,
/// made zero-mean and scaled so that a matched unit cosine grating is reproduced with gain 1.
pub fn gabor_kernel(theta: f64, period: f64) -> Kernel {
    let (s, c) = theta.sin_cos();
    let sigma_along = 0.5 * period;
    let sigma_across = 0.38 * period;
    let r = RADIUS as i32;
    let mut raw = Vec::new();
    for dy in -r..=r {
        for dx in -r..=r {
            let (fx, fy) = (f64::from(dx), f64::from(dy));
            let along = fx * c + fy * s;
            let across = -fx * s + fy * c;
            let env = (-(along * along) / (2.0 * sigma_along * sigma_along)
                - (across * across) / (2.0 * sigma_across * sigma_across))
                .exp();
            let wave = (TAU * across / period).cos();
            raw.push((dx, dy, env, wave));
        }
    }
    let env_sum: f64 = raw.iter().map(|t| t.2).sum();
    let dc = raw.iter().map(|t| t.2 * t.3).sum::<f64>() / env_sum;
    let weights: Vec<f64> = raw.iter().map(|t| t.2 * (t.3 - dc)).collect();
    let gain: f64 = weights.iter().zip(&raw).map(|(w, t)| w * t.3).sum();
    let max = weights.iter().fold(0.0f64, |m, w| m.max(w.abs()));
    let taps = raw
        .iter()
        .zip(&weights)
        .filter(|(_, w)| w.abs() > 0.01 * max)
        .map(|(t, w)| (t.0, t.1, (w / gain) as f32))
        .collect();
    Kernel { taps }
}

/// Growth settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Growth {
    /// Filtering passes.
    pub iterations: usize,
    /// Gain before clamping (above 1, so that ridges grow to full contrast).
    pub gain: f32,
}

/// One literal filtering pass over `active` pixels with bounds-checked reads (pixels outside
/// the image or the active area count as 0): the oracle for [`grow`].
pub fn naive_step(
    cur: &Grid,
    bank: &KernelBank,
    kernel_of: &[u16],
    active: &[bool],
    gain: f32,
) -> Grid {
    let (w, h) = (cur.width as i32, cur.height as i32);
    Grid::from_fn(cur.width, cur.height, |x, y| {
        let i = y * cur.width + x;
        if !active[i] {
            return 0.0;
        }
        let mut s = 0.0f32;
        for &(dx, dy, k) in &bank.kernel(kernel_of[i]).taps {
            let (qx, qy) = (x as i32 + dx, y as i32 + dy);
            if qx >= 0 && qy >= 0 && qx < w && qy < h {
                let j = qy as usize * cur.width + qx as usize;
                if active[j] {
                    s += k * cur.data[j];
                }
            }
        }
        (gain * s).clamp(-1.0, 1.0)
    })
}

/// Runs `growth.iterations` passes from `start`; pixels outside `active` are 0 throughout.
pub fn grow(
    start: &Grid,
    bank: &KernelBank,
    kernel_of: &[u16],
    active: &[bool],
    growth: Growth,
) -> Grid {
    let (w, h) = (start.width, start.height);
    let pad = RADIUS;
    let stride = w + 2 * pad;
    let padded_len = stride * (h + 2 * pad);
    let at = |x: usize, y: usize| (y + pad) * stride + x + pad;

    // Per kernel actually used: its rows as (offset of the first tap in the padded buffer,
    // range of its weights in `weights`), so that the inner loop is a contiguous dot product.
    let mut segments: Vec<Option<Vec<(isize, usize, usize)>>> = vec![None; bank.kernels.len()];
    let mut weights: Vec<f32> = Vec::new();
    let mut work: Vec<(usize, u16)> = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            if !active[i] {
                continue;
            }
            let k = kernel_of[i];
            segments[usize::from(k)]
                .get_or_insert_with(|| row_segments(bank.kernel(k), stride, &mut weights));
            work.push((at(x, y), k));
        }
    }

    let mut cur = vec![0.0f32; padded_len];
    for &(p, _) in &work {
        let (x, y) = (p % stride - pad, p / stride - pad);
        cur[p] = start.at(x, y);
    }
    let mut next = vec![0.0f32; padded_len];
    for _ in 0..growth.iterations {
        for &(p, k) in &work {
            let segs = segments[usize::from(k)].as_deref().unwrap_or(&[]);
            let mut s = 0.0f32;
            for &(off, start, len) in segs {
                let from = p.wrapping_add_signed(off);
                s += dot(&cur[from..from + len], &weights[start..start + len]);
            }
            next[p] = (growth.gain * s).clamp(-1.0, 1.0);
        }
        std::mem::swap(&mut cur, &mut next);
    }
    Grid::from_fn(w, h, |x, y| cur[at(x, y)])
}

/// Splits a kernel into one contiguous run of weights per row (taps between the row's first and
/// last ones that were pruned come back as zeros), appending the weights to `weights`.
fn row_segments(
    kernel: &Kernel,
    stride: usize,
    weights: &mut Vec<f32>,
) -> Vec<(isize, usize, usize)> {
    let r = RADIUS as i32;
    let mut segs = Vec::new();
    for dy in -r..=r {
        let row: Vec<&(i32, i32, f32)> = kernel.taps.iter().filter(|t| t.1 == dy).collect();
        let (Some(first), Some(last)) =
            (row.iter().map(|t| t.0).min(), row.iter().map(|t| t.0).max())
        else {
            continue;
        };
        let start = weights.len();
        let mut run = vec![0.0f32; (last - first + 1) as usize];
        for t in row {
            run[(t.0 - first) as usize] = t.2;
        }
        weights.extend_from_slice(&run);
        let off = dy as isize * stride as isize + first as isize;
        segs.push((off, start, run.len()));
    }
    segs
}

/// Dot product with four independent accumulators and plain indexing, so that the compiler
/// can vectorise it (and so that unoptimised builds stay tolerable).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (mut s0, mut s1, mut s2, mut s3) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
    let mut j = 0;
    while j + 4 <= n {
        s0 += a[j] * b[j];
        s1 += a[j + 1] * b[j + 1];
        s2 += a[j + 2] * b[j + 2];
        s3 += a[j + 3] * b[j + 3];
        j += 4;
    }
    while j < n {
        s0 += a[j] * b[j];
        j += 1;
    }
    (s0 + s1) + (s2 + s3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn kernel_reproduces_a_matched_grating() {
        for (theta, period) in [(0.0, 9.0), (1.0, 7.5), (2.5, 11.0)] {
            let k = gabor_kernel(theta, period);
            let (s, c) = f64::sin_cos(theta);
            let response = |phase: f64| -> f64 {
                k.taps
                    .iter()
                    .map(|&(dx, dy, w)| {
                        let across = -f64::from(dx) * s + f64::from(dy) * c;
                        f64::from(w) * (TAU * across / period + phase).cos()
                    })
                    .sum()
            };
            assert!((response(0.0) - 1.0).abs() < 0.02, "{}", response(0.0));
            // Zero-mean: a flat image gives (almost) nothing.
            let dc: f64 = k.taps.iter().map(|t| f64::from(t.2)).sum();
            assert!(dc.abs() < 0.05, "{dc}");
        }
    }

    #[test]
    fn fast_growth_equals_the_naive_passes() {
        let (w, h) = (40, 30);
        let mut rng = Rng::new(8);
        let bank = KernelBank::new();
        let start = Grid::from_fn(w, h, |_, _| rng.sym(1.0) as f32);
        let kernel_of: Vec<u16> = (0..w * h)
            .map(|i| bank.index(i as f64 * 0.01, 7.0 + (i % 9) as f64 * 0.5))
            .collect();
        let active: Vec<bool> = (0..w * h).map(|i| (i * 7919) % 11 != 0).collect();
        let gain = 1.7;
        let mut naive = start.clone();
        for _ in 0..3 {
            naive = naive_step(&naive, &bank, &kernel_of, &active, gain);
        }
        let fast = grow(
            &start,
            &bank,
            &kernel_of,
            &active,
            Growth {
                iterations: 3,
                gain,
            },
        );
        for (a, b) in naive.data.iter().zip(&fast.data) {
            assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        }
    }

    #[test]
    fn index_wraps_orientation_and_clamps_period() {
        let bank = KernelBank::new();
        assert_eq!(bank.index(0.0, 9.0), bank.index(PI, 9.0));
        assert_eq!(bank.index(0.3, 1.0), bank.index(0.3, MIN_PERIOD));
        assert_eq!(bank.index(0.3, 99.0), bank.index(0.3, MAX_PERIOD));
    }
}
