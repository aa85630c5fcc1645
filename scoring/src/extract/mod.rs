//! Minutiae extraction from 8-bit grayscale images.
//!
//! The pipeline, in order (each step is explained in plain words at the top of its file):
//! 1. resample to 500 ppi (`plane.rs`);
//! 2. block orientation field, coherence and foreground mask (`orientation.rs`);
//! 3. contextual enhancement along and across the ridges, and binarisation (`enhance.rs`),
//!    with small ridge specks and pores cleaned from the binary map (`clean.rs`);
//! 4. thinning to a one-pixel skeleton (`thin.rs`);
//! 5. minutiae, their directions, and removal of false ones (`minutiae.rs`);
//! 6. steps 3–5 again with a lighter along-ridge smoothing, adding the minutiae that the first
//!    pass missed (`union.rs`).
//!
//! Untrusted input is bounded by [`Limits`]: a huge image is refused before any large allocation.

mod clean;
mod enhance;
mod minutiae;
mod orientation;
mod plane;
mod thin;
mod union;

use crate::template::{MAX_MINUTIAE, Minutia, MinutiaKind, Template};
use plane::Plane;
use std::fmt;

pub use image::GrayImage;

/// Bounds on untrusted images.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted width or height of the input, pixels.
    pub max_side: u32,
    /// Largest accepted encoded file size, bytes.
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_side: 4096,
            max_bytes: 32 << 20,
        }
    }
}

/// Smallest accepted side after resampling to 500 ppi, pixels.
const MIN_SIDE: usize = 64;
/// Largest side after resampling to 500 ppi, pixels (a 4 × 4 inch area).
const MAX_SIDE_500: usize = 2000;
/// Fewer foreground blocks (8 × 8 px) than this means no finger.
const MIN_FOREGROUND_BLOCKS: usize = 100;
/// Fewer minutiae than this and the image is unusable.
pub const MIN_MINUTIAE: usize = 6;

/// Extraction failed: the image is malformed, too large, or unusable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractError {
    kind: ExtractErrorKind,
    detail: String,
}

/// The class of an extraction failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExtractErrorKind {
    /// The bytes are not a decodable image.
    Malformed,
    /// The image exceeds the [`Limits`] or is too small to hold a fingerprint.
    BadSize,
    /// The resolution is outside 250–2000 ppi.
    BadResolution,
    /// No finger area was found ("no foreground").
    NoForeground,
    /// The finger area holds too few minutiae to be matched ("too few minutiae").
    TooFewMinutiae,
}

impl ExtractError {
    fn new(kind: ExtractErrorKind, detail: impl Into<String>) -> Self {
        ExtractError {
            kind,
            detail: detail.into(),
        }
    }

    /// The class of the failure.
    pub fn kind(&self) -> ExtractErrorKind {
        self.kind
    }

    /// Whether the image was decoded but is unusable (a failure to enrol rather than bad input).
    pub fn is_unusable(&self) -> bool {
        matches!(
            self.kind,
            ExtractErrorKind::NoForeground | ExtractErrorKind::TooFewMinutiae
        )
    }
}

impl fmt::Display for ExtractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ExtractErrorKind::Malformed => "malformed image",
            ExtractErrorKind::BadSize => "unacceptable image size",
            ExtractErrorKind::BadResolution => "unacceptable resolution",
            ExtractErrorKind::NoForeground => "no foreground",
            ExtractErrorKind::TooFewMinutiae => "too few minutiae",
        };
        write!(f, "{what}: {}", self.detail)
    }
}

impl std::error::Error for ExtractError {}

/// Decodes an encoded image (PNG, TIFF, BMP, GIF) to 8-bit gray within `limits`.
pub fn decode_image(bytes: &[u8], limits: Limits) -> Result<GrayImage, ExtractError> {
    if bytes.len() > limits.max_bytes {
        return Err(ExtractError::new(
            ExtractErrorKind::BadSize,
            format!("{} bytes", bytes.len()),
        ));
    }
    let open = || {
        image::ImageReader::new(std::io::Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| ExtractError::new(ExtractErrorKind::Malformed, e.to_string()))
    };
    // Read the header alone first: a huge image is refused before anything is allocated for it.
    let (w, h) = open()?
        .into_dimensions()
        .map_err(|e| ExtractError::new(ExtractErrorKind::Malformed, e.to_string()))?;
    if w > limits.max_side || h > limits.max_side {
        return Err(ExtractError::new(
            ExtractErrorKind::BadSize,
            format!("{w} × {h} pixels"),
        ));
    }
    let mut reader = open()?;
    let mut l = image::Limits::default();
    l.max_image_width = Some(limits.max_side);
    l.max_image_height = Some(limits.max_side);
    l.max_alloc = Some(4 * limits.max_side as u64 * limits.max_side as u64);
    reader.limits(l);
    let img = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => ExtractError::new(ExtractErrorKind::BadSize, e.to_string()),
        _ => ExtractError::new(ExtractErrorKind::Malformed, e.to_string()),
    })?;
    Ok(img.to_luma8())
}

/// The image resampled to 500 ppi, as the extractor sees it (for drawing explanations).
pub fn to_500ppi(img: &GrayImage, ppi: u32) -> Result<GrayImage, ExtractError> {
    let p = load(
        img.as_raw(),
        img.width() as usize,
        img.height() as usize,
        ppi,
    )?;
    Ok(GrayImage::from_fn(p.w as u32, p.h as u32, |x, y| {
        image::Luma([p.at(x as usize, y as usize).round().clamp(0.0, 255.0) as u8])
    }))
}

fn load(pixels: &[u8], width: usize, height: usize, ppi: u32) -> Result<Plane, ExtractError> {
    if !(250..=2000).contains(&ppi) {
        return Err(ExtractError::new(
            ExtractErrorKind::BadResolution,
            format!("{ppi} ppi"),
        ));
    }
    if pixels.len() != width.saturating_mul(height) {
        return Err(ExtractError::new(
            ExtractErrorKind::Malformed,
            "pixel count is not width × height",
        ));
    }
    let scale = 500.0 / ppi as f32;
    let (w5, h5) = (
        (width as f32 * scale).round() as usize,
        (height as f32 * scale).round() as usize,
    );
    if w5 < MIN_SIDE || h5 < MIN_SIDE || w5 > MAX_SIDE_500 || h5 > MAX_SIDE_500 {
        return Err(ExtractError::new(
            ExtractErrorKind::BadSize,
            format!("{width} × {height} at {ppi} ppi"),
        ));
    }
    let src = Plane {
        w: width,
        h: height,
        data: pixels.iter().map(|&v| v as f32).collect(),
    };
    Ok(if ppi == 500 {
        src
    } else {
        plane::resample(&src, scale)
    })
}

/// Extracts a template from a gray image at `ppi` pixels per inch.
pub fn extract(img: &GrayImage, ppi: u32) -> Result<Template, ExtractError> {
    extract_raw(
        img.as_raw(),
        img.width() as usize,
        img.height() as usize,
        ppi,
    )
}

/// Extracts a template from raw 8-bit gray pixels (row-major, `width × height` bytes) at `ppi` pixels per inch.
pub fn extract_raw(
    pixels: &[u8],
    width: usize,
    height: usize,
    ppi: u32,
) -> Result<Template, ExtractError> {
    let img = load(pixels, width, height, ppi)?;
    let field = orientation::field(&img);
    let fg_blocks = field.foreground.iter().filter(|&&b| b).count();
    if fg_blocks < MIN_FOREGROUND_BLOCKS {
        return Err(ExtractError::new(
            ExtractErrorKind::NoForeground,
            format!("{fg_blocks} foreground blocks"),
        ));
    }
    let mut skel = enhance::binarise(&img, &field);
    thin::thin(&mut skel, img.w, img.h);
    let mut found = minutiae::find(&skel, img.w, img.h, &field);
    // The second, lighter pass, for the minutiae the first one smooths away.
    let mut skel = enhance::binarise_light(&img, &field);
    thin::thin(&mut skel, img.w, img.h);
    union::add_missing(&mut found, minutiae::find(&skel, img.w, img.h, &field));
    if found.len() < MIN_MINUTIAE {
        return Err(ExtractError::new(
            ExtractErrorKind::TooFewMinutiae,
            format!("{} minutiae", found.len()),
        ));
    }
    found.sort_by(|a, b| b.quality.cmp(&a.quality).then((a.y, a.x).cmp(&(b.y, b.x))));
    found.truncate(MAX_MINUTIAE);
    let fg_coh: Vec<f32> = field
        .coherence
        .iter()
        .zip(&field.foreground)
        .filter(|(_, f)| **f)
        .map(|(c, _)| *c)
        .collect();
    let mean_coh = fg_coh.iter().sum::<f32>() / fg_coh.len() as f32;
    let quality =
        ((mean_coh * 1.4).min(1.0) * 100.0 * (found.len() as f32 / 30.0).min(1.0)).round() as u8;
    Ok(Template {
        width: img.w as u16,
        height: img.h as u16,
        quality: quality.clamp(1, 100),
        minutiae: found
            .iter()
            .map(|f| Minutia {
                x: f.x as u16,
                y: f.y as u16,
                // Image angles turn clockwise on screen (y down); template angles turn counter-clockwise.
                angle: Minutia::angle_from_rad(-f.angle),
                kind: if f.bifurcation {
                    MinutiaKind::Bifurcation
                } else {
                    MinutiaKind::Ending
                },
                quality: f.quality,
            })
            .collect(),
    })
}

/// The intermediate stages of extraction, for looking at: the 500 ppi image with the foreground
/// mask darkened outside, the binary ridge map, and the skeleton (255 = set). Not a stable API.
#[doc(hidden)]
pub fn debug_stages(img: &GrayImage, ppi: u32) -> Result<[GrayImage; 3], ExtractError> {
    let p = load(
        img.as_raw(),
        img.width() as usize,
        img.height() as usize,
        ppi,
    )?;
    let field = orientation::field(&p);
    let bin = enhance::binarise(&p, &field);
    let mut skel = bin.clone();
    thin::thin(&mut skel, p.w, p.h);
    let (w, h) = (p.w as u32, p.h as u32);
    let fg = |x: u32, y: u32| {
        field.foreground
            [(y as usize / orientation::BLOCK) * field.bw + x as usize / orientation::BLOCK]
    };
    let a = GrayImage::from_fn(w, h, |x, y| {
        let v = p.at(x as usize, y as usize);
        image::Luma([if fg(x, y) { v as u8 } else { (v / 3.0) as u8 }])
    });
    let b = GrayImage::from_fn(w, h, |x, y| {
        image::Luma([if bin[(y * w + x) as usize] { 0 } else { 255 }])
    });
    let c = GrayImage::from_fn(w, h, |x, y| {
        image::Luma([if skel[(y * w + x) as usize] { 0 } else { 255 }])
    });
    Ok([a, b, c])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_image_has_no_foreground() {
        let err = extract_raw(&vec![255u8; 200 * 200], 200, 200, 500).unwrap_err();
        assert_eq!(err.kind(), ExtractErrorKind::NoForeground);
        assert!(err.to_string().starts_with("no foreground"));
    }

    #[test]
    fn sizes_and_resolutions_are_bounded() {
        assert_eq!(
            extract_raw(&[0; 100], 10, 10, 500).unwrap_err().kind(),
            ExtractErrorKind::BadSize
        );
        assert_eq!(
            extract_raw(&[0; 100], 10, 9, 500).unwrap_err().kind(),
            ExtractErrorKind::Malformed
        );
        assert_eq!(
            extract_raw(&vec![0; 300 * 300], 300, 300, 100)
                .unwrap_err()
                .kind(),
            ExtractErrorKind::BadResolution
        );
        // 3000 × 3000 at 500 ppi is bigger than any finger area.
        assert_eq!(
            extract_raw(&vec![0; 3000 * 3000], 3000, 3000, 500)
                .unwrap_err()
                .kind(),
            ExtractErrorKind::BadSize
        );
    }

    #[test]
    fn malformed_and_huge_encoded_images_are_refused() {
        assert_eq!(
            decode_image(b"not an image", Limits::default())
                .unwrap_err()
                .kind(),
            ExtractErrorKind::Malformed
        );
        // A BMP header claiming 60000 × 60000 pixels.
        let mut bmp = vec![0u8; 54];
        bmp[0..2].copy_from_slice(b"BM");
        bmp[2..6].copy_from_slice(&54u32.to_le_bytes());
        bmp[10..14].copy_from_slice(&54u32.to_le_bytes());
        bmp[14..18].copy_from_slice(&40u32.to_le_bytes());
        bmp[18..22].copy_from_slice(&60000i32.to_le_bytes());
        bmp[22..26].copy_from_slice(&60000i32.to_le_bytes());
        bmp[26..28].copy_from_slice(&1u16.to_le_bytes());
        bmp[28..30].copy_from_slice(&24u16.to_le_bytes());
        let err = decode_image(&bmp, Limits::default()).unwrap_err();
        assert_eq!(err.kind(), ExtractErrorKind::BadSize, "{err}");
    }
}
