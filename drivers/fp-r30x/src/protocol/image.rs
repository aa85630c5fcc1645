//! Image geometry and the 4-bit packing used over UART.
//!
//! Modules keep 8-bit pixels but send only the upper 4 bits, two horizontally adjacent pixels
//! a byte, the left pixel in the high nibble, rows top to bottom. The host widens a nibble `n`
//! back to `n * 17` so that 0x0 → 0 and 0xF → 255.

/// The image size of a module family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ImageGeometry {
    /// Optical modules (ZFM-20, R305, R307, AS608): 256 × 288.
    #[default]
    Optical,
    /// Capacitive R502 / R503: 192 × 192.
    Capacitive,
}

impl ImageGeometry {
    /// Width in pixels.
    pub fn width(self) -> u32 {
        match self {
            Self::Optical => 256,
            Self::Capacitive => 192,
        }
    }
    /// Height in pixels.
    pub fn height(self) -> u32 {
        match self {
            Self::Optical => 288,
            Self::Capacitive => 192,
        }
    }
    /// True resolution in pixels per inch (R305/R307/AS608 data sheets: 500 dpi; R503: 508 dpi).
    pub fn ppi(self) -> u32 {
        match self {
            Self::Optical => 500,
            Self::Capacitive => 508,
        }
    }
    /// Pixels in an image.
    pub fn pixels(self) -> usize {
        (self.width() * self.height()) as usize
    }
    /// Bytes of a 4-bit packed image on the wire.
    pub fn packed_len(self) -> usize {
        self.pixels() / 2
    }
}

/// Packs 8-bit pixels into 4-bit pairs (upper nibble of each; an odd last pixel pairs with 0).
pub fn pack_4bit(pixels: &[u8]) -> Vec<u8> {
    pixels
        .chunks(2)
        .map(|p| (p[0] & 0xF0) | (p.get(1).copied().unwrap_or(0) >> 4))
        .collect()
}

/// Unpacks 4-bit pairs into 8-bit pixels, each nibble widened by ×17.
pub fn unpack_4bit(packed: &[u8]) -> Vec<u8> {
    packed
        .iter()
        .flat_map(|&b| [(b >> 4) * 17, (b & 0x0F) * 17])
        .collect()
}

/// What an 8-bit pixel becomes after a trip through the 4-bit wire format.
pub fn quantize_4bit(pixel: u8) -> u8 {
    (pixel >> 4) * 17
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    #[rustfmt::skip]
    fn nibble_order_is_left_pixel_high() {
        assert_eq!(pack_4bit(&[0xF3, 0x1C, 0x00, 0xFF]), [
            0xF1, // left 0xF3 → F (high), right 0x1C → 1 (low)
            0x0F, // left 0x00 → 0, right 0xFF → F
        ]);
        assert_eq!(unpack_4bit(&[0xF1, 0x0F]), [255, 17, 0, 255]);
        assert_eq!(ImageGeometry::Optical.packed_len(), 36_864);
        assert_eq!(ImageGeometry::Capacitive.packed_len(), 18_432);
    }

    proptest! {
        #[test]
        fn unpack_of_pack_is_quantize(mut pixels in prop::collection::vec(any::<u8>(), 0..512)) {
            if pixels.len() % 2 == 1 { pixels.pop(); }
            let want: Vec<u8> = pixels.iter().map(|&p| quantize_4bit(p)).collect();
            prop_assert_eq!(unpack_4bit(&pack_4bit(&pixels)), want);
        }

        #[test]
        fn pack_of_unpack_is_identity(packed in prop::collection::vec(any::<u8>(), 0..256)) {
            prop_assert_eq!(pack_4bit(&unpack_4bit(&packed)), packed);
        }
    }
}
