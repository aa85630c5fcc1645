//! Recall by union: the minutiae of a second, lighter enhancement pass that the first one missed.
//!
//! In plain words: the strong along-ridge smoothing of the first pass bridges pores and blotches,
//! but in smooth, blotchy ridges it also runs a ridge straight through a real ending or fork, and
//! a missed true minutia costs the matcher much more than an extra one. So enhancement, thinning
//! and minutiae are run a second time with a plain 9-pixel mean along the ridge instead (same
//! orientation field, period and mask), and each of its minutiae is added when no first-pass
//! minutia lies within [`RADIUS`] pixels (about one ridge period: it is then a minutia the first
//! pass did not see, not the same one moved) and its quality (the local coherence, lowered near
//! the edge of the finger) is at least [`MIN_QUALITY`]: in incoherent, noisy places the lighter
//! pass mostly adds false minutiae, which raised the false matches.

use super::minutiae::Found;

/// A second-pass minutia this close to a first-pass one is the same minutia, pixels.
const RADIUS: f32 = 8.0;
/// Second-pass minutiae of lower quality are not added (0–100).
const MIN_QUALITY: u8 = 40;

/// Appends to `first` the minutiae of `second` that lie at least [`RADIUS`] from every minutia
/// of `first` (as it was before the call) and have quality at least [`MIN_QUALITY`].
pub(crate) fn add_missing(first: &mut Vec<Found>, second: Vec<Found>) {
    let n = first.len();
    for m in second {
        let seen = first[..n].iter().any(|f| {
            let (dx, dy) = (f.x as f32 - m.x as f32, f.y as f32 - m.y as f32);
            dx * dx + dy * dy < RADIUS * RADIUS
        });
        if !seen && m.quality >= MIN_QUALITY {
            first.push(m);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(x: usize, y: usize, quality: u8) -> Found {
        Found {
            x,
            y,
            angle: 0.0,
            bifurcation: false,
            quality,
        }
    }

    #[test]
    fn only_unseen_coherent_minutiae_are_added() {
        let mut first = vec![at(100, 100, 90), at(200, 100, 90)];
        let second = vec![
            at(105, 104, 90), // within 8 px of the first: the same minutia
            at(150, 150, 90), // new
            at(160, 150, 90), // new, although near another new one
            at(300, 300, 30), // new but in a noisy place
        ];
        add_missing(&mut first, second);
        let got: Vec<(usize, usize)> = first.iter().map(|f| (f.x, f.y)).collect();
        assert_eq!(got, [(100, 100), (200, 100), (150, 150), (160, 150)]);
    }
}
