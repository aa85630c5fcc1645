//! The orientation field: Sherlock and Monro's zero-pole model plus a smooth random perturbation.
//!
//! Ridge direction θ at pixel `z` (image coordinates, x right, y down, angle from the x axis
//! towards y, taken modulo π):
//!
//! ```text
//! θ(z) = θ∞ + ½ Σ_cores arg(z − c) − ½ Σ_deltas arg(z − d) + a · n(z)
//! ```
//!
//! where `n` is a smooth random field ([`SmoothNoise`]). Going once around a core θ turns by +π
//! (Poincaré index +½), around a delta by −π (index −½). The plain arch has no singular point;
//! its ridges follow arched curves `y = y₀ − h(y₀) exp(−(x − cₓ)² / 2s²)`.

use crate::class::{FingerClass, SingularKind, SingularPoint};
use crate::field::SmoothNoise;
use crate::rng::Rng;
use std::f64::consts::{FRAC_PI_2, PI, TAU};

/// The orientation model of one master fingerprint.
#[derive(Debug, Clone)]
pub struct OrientationModel {
    class: FingerClass,
    points: Vec<SingularPoint>,
    theta_inf: f64,
    noise: SmoothNoise,
    noise_amplitude: f64,
    arch: ArchShape,
}

#[derive(Debug, Clone)]
struct ArchShape {
    cx: f64,
    spread: f64,
    peak_y: f64,
    band: f64,
    height: f64,
}

impl OrientationModel {
    /// A model for `class` with the given singular points; `noise_amplitude` is the standard
    /// deviation of the perturbation, radians.
    pub fn new(
        class: FingerClass,
        points: Vec<SingularPoint>,
        width: f64,
        height: f64,
        noise_amplitude: f64,
        rng: &mut Rng,
    ) -> Self {
        let theta_inf = rng.sym(0.08);
        let noise = SmoothNoise::new(rng, 10, 140.0, 360.0);
        let arch = ArchShape {
            cx: width / 2.0 + rng.sym(0.05 * width),
            spread: width * rng.range(0.16, 0.24),
            peak_y: height * rng.range(0.5, 0.6),
            band: height * rng.range(0.25, 0.35),
            height: rng.range(40.0, 70.0),
        };
        Self {
            class,
            points,
            theta_inf,
            noise,
            noise_amplitude,
            arch,
        }
    }

    /// The class the model was built for.
    pub fn class(&self) -> FingerClass {
        self.class
    }

    /// The singular points.
    pub fn singular_points(&self) -> &[SingularPoint] {
        &self.points
    }

    /// Ridge direction at `(x, y)`, radians in `[0, π)`.
    pub fn at(&self, x: f64, y: f64) -> f64 {
        let mut theta = self.theta_inf + self.noise_amplitude * self.noise.at(x, y);
        if self.class == FingerClass::Arch {
            let a = &self.arch;
            let u = (x - a.cx) / a.spread;
            let h = a.height * (-((y - a.peak_y) / a.band).powi(2)).exp();
            // Slope of the arched ridge through (x, y).
            theta += (h * u / a.spread * (-0.5 * u * u).exp()).atan();
        }
        for p in &self.points {
            let arg = (y - p.y).atan2(x - p.x);
            match p.kind {
                SingularKind::Core => theta += 0.5 * arg,
                SingularKind::Delta => theta -= 0.5 * arg,
            }
        }
        theta.rem_euclid(PI)
    }
}

/// Poincaré index of an orientation field along a circle of `radius` around `(cx, cy)`,
/// sampled at `steps` points: `+0.5` around a core, `−0.5` around a delta, `0` elsewhere.
pub fn poincare_index(
    field: impl Fn(f64, f64) -> f64,
    cx: f64,
    cy: f64,
    radius: f64,
    steps: usize,
) -> f64 {
    let angle = |i: usize| {
        let t = TAU * i as f64 / steps as f64;
        field(cx + radius * t.cos(), cy + radius * t.sin())
    };
    let mut total = 0.0;
    let mut prev = angle(0);
    for i in 1..=steps {
        let cur = angle(i % steps);
        let mut d = cur - prev;
        while d > FRAC_PI_2 {
            d -= PI;
        }
        while d <= -FRAC_PI_2 {
            d += PI;
        }
        total += d;
        prev = cur;
    }
    total / TAU
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::class::place_singularities;

    fn model(class: FingerClass, seed: u64) -> OrientationModel {
        let mut rng = Rng::new(seed);
        let pts = place_singularities(class, 320.0, 420.0, &mut rng);
        OrientationModel::new(class, pts, 320.0, 420.0, 0.15, &mut rng)
    }

    #[test]
    fn every_class_has_its_singular_points_by_poincare_index() {
        for seed in 0..8 {
            for class in FingerClass::ALL {
                let m = model(class, seed);
                let f = |x, y| m.at(x, y);
                for p in m.singular_points() {
                    let want = match p.kind {
                        SingularKind::Core => 0.5,
                        SingularKind::Delta => -0.5,
                    };
                    let got = poincare_index(f, p.x, p.y, 6.0, 64);
                    assert!((got - want).abs() < 1e-9, "{class:?} {p:?}: {got}");
                }
                // Far from every singular point the index is 0, and a big circle around the
                // whole pattern sees (cores − deltas) / 2 = 0 for every class.
                assert!(poincare_index(f, 30.0, 30.0, 10.0, 64).abs() < 1e-9);
                assert!(poincare_index(f, 160.0, 210.0, 400.0, 720).abs() < 1e-9);
            }
        }
    }

    /// Index around the square cell `[x0, x0+size] × [y0, y0+size]`; cells tile the plane, so
    /// every singular point lies in exactly one of them.
    fn cell_index(f: impl Fn(f64, f64) -> f64, x0: f64, y0: f64, size: f64) -> f64 {
        let n = 16;
        let mut path = Vec::new();
        for i in 0..n {
            path.push((x0 + size * i as f64 / n as f64, y0));
        }
        for i in 0..n {
            path.push((x0 + size, y0 + size * i as f64 / n as f64));
        }
        for i in 0..n {
            path.push((x0 + size - size * i as f64 / n as f64, y0 + size));
        }
        for i in 0..n {
            path.push((x0, y0 + size - size * i as f64 / n as f64));
        }
        let mut total = 0.0;
        for k in 0..path.len() {
            let (a, b) = (path[k], path[(k + 1) % path.len()]);
            let mut d = f(b.0, b.1) - f(a.0, a.1);
            while d > FRAC_PI_2 {
                d -= PI;
            }
            while d <= -FRAC_PI_2 {
                d += PI;
            }
            total += d;
        }
        total / TAU
    }

    #[test]
    fn a_scan_finds_exactly_the_placed_singular_points() {
        for seed in [99, 100, 101] {
            for class in FingerClass::ALL {
                let m = model(class, seed);
                let f = |x, y| m.at(x, y);
                let (mut cores, mut deltas) = (0, 0);
                for gy in (0..420).step_by(10) {
                    for gx in (0..320).step_by(10) {
                        let idx = cell_index(f, f64::from(gx) + 0.37, f64::from(gy) + 0.41, 10.0);
                        if idx > 0.25 {
                            cores += 1;
                        } else if idx < -0.25 {
                            deltas += 1;
                        }
                    }
                }
                assert_eq!((cores, deltas), class.singularity_counts(), "{class:?}");
            }
        }
    }
}
