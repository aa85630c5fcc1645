//! libfprint's image normalisation flags.
//!
//! libfprint drivers mark an image as mirrored or inverted instead of fixing it; before the image
//! leaves the library (`fp_image_detect_minutiae` in `fp-image.c`) a copy is flipped horizontally
//! when `H_FLIPPED`, then vertically when `V_FLIPPED`, then inverted (`255 - x`) when
//! `COLORS_INVERTED`, in that order. [`ImageFlags::apply`] does the same so that our images equal
//! the reference images libfprint's tests store.

/// How a driver's raw image differs from an upright, dark-ridges image.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ImageFlags {
    /// Columns are mirrored (libfprint `FPI_IMAGE_H_FLIPPED`).
    pub h_flipped: bool,
    /// Rows are upside down (libfprint `FPI_IMAGE_V_FLIPPED`).
    pub v_flipped: bool,
    /// Ridges are bright (libfprint `FPI_IMAGE_COLORS_INVERTED`).
    pub colors_inverted: bool,
}

impl ImageFlags {
    /// No correction needed.
    pub const NONE: Self = Self {
        h_flipped: false,
        v_flipped: false,
        colors_inverted: false,
    };

    /// Corrects `pixels` (row-major, `width` columns) in place: h-flip, v-flip, invert.
    ///
    /// # Panics
    /// When `width` is zero or does not divide `pixels.len()`.
    pub fn apply(self, width: usize, pixels: &mut [u8]) {
        assert!(
            width > 0 && pixels.len() % width == 0,
            "not a whole number of rows"
        );
        if self.h_flipped {
            pixels.chunks_exact_mut(width).for_each(<[u8]>::reverse);
        }
        if self.v_flipped {
            let height = pixels.len() / width;
            for top in 0..height / 2 {
                let (a, b) = pixels.split_at_mut((height - 1 - top) * width);
                a[top * width..(top + 1) * width].swap_with_slice(&mut b[..width]);
            }
        }
        if self.colors_inverted {
            pixels.iter_mut().for_each(|p| *p = 255 - *p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The obvious per-pixel definition, as the oracle.
    fn naive(flags: ImageFlags, width: usize, src: &[u8]) -> Vec<u8> {
        let height = src.len() / width;
        let mut out = vec![0; src.len()];
        for y in 0..height {
            for x in 0..width {
                let sx = if flags.h_flipped { width - 1 - x } else { x };
                let sy = if flags.v_flipped { height - 1 - y } else { y };
                let v = src[sy * width + sx];
                out[y * width + x] = if flags.colors_inverted { 255 - v } else { v };
            }
        }
        out
    }

    #[rustfmt::skip]
    #[test]
    fn flips_then_inverts() {
        let mut p = vec![
            1, 2, 3,
            4, 5, 6,
        ];
        ImageFlags { h_flipped: true, v_flipped: true, colors_inverted: true }.apply(3, &mut p);
        assert_eq!(p, [
            255 - 6, 255 - 5, 255 - 4,
            255 - 3, 255 - 2, 255 - 1,
        ]);
        let mut q = vec![1, 2, 3, 4, 5, 6];
        ImageFlags::NONE.apply(3, &mut q);
        assert_eq!(q, [1, 2, 3, 4, 5, 6]);
    }

    proptest! {
        #[test]
        fn matches_the_naive_definition(
            h in any::<bool>(), v in any::<bool>(), i in any::<bool>(),
            width in 1usize..9, rows in proptest::collection::vec(any::<u8>(), 0..80),
        ) {
            let flags = ImageFlags { h_flipped: h, v_flipped: v, colors_inverted: i };
            let n = rows.len() / width * width;
            let src = &rows[..n];
            let mut fast = src.to_vec();
            flags.apply(width, &mut fast);
            prop_assert_eq!(fast, naive(flags, width, src));
        }
    }
}
