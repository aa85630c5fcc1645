//! Finger images for the simulator: a folder of PNGs, or generated ridge patterns.

use std::path::Path;

use hw::FingerImage;
use image::imageops::{self, FilterType};

use crate::protocol::ImageGeometry;

/// Why the image folder could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ImageSourceError {
    /// The folder could not be listed.
    #[error("cannot read image folder")]
    Io(#[from] std::io::Error),
    /// A file could not be decoded.
    #[error("cannot decode {file}")]
    Decode {
        /// The file name.
        file: String,
        /// Why.
        #[source]
        error: image::ImageError,
    },
    /// The folder holds no PNG.
    #[error("no .png files in the image folder")]
    Empty,
}

/// Where the simulator's finger images come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FingerSource {
    /// Every `*.png` of a folder, sorted by name.
    Folder(std::path::PathBuf),
    /// This many generated ridge patterns (seeds 0..n).
    Generated(u32),
}

impl FingerSource {
    /// The images, at the module's geometry.
    pub fn load(&self, g: ImageGeometry) -> Result<Vec<FingerImage>, ImageSourceError> {
        match self {
            Self::Folder(dir) => load_folder(dir, g),
            Self::Generated(n) => Ok((0..*n).map(|i| generate(i, g)).collect()),
        }
    }
}

/// Loads every `*.png` of `dir` (sorted by name), as grey, resized to the module's geometry.
pub fn load_folder(dir: &Path, g: ImageGeometry) -> Result<Vec<FingerImage>, ImageSourceError> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("png")))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(ImageSourceError::Empty);
    }
    files
        .iter()
        .map(|f| {
            let img = image::open(f).map_err(|error| ImageSourceError::Decode {
                file: f.display().to_string(),
                error,
            })?;
            let grey =
                imageops::resize(&img.to_luma8(), g.width(), g.height(), FilterType::Triangle);
            Ok(FingerImage::new(g.width(), g.height(), grey.into_raw())
                .expect("resized to the geometry"))
        })
        .collect()
}

/// A deterministic synthetic "finger": concentric ridges around a seed-dependent core,
/// with a seed-dependent ridge period and a slanted offset. Integer arithmetic only.
pub fn generate(seed: u32, g: ImageGeometry) -> FingerImage {
    let (w, h) = (g.width() as i64, g.height() as i64);
    let s = i64::from(seed);
    let cx = w / 3 + (s * 37) % (w / 3);
    let cy = h / 3 + (s * 53) % (h / 3);
    let period = 6 + s % 5;
    let slant = 1 + s % 3;
    let mut px = Vec::with_capacity((w * h) as usize);
    for y in 0..h {
        for x in 0..w {
            let (dx, dy) = (x - cx, y - cy);
            let r = ((dx * dx + dy * dy) as f64).sqrt() as i64;
            let phase = r + (x * slant) / 8;
            let ridge = (phase / (period / 2)) % 2 == 0;
            let edge = x.min(w - 1 - x).min(y).min(h - 1 - y);
            px.push(if edge < 8 {
                255
            } else if ridge {
                40
            } else {
                210
            });
        }
    }
    FingerImage::new(g.width(), g.height(), px).expect("generated at the geometry")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_images_differ_by_seed_and_repeat() {
        let g = ImageGeometry::Capacitive;
        assert_eq!(generate(1, g), generate(1, g));
        assert_ne!(generate(1, g).pixels(), generate(2, g).pixels());
        assert_eq!(
            generate(3, ImageGeometry::Optical).pixels().len(),
            256 * 288
        );
    }

    #[test]
    fn folder_loading_resizes_to_the_geometry() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            load_folder(dir.path(), ImageGeometry::Optical),
            Err(ImageSourceError::Empty)
        ));
        let img = image::GrayImage::from_fn(50, 40, |x, y| image::Luma([(x * 5 + y) as u8]));
        img.save(dir.path().join("b.png")).unwrap();
        img.save(dir.path().join("a.png")).unwrap();
        std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
        let imgs = FingerSource::Folder(dir.path().into())
            .load(ImageGeometry::Capacitive)
            .unwrap();
        assert_eq!(imgs.len(), 2);
        assert_eq!((imgs[0].width(), imgs[0].height()), (192, 192));
    }
}
