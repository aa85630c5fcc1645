//! How far our minutiae are from a reference extractor's on the same images:
//! `cargo run --release -p scoring --example minutiae_vs_reference -- <fingerprints folder>`,
//! where the folder holds `fvc2002/DB<n>_B/*.tif` and `iso19794-2/openafis/fvc2002_DB<n>_B/*.iso`.
//!
//! The reference templates were made from the images resized to their own width and height, so
//! their positions are scaled to ours. A reference minutia is found when one of ours lies within
//! 10 pixels (each of ours counts once). Printed per set: recall (found / reference), precision
//! (found / ours), the share of found pairs whose directions differ by more than 90° (the two
//! extractors' conventions differ for some types, so this is not an error rate), and the
//! precision of our minutiae per quality decile, which shows whether quality predicts truth.
use scoring::{Limits, decode_image, extract, iso};
use std::f32::consts::{FRAC_PI_2, TAU};
use std::path::PathBuf;

fn main() {
    let Some(root) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: minutiae_vs_reference <fingerprints folder>");
        std::process::exit(2);
    };
    if !root.join("iso19794-2/openafis").is_dir() {
        eprintln!(
            "{} has no iso19794-2/openafis folder: nothing to compare",
            root.display()
        );
        std::process::exit(2);
    }
    for db in 1..=4 {
        let ppi = if db == 2 { 569 } else { 500 };
        let (mut n_ref, mut n_ours, mut found, mut turned) = (0usize, 0usize, 0usize, 0usize);
        // Per quality decile of our minutiae: [not found, found].
        let mut by_quality = [[0usize; 2]; 11];
        for finger in 101..=110 {
            for imp in 1..=8 {
                let image = root.join(format!("fvc2002/DB{db}_B/{finger}_{imp}.tif"));
                let reference = root.join(format!(
                    "iso19794-2/openafis/fvc2002_DB{db}_B/{finger}_{imp}.iso"
                ));
                let (Ok(img), Ok(rbytes)) = (std::fs::read(&image), std::fs::read(&reference))
                else {
                    eprintln!("skipping {}: image or reference missing", image.display());
                    continue;
                };
                let img = match decode_image(&img, Limits::default()) {
                    Ok(i) => i,
                    Err(e) => {
                        eprintln!("skipping {}: {e}", image.display());
                        continue;
                    }
                };
                let (Ok(ours), Ok(rec)) = (extract(&img, ppi), iso::decode(&rbytes)) else {
                    eprintln!(
                        "skipping {}: extraction or decoding failed",
                        image.display()
                    );
                    continue;
                };
                let Some(view) = rec.views.first() else {
                    continue;
                };
                let sx = ours.width as f32 / rec.width as f32;
                let sy = ours.height as f32 / rec.height as f32;
                let unit = rec.format.angle_unit_degrees().to_radians();
                let mut used = vec![false; ours.minutiae.len()];
                for m in &view.minutiae {
                    let (x, y) = (m.x as f32 * sx, m.y as f32 * sy);
                    let best = ours
                        .minutiae
                        .iter()
                        .enumerate()
                        .filter(|(k, _)| !used[*k])
                        .map(|(k, o)| (k, (o.x as f32 - x).hypot(o.y as f32 - y)))
                        .filter(|&(_, d)| d <= 10.0)
                        .min_by(|a, b| a.1.total_cmp(&b.1));
                    if let Some((k, _)) = best {
                        used[k] = true;
                        found += 1;
                        let d =
                            (ours.minutiae[k].angle_rad() - m.angle as f32 * unit).rem_euclid(TAU);
                        if d.min(TAU - d) > FRAC_PI_2 {
                            turned += 1;
                        }
                    }
                }
                for (m, u) in ours.minutiae.iter().zip(&used) {
                    by_quality[(m.quality / 10) as usize][*u as usize] += 1;
                }
                n_ref += view.minutiae.len();
                n_ours += ours.minutiae.len();
            }
        }
        let pct = |a: usize, b: usize| 100.0 * a as f32 / b.max(1) as f32;
        println!(
            "DB{db}_B: reference {n_ref}, ours {n_ours}, found {found}: recall {:.0} %, precision {:.0} %, turned by more than 90° {:.0} %",
            pct(found, n_ref),
            pct(found, n_ours),
            pct(turned, found),
        );
        let deciles: Vec<String> = by_quality
            .iter()
            .enumerate()
            .filter(|(_, c)| c[0] + c[1] > 0)
            .map(|(d, c)| {
                format!(
                    "{}: {:.0} % of {}",
                    d * 10,
                    pct(c[1], c[0] + c[1]),
                    c[0] + c[1]
                )
            })
            .collect();
        println!("  precision by our quality: {}", deciles.join(", "));
    }
}
