//! Dense scalar grids and smooth random fields.

use crate::rng::Rng;
use std::f64::consts::TAU;

/// A `width × height` grid of `f32`, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// `width * height` values, row by row.
    pub data: Vec<f32>,
}

impl Grid {
    /// A grid filled with `value`.
    pub fn filled(width: usize, height: usize, value: f32) -> Self {
        Self {
            width,
            height,
            data: vec![value; width * height],
        }
    }

    /// A grid whose value at `(x, y)` is `f(x, y)`.
    pub fn from_fn(width: usize, height: usize, mut f: impl FnMut(usize, usize) -> f32) -> Self {
        let mut data = Vec::with_capacity(width * height);
        for y in 0..height {
            for x in 0..width {
                data.push(f(x, y));
            }
        }
        Self {
            width,
            height,
            data,
        }
    }

    /// The value at integer coordinates.
    pub fn at(&self, x: usize, y: usize) -> f32 {
        self.data[y * self.width + x]
    }

    /// Bilinear interpolation; outside the grid the value is `outside`.
    pub fn sample(&self, x: f32, y: f32, outside: f32) -> f32 {
        if !(x >= 0.0 && y >= 0.0) {
            return outside;
        }
        let (x0, y0) = (x as usize, y as usize);
        if x0 + 1 >= self.width || y0 + 1 >= self.height {
            return outside;
        }
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let i = y0 * self.width + x0;
        let d = &self.data;
        let top = d[i] + (d[i + 1] - d[i]) * fx;
        let bottom = d[i + self.width] + (d[i + self.width + 1] - d[i + self.width]) * fx;
        top + (bottom - top) * fy
    }
}

/// A smooth random field: a sum of plane cosine waves with random directions, phases and
/// wavelengths in a band. Its mean is 0 and its standard deviation is about 1.
#[derive(Debug, Clone)]
pub struct SmoothNoise {
    waves: Vec<[f64; 3]>,
    scale: f64,
}

impl SmoothNoise {
    /// `count` waves with wavelengths (pixels) uniform in `[min_wavelength, max_wavelength]`.
    pub fn new(rng: &mut Rng, count: usize, min_wavelength: f64, max_wavelength: f64) -> Self {
        let waves = (0..count)
            .map(|_| {
                let dir = rng.range(0.0, TAU);
                let k = 1.0 / rng.range(min_wavelength, max_wavelength);
                let phase = rng.range(0.0, TAU);
                [k * dir.cos(), k * dir.sin(), phase]
            })
            .collect();
        Self {
            waves,
            scale: (2.0 / count.max(1) as f64).sqrt(),
        }
    }

    /// The value at `(x, y)`.
    pub fn at(&self, x: f64, y: f64) -> f64 {
        let s: f64 = self
            .waves
            .iter()
            .map(|[u, v, p]| (TAU * (u * x + v * y) + p).cos())
            .sum();
        s * self.scale
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bilinear_interpolates_and_guards_edges() {
        let g = Grid::from_fn(3, 2, |x, y| (x + 10 * y) as f32);
        assert_eq!(g.sample(0.5, 0.5, -1.0), 5.5);
        assert_eq!(g.sample(1.0, 0.0, -1.0), 1.0);
        assert_eq!(g.sample(-0.1, 0.0, -1.0), -1.0);
        assert_eq!(g.sample(2.0, 0.0, -1.0), -1.0);
        assert_eq!(g.sample(f32::NAN, 0.0, -1.0), -1.0);
    }

    #[test]
    fn smooth_noise_has_unit_spread_and_is_smooth() {
        let mut rng = Rng::new(3);
        let n = SmoothNoise::new(&mut rng, 12, 100.0, 200.0);
        let vals: Vec<f64> = (0..2000)
            .map(|i| n.at(f64::from(i % 50) * 7.0, f64::from(i / 50) * 7.0))
            .collect();
        let mean = vals.iter().sum::<f64>() / vals.len() as f64;
        let sd = (vals.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / vals.len() as f64).sqrt();
        assert!(mean.abs() < 0.4, "mean {mean}");
        assert!((0.5..1.5).contains(&sd), "sd {sd}");
        // One pixel apart the field barely moves.
        assert!((n.at(10.0, 10.0) - n.at(11.0, 10.0)).abs() < 0.1);
    }
}
