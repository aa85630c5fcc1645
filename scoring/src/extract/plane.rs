//! A plain 2-D buffer of `f32`, row-major, and helpers over it.

/// A row-major image plane.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plane {
    pub w: usize,
    pub h: usize,
    pub data: Vec<f32>,
}

impl Plane {
    pub fn new(w: usize, h: usize) -> Plane {
        Plane {
            w,
            h,
            data: vec![0.0; w * h],
        }
    }

    #[inline]
    pub fn at(&self, x: usize, y: usize) -> f32 {
        self.data[y * self.w + x]
    }

    /// The value at (x, y) with coordinates clamped into the plane.
    #[inline]
    pub fn clamped(&self, x: isize, y: isize) -> f32 {
        let x = x.clamp(0, self.w as isize - 1) as usize;
        let y = y.clamp(0, self.h as isize - 1) as usize;
        self.data[y * self.w + x]
    }

    /// Bilinear sample at real coordinates, clamped at the edges.
    pub fn bilinear(&self, x: f32, y: f32) -> f32 {
        let x = x.clamp(0.0, (self.w - 1) as f32);
        let y = y.clamp(0.0, (self.h - 1) as f32);
        let (x0, y0) = (x.floor() as usize, y.floor() as usize);
        let (x1, y1) = ((x0 + 1).min(self.w - 1), (y0 + 1).min(self.h - 1));
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let top = self.at(x0, y0) * (1.0 - fx) + self.at(x1, y0) * fx;
        let bot = self.at(x0, y1) * (1.0 - fx) + self.at(x1, y1) * fx;
        top * (1.0 - fy) + bot * fy
    }
}

/// Resamples gray pixels by `scale` (output size = input size × scale) with bilinear interpolation.
pub(crate) fn resample(src: &Plane, scale: f32) -> Plane {
    let w = ((src.w as f32 * scale).round() as usize).max(1);
    let h = ((src.h as f32 * scale).round() as usize).max(1);
    let mut out = Plane::new(w, h);
    for y in 0..h {
        let sy = (y as f32 + 0.5) / scale - 0.5;
        for x in 0..w {
            let sx = (x as f32 + 0.5) / scale - 0.5;
            out.data[y * w + x] = src.bilinear(sx, sy);
        }
    }
    out
}
