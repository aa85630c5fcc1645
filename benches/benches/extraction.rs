//! Extraction speed on a synthetic 388 × 374 ridge pattern (no real fingerprints in the
//! repository) and, when the shared data is present, on FVC2002 DB1_B 101_1.

use criterion::{Criterion, criterion_group, criterion_main};
use scoring::GrayImage;
use std::hint::black_box;

/// Concentric ridges with a 9-pixel period around an off-centre core, on a white background.
fn synthetic() -> GrayImage {
    let (w, h) = (388u32, 374u32);
    let px = (0..w * h)
        .map(|i| {
            let (dx, dy) = ((i % w) as f32 - 180.0, (i / w) as f32 - 200.0);
            let inside = (dx / 150.0).powi(2) + (dy / 170.0).powi(2) < 1.0;
            let r = (dx * dx + 0.6 * dy * dy).sqrt() + 4.0 * (dx * 0.05).sin();
            if inside {
                (128.0 + 100.0 * (r * std::f32::consts::TAU / 9.0).sin()) as u8
            } else {
                255
            }
        })
        .collect();
    GrayImage::from_raw(w, h, px).expect("w × h pixels")
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("extract");
    g.sample_size(20);
    let img = synthetic();
    assert!(
        scoring::extract(&img, 500).is_ok()
            || scoring::extract(&img, 500).unwrap_err().is_unusable()
    );
    g.bench_function("synthetic_388x374", |b| {
        b.iter(|| scoring::extract(black_box(&img), 500))
    });
    // The package is benches/scoring; the data sits beside the workspace.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/fingerprints/fvc2002/DB1_B/101_1.tif"
    );
    match std::fs::read(path) {
        Ok(bytes) => {
            let img = scoring::decode_image(&bytes, scoring::Limits::default()).unwrap();
            assert!(scoring::extract(&img, 500).unwrap().minutiae.len() >= 10);
            g.bench_function("fvc2002_db1_101_1", |b| {
                b.iter(|| scoring::extract(black_box(&img), 500))
            });
        }
        Err(_) => eprintln!("SKIPPED: FVC2002 image absent ({path})"),
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
