//! Master fingerprints: the whole ridge pattern of one finger, before any impression.

use crate::class::{FingerClass, SingularPoint, place_singularities};
use crate::field::Grid;
use crate::frequency::FrequencyModel;
use crate::gabor::{Growth, KernelBank, RADIUS, grow};
use crate::orientation::OrientationModel;
use crate::rng::Rng;
use crate::shape::Silhouette;
use image::{GrayImage, Luma};

/// Which class a master gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassChoice {
    /// Drawn with the natural class frequencies ([`FingerClass::draw`]).
    Natural,
    /// Always this class.
    Fixed(FingerClass),
}

/// Settings of [`Master::generate`]. Out-of-range values are clamped into the documented ranges.
#[derive(Debug, Clone, PartialEq)]
pub struct MasterParams {
    /// Master width, pixels at 500 ppi (64..=2000; default 320).
    pub width: u32,
    /// Master height, pixels (64..=2000; default 432).
    pub height: u32,
    /// Class choice.
    pub class: ClassChoice,
    /// Range of the per-finger mean ridge period, pixels (clamped to 6.5..=13; default 8.3..9.8,
    /// i.e. about 0.10–0.12 cycles per pixel).
    pub mean_period: (f64, f64),
    /// Relative spread of the period around the finger's mean (0..=0.3; default 0.07).
    pub period_variation: f64,
    /// Standard deviation of the smooth orientation perturbation, radians (0..=0.5; default 0.12).
    pub orientation_noise: f64,
    /// Mean distance between growth seeds, pixels (8..=200; default 24). Fewer seeds, fewer minutiae.
    pub seed_spacing: f64,
    /// Gabor filtering passes (1..=100; default 16).
    pub iterations: usize,
}

impl Default for MasterParams {
    fn default() -> Self {
        Self {
            width: 320,
            height: 432,
            class: ClassChoice::Natural,
            mean_period: (8.3, 9.8),
            period_variation: 0.07,
            orientation_noise: 0.12,
            seed_spacing: 24.0,
            iterations: 16,
        }
    }
}

impl MasterParams {
    fn clamped(&self) -> Self {
        let lo = self.mean_period.0.clamp(6.5, 13.0);
        let hi = self.mean_period.1.clamp(lo, 13.0);
        Self {
            width: self.width.clamp(64, 2000),
            height: self.height.clamp(64, 2000),
            class: self.class,
            mean_period: (lo, hi),
            period_variation: self.period_variation.clamp(0.0, 0.3),
            orientation_noise: self.orientation_noise.clamp(0.0, 0.5),
            seed_spacing: self.seed_spacing.clamp(8.0, 200.0),
            iterations: self.iterations.clamp(1, 100),
        }
    }
}

/// A master fingerprint: ridge pattern, area mask and the models that made them.
#[derive(Clone)]
pub struct Master {
    class: FingerClass,
    orientation: OrientationModel,
    frequency: FrequencyModel,
    silhouette: Silhouette,
    ridges: Grid,
    mask: Grid,
}

impl std::fmt::Debug for Master {
    /// A summary: the pixel grids are left out.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Master")
            .field("class", &self.class)
            .field("width", &self.width())
            .field("height", &self.height())
            .field("singular_points", &self.singular_points())
            .field("silhouette", &self.silhouette)
            .finish_non_exhaustive()
    }
}

/// Stage labels for [`Rng::fork`]: fixed forever, like the generator itself.
mod stage {
    pub const CLASS: u64 = 1;
    pub const SHAPE: u64 = 2;
    pub const ORIENTATION: u64 = 3;
    pub const FREQUENCY: u64 = 4;
    pub const SEEDS: u64 = 5;
}

impl Master {
    /// Generates the master print of the finger numbered `seed`. The same parameters and seed
    /// always give the same master.
    pub fn generate(params: &MasterParams, seed: u64) -> Master {
        let p = params.clamped();
        let (w, h) = (p.width as usize, p.height as usize);
        let (wf, hf) = (w as f64, h as f64);
        let mut root = Rng::new(seed);

        let mut rng = root.fork(stage::CLASS);
        let class = match p.class {
            ClassChoice::Natural => FingerClass::draw(&mut rng),
            ClassChoice::Fixed(c) => c,
        };
        let points = place_singularities(class, wf, hf, &mut rng);
        let silhouette = Silhouette::draw(wf, hf, &mut root.fork(stage::SHAPE));
        let orientation = OrientationModel::new(
            class,
            points,
            wf,
            hf,
            p.orientation_noise,
            &mut root.fork(stage::ORIENTATION),
        );
        let mut rng = root.fork(stage::FREQUENCY);
        let mean_period = rng.range(p.mean_period.0, p.mean_period.1 + 1e-9);
        let frequency = FrequencyModel::new(mean_period, p.period_variation, hf, &mut rng);

        // Grow a little beyond the silhouette so that border ridges are complete.
        let scale = silhouette.half_width.min(silhouette.top);
        let limit = 1.0 + (RADIUS as f64 + 2.0) / scale;
        let bank = KernelBank::new();
        let mut active = vec![false; w * h];
        let mut kernel_of = vec![0u16; w * h];
        for y in 0..h {
            for x in 0..w {
                let (xf, yf) = (x as f64, y as f64);
                if silhouette.norm(xf, yf) < limit {
                    let i = y * w + x;
                    active[i] = true;
                    kernel_of[i] = bank.index(orientation.at(xf, yf), frequency.period(xf, yf));
                }
            }
        }

        let mut rng = root.fork(stage::SEEDS);
        let active_count = active.iter().filter(|&&a| a).count();
        let seeds = (active_count as f64 / (p.seed_spacing * p.seed_spacing)).ceil() as usize;
        let mut start = Grid::filled(w, h, 0.0);
        let mut placed = 0;
        while placed < seeds {
            let (x, y) = (rng.below(w as u32) as usize, rng.below(h as u32) as usize);
            if active[y * w + x] {
                start.data[y * w + x] = if rng.unit() < 0.5 { -1.0 } else { 1.0 };
                placed += 1;
            }
        }
        let ridges = grow(
            &start,
            &bank,
            &kernel_of,
            &active,
            Growth {
                iterations: p.iterations,
                gain: 2.5,
            },
        );
        let mask = silhouette.mask(w, h);
        Master {
            class,
            orientation,
            frequency,
            silhouette,
            ridges,
            mask,
        }
    }

    /// The finger's class.
    pub fn class(&self) -> FingerClass {
        self.class
    }

    /// Cores and deltas, master pixel coordinates.
    pub fn singular_points(&self) -> &[SingularPoint] {
        self.orientation.singular_points()
    }

    /// Width, pixels.
    pub fn width(&self) -> u32 {
        self.ridges.width as u32
    }

    /// Height, pixels.
    pub fn height(&self) -> u32 {
        self.ridges.height as u32
    }

    /// The ridge pattern: values in `[-1, 1]`, ridges positive.
    pub fn ridges(&self) -> &Grid {
        &self.ridges
    }

    /// The fingerprint area: 1 inside, 0 outside, soft at the border.
    pub fn mask(&self) -> &Grid {
        &self.mask
    }

    /// The silhouette the mask was drawn from.
    pub fn silhouette(&self) -> &Silhouette {
        &self.silhouette
    }

    /// Model ridge direction at a master pixel, radians in `[0, π)`.
    pub fn orientation_at(&self, x: f64, y: f64) -> f64 {
        self.orientation.at(x, y)
    }

    /// Model ridge period at a master pixel, pixels.
    pub fn period_at(&self, x: f64, y: f64) -> f64 {
        self.frequency.period(x, y)
    }

    /// The master as a picture: dark ridges on white inside the fingerprint area.
    pub fn to_image(&self) -> GrayImage {
        GrayImage::from_fn(self.width(), self.height(), |x, y| {
            let (x, y) = (x as usize, y as usize);
            let ink = 0.5 * (1.0 + self.ridges.at(x, y)) * self.mask.at(x, y);
            Luma([(255.0 - 255.0 * ink).round().clamp(0.0, 255.0) as u8])
        })
    }
}
