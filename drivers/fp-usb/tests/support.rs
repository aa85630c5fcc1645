//! Shared helpers: where the libfprint recordings are, and how to compare images.

use std::path::{Path, PathBuf};

/// The libfprint recordings, read in place (they hold real fingerprints and are never copied here).
pub fn recordings() -> Option<PathBuf> {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/usb-recordings"
    ));
    if dir.is_dir() {
        Some(dir.to_path_buf())
    } else {
        eprintln!(
            "SKIP: {} is absent; the recorded-capture tests need libfprint's recordings there",
            dir.display()
        );
        None
    }
}

/// Grey pixels of a reference PNG: libfprint stores grey as RGB, and its test compares one channel.
pub fn reference_pixels(png: &Path) -> (u32, u32, Vec<u8>) {
    let img = image::open(png)
        .unwrap_or_else(|e| panic!("{}: {e}", png.display()))
        .to_rgb8();
    let (w, h) = img.dimensions();
    let grey: Vec<u8> = img.pixels().map(|p| p.0[1]).collect();
    (w, h, grey)
}

/// Asserts that `pixels` (width × height, grey) equal the reference image pixel for pixel.
pub fn assert_same_image(width: u32, height: u32, pixels: &[u8], png: &Path) {
    let (w, h, want) = reference_pixels(png);
    assert_eq!((width, height), (w, h), "image size");
    let first_diff = pixels.iter().zip(&want).position(|(a, b)| a != b);
    assert_eq!(
        first_diff,
        None,
        "first differing pixel at {:?}",
        first_diff.map(|i| (i % w as usize, i / w as usize))
    );
    assert_eq!(pixels.len(), want.len());
}
