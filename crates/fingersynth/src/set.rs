//! Whole data sets in FVC layout: `fingers × impressions` images.

use crate::impression::ImpressionParams;
use crate::master::{Master, MasterParams};
use crate::rng::derive;
use image::GrayImage;
use rayon::prelude::*;

/// Seed of finger `finger` (1-based) in the set made from `set_seed`.
pub fn finger_seed(set_seed: u64, finger: u32) -> u64 {
    derive(set_seed, u64::from(finger))
}

/// Seed of impression `impression` (1-based) of finger `finger` in the set made from `set_seed`.
pub fn impression_seed(set_seed: u64, finger: u32, impression: u32) -> u64 {
    derive(
        finger_seed(set_seed, finger),
        0x1_0000 + u64::from(impression),
    )
}

/// `fingers × impressions` images with default parameters, as `(finger, impression, image)`
/// with 1-based numbers, finger-major. Fingers are generated in parallel; the result does not
/// depend on the number of threads.
pub fn generate_set(fingers: u32, impressions: u32, seed: u64) -> Vec<(u32, u32, GrayImage)> {
    generate_set_with(
        &MasterParams::default(),
        &ImpressionParams::default(),
        fingers,
        impressions,
        seed,
    )
}

/// [`generate_set`] with explicit parameters.
pub fn generate_set_with(
    master: &MasterParams,
    impression: &ImpressionParams,
    fingers: u32,
    impressions: u32,
    seed: u64,
) -> Vec<(u32, u32, GrayImage)> {
    (1..=fingers)
        .into_par_iter()
        .flat_map_iter(|f| {
            let m = Master::generate(master, finger_seed(seed, f));
            (1..=impressions)
                .map(|i| (f, i, m.impression(impression, impression_seed(seed, f, i))))
                .collect::<Vec<_>>()
        })
        .collect()
}
