//! The checks every snapshot passes before anyone sees it. Pure: bytes in, verdict out.

use std::io::Cursor;

use image::{ImageDecoder, ImageFormat, ImageReader, Limits};

/// The largest width or height accepted (an 8 MP camera's still is 3840 × 2160).
pub const MAX_DIMENSION: u32 = 8192;

/// A validated JPEG still.
#[derive(Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The JPEG bytes exactly as the camera sent them.
    pub jpeg: Vec<u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("bytes", &self.jpeg.len())
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

/// Why bytes are not an acceptable JPEG still.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JpegFault {
    /// Nothing was sent.
    #[error("empty body")]
    Empty,
    /// More than the bound.
    #[error("{got} bytes, over the {limit}-byte bound")]
    TooLarge {
        /// The bound.
        limit: usize,
        /// The size received (at least).
        got: usize,
    },
    /// The first two bytes are not the JPEG start-of-image marker `FF D8`.
    #[error("no JPEG start-of-image marker (starts with {head})")]
    NoStart {
        /// The first bytes, hex.
        head: String,
    },
    /// The last two bytes are not the end-of-image marker `FF D9`: truncated.
    #[error("no JPEG end-of-image marker (truncated? ends with {tail})")]
    NoEnd {
        /// The last bytes, hex.
        tail: String,
    },
    /// Wider or taller than [`MAX_DIMENSION`].
    #[error("{width}x{height} px exceeds {MAX_DIMENSION} px")]
    Dimensions {
        /// Width.
        width: u32,
        /// Height.
        height: u32,
    },
    /// The decoder refused it.
    #[error("does not decode: {0}")]
    Decode(String),
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Checks a JPEG still: size within `max_bytes`, SOI and EOI markers, dimensions within [`MAX_DIMENSION`], and a
/// full decode with the `image` crate (under memory limits). Returns the bytes unchanged with the dimensions.
pub fn validate_jpeg(jpeg: Vec<u8>, max_bytes: usize) -> Result<Snapshot, JpegFault> {
    if jpeg.is_empty() {
        return Err(JpegFault::Empty);
    }
    if jpeg.len() > max_bytes {
        return Err(JpegFault::TooLarge {
            limit: max_bytes,
            got: jpeg.len(),
        });
    }
    if !jpeg.starts_with(&[0xFF, 0xD8]) {
        return Err(JpegFault::NoStart {
            head: hex(&jpeg[..jpeg.len().min(4)]),
        });
    }
    if !jpeg.ends_with(&[0xFF, 0xD9]) {
        return Err(JpegFault::NoEnd {
            tail: hex(&jpeg[jpeg.len().saturating_sub(4)..]),
        });
    }
    let mut reader = ImageReader::with_format(Cursor::new(&jpeg[..]), ImageFormat::Jpeg);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(256 << 20);
    reader.limits(limits);
    let decoder = reader
        .into_decoder()
        .map_err(|e| JpegFault::Decode(e.to_string()))?;
    let (width, height) = decoder.dimensions();
    if width > MAX_DIMENSION || height > MAX_DIMENSION {
        return Err(JpegFault::Dimensions { width, height });
    }
    image::DynamicImage::from_decoder(decoder).map_err(|e| JpegFault::Decode(e.to_string()))?;
    Ok(Snapshot {
        jpeg,
        width,
        height,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Scene, encode_jpeg, render_scene};

    fn good() -> Vec<u8> {
        encode_jpeg(&render_scene(&Scene {
            subject: Some(7),
            time_ms: 1_000,
        }))
    }

    #[test]
    fn a_rendered_scene_passes() {
        let shot = validate_jpeg(good(), 1 << 20).unwrap();
        assert_eq!(
            (shot.width, shot.height),
            (crate::sim::WIDTH, crate::sim::HEIGHT)
        );
    }

    #[test]
    fn each_fault_is_named() {
        assert_eq!(validate_jpeg(vec![], 10), Err(JpegFault::Empty));
        assert_eq!(
            validate_jpeg(good(), 100),
            Err(JpegFault::TooLarge {
                limit: 100,
                got: good().len()
            })
        );
        assert_eq!(
            validate_jpeg(b"<html>".to_vec(), 100),
            Err(JpegFault::NoStart {
                head: "3C 68 74 6D".into()
            })
        );
        let mut cut = good();
        cut.truncate(cut.len() / 2);
        assert!(matches!(
            validate_jpeg(cut, 1 << 20),
            Err(JpegFault::NoEnd { .. })
        ));
        // Markers right, middle garbage: the decoder says no.
        let mut bad = vec![0xFF, 0xD8];
        bad.extend_from_slice(&[0x12; 64]);
        bad.extend_from_slice(&[0xFF, 0xD9]);
        let fault = validate_jpeg(bad, 1 << 20).unwrap_err();
        assert!(matches!(fault, JpegFault::Decode(_)), "{fault}");
    }
}
