//! `fpeval`: evaluates the matcher on a folder of fingerprint images or templates named
//! `<finger>_<impression>.<tif|png|bmp|iso>` (FVC naming), comparing all unordered pairs
//! (genuine = same finger), and explains single comparisons as pictures.

mod svg;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use scoring::{Limits, Prepared, Template, compare_prepared, eval};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Parser, Debug)]
#[command(version, about, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    cmd: Option<Cmd>,
    #[command(flatten)]
    eval: EvalArgs,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Compares two images and draws the paired minutiae.
    Explain {
        /// First image.
        a: PathBuf,
        /// Second image.
        b: PathBuf,
        /// Resolution of both images, pixels per inch.
        #[arg(long, default_value_t = 500)]
        ppi: u32,
        /// Where to write the picture.
        #[arg(long)]
        svg: Option<PathBuf>,
    },
    /// Pools score files written by `--scores` (one per set) and prints the pooled error rates and
    /// the thresholds for FMR 1/1,000 and 1/10,000: the way `THRESHOLD_FMR_*` are derived.
    Pool {
        /// `probe<TAB>score<TAB>gallery` files; genuine = same finger (name before `_`).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print one JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
struct EvalArgs {
    /// Folder of `<finger>_<impression>.<tif|png|bmp|iso>` files.
    dir: Option<PathBuf>,
    /// Resolution of the images, pixels per inch (image dpi tags are often wrong).
    #[arg(long, default_value_t = 500)]
    ppi: u32,
    /// Print one JSON object on stdout.
    #[arg(long)]
    json: bool,
    /// Draw the DET curve to this SVG file.
    #[arg(long)]
    det: Option<PathBuf>,
    /// Another matcher's scores (`probe<TAB>score<TAB>gallery` lines) to report beside ours.
    #[arg(long)]
    compare: Option<PathBuf>,
    /// Write our scores of all pairs to this file, in the same `probe<TAB>score<TAB>gallery` form.
    #[arg(long)]
    scores: Option<PathBuf>,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.cmd {
        Some(Cmd::Explain { a, b, ppi, svg }) => explain(&a, &b, ppi, svg.as_deref()),
        Some(Cmd::Pool { files, json }) => pool(&files, json),
        None => {
            let Some(dir) = cli.eval.dir.clone() else {
                bail!("give a folder of images, or a subcommand (see --help)")
            };
            evaluate(&dir, &cli.eval)
        }
    }
}

struct Sample {
    name: String,
    finger: String,
    template: Option<Template>,
    extract_ms: Option<f64>,
    error: Option<String>,
}

fn list(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                matches!(
                    e.to_ascii_lowercase().as_str(),
                    "tif" | "tiff" | "png" | "bmp" | "iso"
                )
            })
        })
        .filter(|p| {
            p.file_stem()
                .and_then(|s| s.to_str())
                .is_some_and(|s| s.contains('_'))
        })
        .collect();
    files.sort();
    Ok(files)
}

fn load(path: &Path, ppi: u32) -> Sample {
    let name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string();
    let finger = name.split('_').next().unwrap_or_default().to_string();
    let mut s = Sample {
        name,
        finger,
        template: None,
        extract_ms: None,
        error: None,
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            s.error = Some(e.to_string());
            return s;
        }
    };
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("iso"))
    {
        match Template::from_standard_bytes(&bytes) {
            Ok(t) => s.template = Some(t),
            Err(e) => s.error = Some(e.to_string()),
        }
        return s;
    }
    match scoring::decode_image(&bytes, Limits::default()) {
        Ok(img) => {
            let t0 = Instant::now();
            let r = scoring::extract(&img, ppi);
            s.extract_ms = Some(t0.elapsed().as_secs_f64() * 1e3);
            match r {
                Ok(t) => s.template = Some(t),
                Err(e) => s.error = Some(e.to_string()),
            }
        }
        Err(e) => s.error = Some(e.to_string()),
    }
    s
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn evaluate(dir: &Path, args: &EvalArgs) -> Result<()> {
    let files = list(dir)?;
    if files.is_empty() {
        bail!(
            "no <finger>_<impression> images or templates in {}",
            dir.display()
        );
    }
    let bar = ProgressBar::new(files.len() as u64).with_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("extracting");
    let wall = Instant::now();
    let cpu0 = cpu_seconds("self");
    let samples: Vec<Sample> = files
        .par_iter()
        .map(|p| {
            let s = load(p, args.ppi);
            bar.inc(1);
            s
        })
        .collect();
    bar.finish_and_clear();
    let extract_wall_s = wall.elapsed().as_secs_f64();
    let extract_cpu_s = cpu_seconds("self") - cpu0;
    for s in samples.iter().filter(|s| s.error.is_some()) {
        eprintln!("{}: {}", s.name, s.error.as_deref().unwrap_or_default());
    }
    // Cylinders, one core.
    let mut prep_ms = Vec::new();
    let prepared: Vec<Option<Prepared>> = samples
        .iter()
        .map(|s| {
            s.template.as_ref().map(|t| {
                let t0 = Instant::now();
                let p = Prepared::new(t);
                prep_ms.push(t0.elapsed().as_secs_f64() * 1e3);
                p
            })
        })
        .collect();
    // All unordered pairs, one core; a failed sample scores 0 against everything.
    let (mut genuine, mut impostor, mut match_us) = (Vec::new(), Vec::new(), Vec::new());
    let mut pair_scores: Vec<(usize, usize, f32)> = Vec::new();
    let match_cpu0 = cpu_seconds("thread-self");
    for i in 0..samples.len() {
        for j in i + 1..samples.len() {
            let score = match (&prepared[i], &prepared[j]) {
                (Some(a), Some(b)) => {
                    let t0 = Instant::now();
                    let s = compare_prepared(std::hint::black_box(a), std::hint::black_box(b)).0;
                    match_us.push(t0.elapsed().as_secs_f64() * 1e6);
                    s
                }
                _ => 0.0,
            };
            pair_scores.push((i, j, score));
            if samples[i].finger == samples[j].finger {
                genuine.push(score)
            } else {
                impostor.push(score)
            }
        }
    }
    let match_cpu_s = cpu_seconds("thread-self") - match_cpu0;
    let rates = eval::rates(&genuine, &impostor);
    let fte = samples.iter().filter(|s| s.template.is_none()).count() as f64 / samples.len() as f64;
    let mut ex: Vec<f64> = samples.iter().filter_map(|s| s.extract_ms).collect();
    let minutiae: Vec<f64> = samples
        .iter()
        .filter_map(|s| s.template.as_ref().map(|t| t.minutiae.len() as f64))
        .collect();
    let sizes: Vec<f64> = samples
        .iter()
        .filter_map(|s| s.template.as_ref().map(|t| t.to_bytes().len() as f64))
        .collect();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let other = match &args.compare {
        Some(p) => Some(compare_file(p, &samples, &pair_scores)?),
        None => None,
    };
    let mean = |v: &[f64]| {
        if v.is_empty() {
            f64::NAN
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let mut out = serde_json::json!({
        "images": samples.len(),
        "genuine": genuine.len(),
        "impostor": impostor.len(),
        "eer": rates.eer,
        "fmr100": rates.fmr100,
        "fmr1000": rates.fmr1000,
        "fmr10000": rates.fmr10000,
        "zero_fmr": rates.zero_fmr,
        "fte": fte,
        "threshold_fmr1000": rates.threshold_fmr1000,
        "threshold_fmr10000": rates.threshold_fmr10000,
        "extract_ms_p50": median(&mut ex),
        "prepare_ms_p50": median(&mut prep_ms),
        "match_us_p50": median(&mut match_us),
        "extract_wall_s": extract_wall_s,
        "extract_cpu_ms_mean": 1e3 * extract_cpu_s / samples.len() as f64,
        "match_cpu_us_mean": 1e6 * match_cpu_s / match_us.len().max(1) as f64,
        "cores": cores,
        "mean_minutiae": mean(&minutiae),
        "mean_template_bytes": mean(&sizes),
    });
    if let Some((name, r)) = &other {
        out["compare"] = serde_json::json!({
            "file": name, "eer": r.eer, "fmr100": r.fmr100, "fmr1000": r.fmr1000, "zero_fmr": r.zero_fmr,
        });
    }
    if let Some(path) = &args.scores {
        let text: String = pair_scores
            .iter()
            .map(|&(i, j, s)| format!("{}\t{s}\t{}\n", samples[i].name, samples[j].name))
            .collect();
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(det) = &args.det {
        let mut curves = vec![("scoring".to_string(), rates.det.clone())];
        if let Some((name, r)) = &other {
            curves.push((name.clone(), r.det.clone()));
        }
        std::fs::write(det, svg::det(&curves))
            .with_context(|| format!("writing {}", det.display()))?;
    }
    if args.json {
        println!("{out}");
    } else {
        println!(
            "{} images ({} failed to enrol), {} genuine and {} impostor pairs, {cores} cores",
            samples.len(),
            samples.iter().filter(|s| s.template.is_none()).count(),
            genuine.len(),
            impostor.len()
        );
        let row = |n: &str, r: &eval::Rates| {
            println!(
                "{n:>12}  EER {:6.2} %  FMR100 {:6.2} %  FMR1000 {:6.2} %  ZeroFMR {:6.2} %",
                100.0 * r.eer,
                100.0 * r.fmr100,
                100.0 * r.fmr1000,
                100.0 * r.zero_fmr
            )
        };
        row("scoring", &rates);
        if let Some((_, r)) = &other {
            row("compared", r);
        }
        println!(
            "extract {:.1} ms p50, prepare {:.2} ms p50, match {:.1} µs p50 (one core); thresholds FMR1000 {:.4}, FMR10000 {:.4}",
            out["extract_ms_p50"].as_f64().unwrap_or(f64::NAN),
            out["prepare_ms_p50"].as_f64().unwrap_or(f64::NAN),
            out["match_us_p50"].as_f64().unwrap_or(f64::NAN),
            rates.threshold_fmr1000,
            rates.threshold_fmr10000
        );
    }
    Ok(())
}

/// Reads another matcher's `probe<TAB>score<TAB>gallery` table and scores the same unordered pairs
/// (score(a, b) with a before b by name, or score(b, a) when only that is given).
fn compare_file(
    path: &Path,
    samples: &[Sample],
    pairs: &[(usize, usize, f32)],
) -> Result<(String, eval::Rates)> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut map: HashMap<(String, String), f32> = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.is_empty() {
            continue;
        }
        if f.len() != 3 {
            bail!(
                "{}:{}: expected probe, score, gallery",
                path.display(),
                n + 1
            );
        }
        let score: f32 = f[1]
            .parse()
            .with_context(|| format!("{}:{}: score", path.display(), n + 1))?;
        map.insert((f[0].to_string(), f[2].to_string()), score);
    }
    let (mut g, mut im) = (Vec::new(), Vec::new());
    for &(i, j, _) in pairs {
        let (a, b) = (&samples[i].name, &samples[j].name);
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        let s = map
            .get(&(a.clone(), b.clone()))
            .or_else(|| map.get(&(b.clone(), a.clone())))
            .with_context(|| format!("{} has no score for {a} vs {b}", path.display()))?;
        if samples[i].finger == samples[j].finger {
            g.push(*s)
        } else {
            im.push(*s)
        }
    }
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("other")
        .to_string();
    Ok((name, eval::rates(&g, &im)))
}

/// Reads `probe<TAB>score<TAB>gallery` lines, splitting them into genuine and impostor scores.
fn read_scores(path: &Path, genuine: &mut Vec<f32>, impostor: &mut Vec<f32>) -> Result<()> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let finger = |name: &str| name.split('_').next().unwrap_or_default().to_string();
    for (n, line) in text.lines().enumerate() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.is_empty() {
            continue;
        }
        if f.len() != 3 {
            bail!(
                "{}:{}: expected probe, score, gallery",
                path.display(),
                n + 1
            );
        }
        let score: f32 = f[1]
            .parse()
            .with_context(|| format!("{}:{}: score", path.display(), n + 1))?;
        if finger(f[0]) == finger(f[2]) {
            genuine.push(score)
        } else {
            impostor.push(score)
        }
    }
    Ok(())
}

fn pool(files: &[PathBuf], json: bool) -> Result<()> {
    let (mut g, mut im) = (Vec::new(), Vec::new());
    for f in files {
        read_scores(f, &mut g, &mut im)?;
    }
    let r = eval::rates(&g, &im);
    if json {
        let out = serde_json::json!({
            "files": files.len(), "genuine": g.len(), "impostor": im.len(),
            "eer": r.eer, "fmr100": r.fmr100, "fmr1000": r.fmr1000, "fmr10000": r.fmr10000,
            "zero_fmr": r.zero_fmr, "threshold_fmr1000": r.threshold_fmr1000,
            "threshold_fmr10000": r.threshold_fmr10000,
        });
        println!("{out}");
    } else {
        println!(
            "{} files pooled: {} genuine and {} impostor pairs\n  EER {:6.2} %  FMR100 {:6.2} %  FMR1000 {:6.2} %  ZeroFMR {:6.2} %\n  thresholds FMR1000 {:.4}, FMR10000 {:.4}",
            files.len(),
            g.len(),
            im.len(),
            100.0 * r.eer,
            100.0 * r.fmr100,
            100.0 * r.fmr1000,
            100.0 * r.zero_fmr,
            r.threshold_fmr1000,
            r.threshold_fmr10000
        );
    }
    Ok(())
}

fn explain(a: &Path, b: &Path, ppi: u32, out: Option<&Path>) -> Result<()> {
    let read = |p: &Path| -> Result<scoring::GrayImage> {
        let bytes = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
        scoring::decode_image(&bytes, Limits::default()).with_context(|| p.display().to_string())
    };
    let (ia, ib) = (read(a)?, read(b)?);
    let ta = scoring::extract(&ia, ppi).with_context(|| a.display().to_string())?;
    let tb = scoring::extract(&ib, ppi).with_context(|| b.display().to_string())?;
    let e = scoring::explain(&Prepared::new(&ta), &Prepared::new(&tb));
    let verdict = if e.score >= scoring::THRESHOLD_FMR_1000 {
        "match"
    } else {
        "no match"
    };
    println!(
        "score {:.3} ({verdict} at FMR 1/1000, threshold {:.3}); {} paired minutiae",
        e.score.0,
        scoring::THRESHOLD_FMR_1000.0,
        e.pairs.len()
    );
    for p in &e.pairs {
        let (ma, mb) = (ta.minutiae[p.a], tb.minutiae[p.b]);
        println!(
            "  ({:4},{:4}) <-> ({:4},{:4})  weight {:.3}",
            ma.x, ma.y, mb.x, mb.y, p.weight
        );
    }
    if let Some(out) = out {
        let (pa, pb) = (scoring::to_500ppi(&ia, ppi)?, scoring::to_500ppi(&ib, ppi)?);
        let pic = svg::explain(&pa, &ta, &pb, &tb, &e, verdict)?;
        std::fs::write(out, pic).with_context(|| format!("writing {}", out.display()))?;
    }
    Ok(())
}

/// CPU time used so far by this process (`"self"`) or the calling thread (`"thread-self"`), from
/// `/proc/<which>/stat` (clock ticks of 1/100 s): unlike wall time it does not count time spent
/// waiting for a shared machine's cores. NaN where `/proc` is not available.
fn cpu_seconds(which: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{which}/stat")) else {
        return f64::NAN;
    };
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return f64::NAN;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        f.get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    (ticks(11) + ticks(12)) / 100.0
}
