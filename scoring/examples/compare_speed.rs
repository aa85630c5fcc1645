//! 1:1 comparison speed on real templates: extracts every image of the FVC2002 B sets, prepares the
//! templates, then compares all pairs within each set on one thread for a few rounds and prints the
//! time per comparison (CPU time of the thread where Linux reports it, else wall time):
//! `cargo run --release -p scoring --example compare_speed -- ../shared/data/fingerprints/fvc2002 [rounds]`.
use scoring::{Limits, Prepared, compare_prepared, decode_image, extract};
use std::path::PathBuf;
use std::time::Instant;

/// CPU time of this thread in seconds, if the system reports it.
fn thread_cpu() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns * 1e-9)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(root) = args.next().map(PathBuf::from) else {
        eprintln!("usage: compare_speed <fvc2002 folder> [rounds]");
        std::process::exit(2);
    };
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(3);
    let mut sets = Vec::new();
    for db in 1..=4 {
        let ppi = if db == 2 { 569 } else { 500 };
        let mut set = Vec::new();
        for finger in 101..=110 {
            for imp in 1..=8 {
                let path = root.join(format!("DB{db}_B/{finger}_{imp}.tif"));
                let Ok(bytes) = std::fs::read(&path) else {
                    eprintln!("skipping {}: cannot read it", path.display());
                    continue;
                };
                match decode_image(&bytes, Limits::default()).and_then(|i| extract(&i, ppi)) {
                    Ok(t) => set.push(Prepared::new(&t)),
                    Err(e) => eprintln!("skipping {}: {e}", path.display()),
                }
            }
        }
        sets.push(set);
    }
    let (wall0, cpu0) = (Instant::now(), thread_cpu());
    let (mut n, mut checksum) = (0usize, 0.0f64);
    for _ in 0..rounds {
        for set in &sets {
            for i in 0..set.len() {
                for j in i + 1..set.len() {
                    checksum += compare_prepared(&set[i], &set[j]).0 as f64;
                    n += 1;
                }
            }
        }
    }
    if n == 0 {
        eprintln!("no templates under {}", root.display());
        std::process::exit(1);
    }
    let wall = wall0.elapsed().as_secs_f64();
    let per = |s: f64| s * 1e6 / n as f64;
    match (cpu0, thread_cpu()) {
        (Some(a), Some(b)) => println!(
            "{n} comparisons: {:.1} µs CPU each ({:.0} a second on one core), {:.1} µs wall; score sum {checksum:.4}",
            per(b - a),
            n as f64 / (b - a),
            per(wall)
        ),
        _ => println!(
            "{n} comparisons: {:.1} µs wall each ({:.0} a second on one thread); score sum {checksum:.4}",
            per(wall),
            n as f64 / wall
        ),
    }
}
