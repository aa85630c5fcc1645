//! The fingerprint area: a silhouette made of a rounded top half and a squarer bottom half.

use crate::field::Grid;
use crate::rng::Rng;

/// The silhouette of a fingertip on the master image.
#[derive(Debug, Clone, PartialEq)]
pub struct Silhouette {
    /// Centre column.
    pub cx: f64,
    /// Centre row.
    pub cy: f64,
    /// Half width.
    pub half_width: f64,
    /// Distance from the centre up to the tip.
    pub top: f64,
    /// Distance from the centre down to the bottom edge.
    pub bottom: f64,
}

/// Width of the soft edge of the mask, pixels.
const EDGE: f64 = 4.0;

impl Silhouette {
    /// A random silhouette for a `width × height` master.
    pub fn draw(width: f64, height: f64, rng: &mut Rng) -> Self {
        Self {
            cx: width / 2.0 + rng.sym(0.02 * width),
            cy: height * rng.range(0.46, 0.5),
            half_width: width * rng.range(0.34, 0.40),
            top: height * rng.range(0.38, 0.43),
            bottom: height * rng.range(0.48, 0.55),
        }
    }

    /// A signed "radius": below 1 inside, above 1 outside (a superellipse norm: exponent 2 on the
    /// top half, 3.5 on the flatter bottom half).
    pub fn norm(&self, x: f64, y: f64) -> f64 {
        let u = ((x - self.cx) / self.half_width).abs();
        let (v, p) = if y < self.cy {
            ((self.cy - y) / self.top, 2.0)
        } else {
            ((y - self.cy) / self.bottom, 3.5)
        };
        (u.powf(p) + v.powf(p)).powf(1.0 / p)
    }

    /// The mask: 1 well inside, 0 outside, a soft ramp of a few pixels at the border.
    pub fn mask(&self, width: usize, height: usize) -> Grid {
        let scale = self.half_width.min(self.top);
        Grid::from_fn(width, height, |x, y| {
            let d = (1.0 - self.norm(x as f64, y as f64)) * scale / EDGE;
            d.clamp(0.0, 1.0) as f32
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_is_one_inside_zero_outside() {
        let mut rng = Rng::new(1);
        let s = Silhouette::draw(320.0, 432.0, &mut rng);
        let m = s.mask(320, 432);
        assert_eq!(m.at(s.cx as usize, s.cy as usize), 1.0);
        assert_eq!(m.at(0, 0), 0.0);
        assert_eq!(m.at(319, 0), 0.0);
        let inside = m.data.iter().filter(|&&v| v > 0.5).count() as f64 / m.data.len() as f64;
        assert!((0.5..0.85).contains(&inside), "{inside}");
    }
}
