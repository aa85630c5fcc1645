//! Writes the two committed sample pictures into a folder:
//! `cargo run --release -p fingersynth --example samples -- crates/fingersynth/examples`.
//!
//! `sample_master.png` is the master of finger 1 of the set with seed 1, thresholded to black and
//! white (so that it stays small); `sample_impression.png` is the central 160×200 crop of that
//! finger's second impression at full 500-ppi resolution, exactly as `fingersynth --seed 1` writes it.

use fingersynth::{ImpressionParams, Master, MasterParams, finger_seed, impression_seed};
use image::{GrayImage, Luma, imageops};

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let master = Master::generate(&MasterParams::default(), finger_seed(1, 1));
    let bw = GrayImage::from_fn(master.width(), master.height(), |x, y| {
        let (x, y) = (x as usize, y as usize);
        let ridge = master.ridges().at(x, y) > 0.0 && master.mask().at(x, y) > 0.5;
        Luma([if ridge { 0 } else { 255 }])
    });
    bw.save(format!("{dir}/sample_master.png")).unwrap();
    let full = master.impression(&ImpressionParams::default(), impression_seed(1, 1, 2));
    let (w, h) = (160, 200);
    let crop = imageops::crop_imm(&full, (full.width() - w) / 2, (full.height() - h) / 2, w, h);
    crop.to_image()
        .save(format!("{dir}/sample_impression.png"))
        .unwrap();
}
