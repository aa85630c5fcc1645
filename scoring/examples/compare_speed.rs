//! 1:1 comparison speed on real templates: extracts every image of the FVC2002 B sets, prepares the
//! templates, then compares all pairs within each set on one thread for a few rounds and prints the
//! time per comparison and per prepared template (CPU time of the thread where Linux reports it,
//! else wall time):
//! `cargo run --release -p scoring --example compare_speed -- ../shared/data/fingerprints/fvc2002 [rounds]
//! [--templates FILE] [--scores FILE]`.
//!
//! `--templates FILE` freezes the input: when FILE exists the templates are read from it instead of
//! extracted, otherwise they are extracted and written to it, so that two versions of the matcher
//! can be timed and compared on the same templates even while the extractor changes.
//! `--scores FILE` writes every pair's score (set, i, j, the f32's bits in hex, the value), one line
//! each, so that two versions' outputs can be compared bit for bit with `cmp`.
use scoring::{Limits, Prepared, Template, compare_prepared, decode_image, extract};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// CPU time of this thread in seconds, if the system reports it.
fn thread_cpu() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns * 1e-9)
}

/// The templates of the four sets, extracted from the images.
fn extract_sets(root: &Path) -> Vec<Vec<Template>> {
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
                    Ok(t) => set.push(t),
                    Err(e) => eprintln!("skipping {}: {e}", path.display()),
                }
            }
        }
        sets.push(set);
    }
    sets
}

/// Frozen templates: per set a u32 count, then per template a u32 length and its internal bytes
/// (little-endian lengths).
fn write_sets(path: &Path, sets: &[Vec<Template>]) -> std::io::Result<()> {
    let mut out = Vec::new();
    for set in sets {
        out.extend_from_slice(&(set.len() as u32).to_le_bytes());
        for t in set {
            let b = t.to_bytes();
            out.extend_from_slice(&(b.len() as u32).to_le_bytes());
            out.extend_from_slice(&b);
        }
    }
    std::fs::write(path, out)
}

fn read_sets(path: &Path) -> Result<Vec<Vec<Template>>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut at = 0usize;
    let u32_at = |at: &mut usize, what: &str| -> Result<usize, String> {
        let start = at_after(&bytes, at, 4)
            .ok_or_else(|| format!("{}: truncated at the {what}", path.display()))?;
        let b: [u8; 4] = bytes[start..start + 4].try_into().expect("four bytes");
        Ok(u32::from_le_bytes(b) as usize)
    };
    let mut sets = Vec::new();
    for s in 0..4 {
        let n = u32_at(&mut at, &format!("template count of set {}", s + 1))?;
        let mut set = Vec::with_capacity(n.min(1000));
        for i in 0..n {
            let len = u32_at(&mut at, &format!("length of template {i} of set {}", s + 1))?;
            let start = at_after(&bytes, &mut at, len).ok_or_else(|| {
                format!(
                    "{}: template {i} of set {} truncated",
                    path.display(),
                    s + 1
                )
            })?;
            let t = Template::from_bytes(&bytes[start..start + len])
                .map_err(|e| format!("{}: template {i} of set {}: {e}", path.display(), s + 1))?;
            set.push(t);
        }
        sets.push(set);
    }
    Ok(sets)
}

/// Advances `at` past `len` bytes and returns where they start, if they are all there.
fn at_after(bytes: &[u8], at: &mut usize, len: usize) -> Option<usize> {
    let start = *at;
    let end = start.checked_add(len).filter(|&e| e <= bytes.len())?;
    *at = end;
    Some(start)
}

fn main() {
    let mut root = None;
    let mut rounds = 3usize;
    let (mut templates_file, mut scores_file) = (None, None);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--templates" => templates_file = args.next().map(PathBuf::from),
            "--scores" => scores_file = args.next().map(PathBuf::from),
            _ if root.is_none() => root = Some(PathBuf::from(a)),
            _ => match a.parse() {
                Ok(r) => rounds = r,
                Err(_) => {
                    eprintln!("not a number of rounds: {a}");
                    std::process::exit(2);
                }
            },
        }
    }
    let Some(root) = root else {
        eprintln!(
            "usage: compare_speed <fvc2002 folder> [rounds] [--templates FILE] [--scores FILE]"
        );
        std::process::exit(2);
    };
    let sets = match &templates_file {
        Some(f) if f.exists() => match read_sets(f) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("cannot read the frozen templates: {e}");
                std::process::exit(1);
            }
        },
        _ => {
            let s = extract_sets(&root);
            if let Some(f) = &templates_file
                && let Err(e) = write_sets(f, &s)
            {
                eprintln!("cannot write {}: {e}", f.display());
                std::process::exit(1);
            }
            s
        }
    };
    // Preparing: every template, a few rounds.
    let n_templates: usize = sets.iter().map(Vec::len).sum();
    let (wall0, cpu0) = (Instant::now(), thread_cpu());
    let mut prepared = Vec::new();
    for _ in 0..rounds {
        prepared = sets
            .iter()
            .map(|s| s.iter().map(Prepared::new).collect::<Vec<_>>())
            .collect();
    }
    let prep_wall = wall0.elapsed().as_secs_f64();
    let prep_cpu = cpu0.zip(thread_cpu()).map(|(a, b)| b - a);
    let (wall0, cpu0) = (Instant::now(), thread_cpu());
    let (mut n, mut checksum) = (0usize, 0.0f64);
    for _ in 0..rounds {
        for set in &prepared {
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
    let per_prep = |s: f64| s * 1e3 / (n_templates * rounds) as f64;
    match prep_cpu {
        Some(c) => println!(
            "{} templates prepared: {:.3} ms CPU each, {:.3} ms wall",
            n_templates * rounds,
            per_prep(c),
            per_prep(prep_wall)
        ),
        None => println!(
            "{} templates prepared: {:.3} ms wall each",
            n_templates * rounds,
            per_prep(prep_wall)
        ),
    }
    if let Some(f) = scores_file {
        let mut out = String::new();
        for (s, set) in prepared.iter().enumerate() {
            for i in 0..set.len() {
                for j in i + 1..set.len() {
                    let v = compare_prepared(&set[i], &set[j]).0;
                    out.push_str(&format!("{}\t{i}\t{j}\t{:08x}\t{v}\n", s + 1, v.to_bits()));
                }
            }
        }
        if let Err(e) = std::fs::File::create(&f).and_then(|mut w| w.write_all(out.as_bytes())) {
            eprintln!("cannot write {}: {e}", f.display());
            std::process::exit(1);
        }
    }
}
