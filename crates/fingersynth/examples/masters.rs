//! Writes one master per class to a folder, with timings:
//! `cargo run --release --example masters -- <dir> [width height seed]`.

use fingersynth::{ClassChoice, FingerClass, Master, MasterParams};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).cloned().unwrap_or_else(|| ".".into());
    let num = |i: usize, d: u64| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let (width, height, seed) = (num(2, 320) as u32, num(3, 432) as u32, num(4, 1000));
    for class in FingerClass::ALL {
        let params = MasterParams {
            width,
            height,
            class: ClassChoice::Fixed(class),
            ..MasterParams::default()
        };
        let t = Instant::now();
        let m = Master::generate(&params, seed);
        let ms = t.elapsed().as_secs_f64() * 1e3;
        let path = format!("{dir}/master_{}.png", class.name());
        m.to_image().save(&path).unwrap();
        println!(
            "{path}: {ms:.0} ms, singular points {:?}",
            m.singular_points()
        );
    }
}
