//! Synthetic fingers for tests and the demo: random but repeatable minutiae sets ("master" fingers) and
//! impressions of them with the distortions of a real capture (placement, rotation, jitter, missed and spurious
//! minutiae). No real fingerprint is used anywhere.
//!
//! The same `(finger, impression)` always gives the same template; two impressions of one finger match with
//! the project's matcher, two fingers do not.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use scoring::{Minutia, MinutiaKind, Template};

/// Image side of a synthetic impression, pixels at 500 ppi.
const SIDE: u16 = 320;
/// Minutiae of a master finger.
const MASTER_MINUTIAE: usize = 42;

fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed ^ 0x5eed_f1a9_e2b3_c4d5)
}

/// A master finger: minutiae spread over the finger area with a minimum spacing.
fn master(finger: u64) -> Vec<(f32, f32, f32, MinutiaKind)> {
    let mut r = rng(finger.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let mut out: Vec<(f32, f32, f32, MinutiaKind)> = Vec::new();
    let mut tries = 0;
    while out.len() < MASTER_MINUTIAE && tries < 10_000 {
        tries += 1;
        let x = r.random_range(40.0..280.0f32);
        let y = r.random_range(40.0..280.0f32);
        if out.iter().any(|m| (m.0 - x).hypot(m.1 - y) < 18.0) {
            continue;
        }
        let theta = r.random_range(0.0..std::f32::consts::TAU);
        let kind = if r.random_bool(0.5) {
            MinutiaKind::Ending
        } else {
            MinutiaKind::Bifurcation
        };
        out.push((x, y, theta, kind));
    }
    out
}

/// Impression `impression` of synthetic finger `finger`.
pub fn impression(finger: u64, impression: u64) -> Template {
    let m = master(finger);
    let mut r = rng(finger
        .wrapping_mul(1_000_003)
        .wrapping_add(impression.wrapping_mul(7919))
        .wrapping_add(1));
    let rot = r.random_range(-0.15..0.15f32);
    let (dx, dy) = (
        r.random_range(-12.0..12.0f32),
        r.random_range(-12.0..12.0f32),
    );
    let (c, s) = (rot.cos(), rot.sin());
    let (cx, cy) = (160.0f32, 160.0f32);
    let mut minutiae = Vec::new();
    for &(x, y, theta, kind) in &m {
        if r.random_bool(0.12) {
            continue;
        }
        let (px, py) = (x - cx, y - cy);
        let nx = cx + c * px - s * py + dx + r.random_range(-2.5..2.5f32);
        let ny = cy + s * px + c * py + dy + r.random_range(-2.5..2.5f32);
        if !(8.0..(SIDE as f32 - 8.0)).contains(&nx) || !(8.0..(SIDE as f32 - 8.0)).contains(&ny) {
            continue;
        }
        // Screen angles run counter-clockwise with y down: a rotation by `rot` in image coordinates turns
        // the direction by `-rot`.
        let t = theta - rot + r.random_range(-0.12..0.12f32);
        minutiae.push(Minutia {
            x: nx as u16,
            y: ny as u16,
            angle: Minutia::angle_from_rad(t),
            kind,
            quality: 60,
        });
    }
    for _ in 0..3 {
        minutiae.push(Minutia {
            x: r.random_range(20..SIDE - 20),
            y: r.random_range(20..SIDE - 20),
            angle: r.random_range(0..=u16::MAX),
            kind: MinutiaKind::Ending,
            quality: 30,
        });
    }
    Template {
        width: SIDE,
        height: SIDE,
        quality: 60,
        minutiae,
    }
}

/// The ISO/IEC 19794-2:2005 record of [`impression`], as a terminal would send it.
pub fn iso_impression(finger: u64, n: u64) -> Vec<u8> {
    impression(finger, n).to_iso2005()
}

#[cfg(test)]
mod tests {
    use super::*;
    use scoring::{THRESHOLD_FMR_10000, compare};

    #[test]
    fn impressions_repeat_and_match_their_own_finger_only() {
        assert_eq!(impression(3, 1), impression(3, 1));
        let mut genuine = Vec::new();
        let mut impostor = Vec::new();
        for f in 0..8 {
            genuine.push(compare(&impression(f, 0), &impression(f, 1)).0);
            impostor.push(compare(&impression(f, 0), &impression(f + 100, 1)).0);
        }
        let t = THRESHOLD_FMR_10000.0;
        assert!(genuine.iter().all(|s| *s >= t), "genuine {genuine:?}");
        assert!(impostor.iter().all(|s| *s < t), "impostor {impostor:?}");
    }

    #[test]
    fn the_iso_record_decodes_to_the_same_finger() {
        let back = Template::from_standard_bytes(&iso_impression(5, 2)).unwrap();
        assert!(compare(&back, &impression(5, 3)).0 >= THRESHOLD_FMR_10000.0);
    }
}
