//! The ridge-frequency map: a smooth field around a per-finger mean period.

use crate::field::SmoothNoise;
use crate::rng::Rng;

/// Shortest ridge period the map returns, pixels (at 500 ppi).
pub const MIN_PERIOD: f64 = 6.5;
/// Longest ridge period the map returns, pixels.
pub const MAX_PERIOD: f64 = 13.0;

/// Ridge period as a smooth function of position.
#[derive(Debug, Clone)]
pub struct FrequencyModel {
    mean_period: f64,
    variation: f64,
    noise: SmoothNoise,
    top_y: f64,
    height: f64,
}

impl FrequencyModel {
    /// Periods vary by about `variation` (a fraction, e.g. 0.08) around `mean_period` pixels,
    /// and widen by a few per cent towards the tip (top of the image), as on real fingers.
    pub fn new(mean_period: f64, variation: f64, height: f64, rng: &mut Rng) -> Self {
        Self {
            mean_period,
            variation,
            noise: SmoothNoise::new(rng, 8, 120.0, 300.0),
            top_y: height * 0.35,
            height,
        }
    }

    /// Ridge period at `(x, y)`, pixels, within [`MIN_PERIOD`, `MAX_PERIOD`].
    pub fn period(&self, x: f64, y: f64) -> f64 {
        let tip = ((self.top_y - y) / self.height).max(0.0);
        let p =
            self.mean_period * (1.0 + self.variation * self.noise.at(x, y)) * (1.0 + 0.25 * tip);
        p.clamp(MIN_PERIOD, MAX_PERIOD)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_stay_near_the_mean() {
        let mut rng = Rng::new(2);
        let f = FrequencyModel::new(9.0, 0.08, 432.0, &mut rng);
        for y in (0..432).step_by(9) {
            for x in (0..320).step_by(9) {
                let p = f.period(f64::from(x), f64::from(y));
                assert!((6.5..=12.0).contains(&p), "{p}");
            }
        }
    }
}
