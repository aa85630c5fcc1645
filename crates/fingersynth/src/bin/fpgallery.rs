//! `fpgallery`: builds synthetic 1:N galleries and measures search, load time and memory in one run.
//!
//! Background templates come straight from the master-print model ([`fingersynth::minutiae`]): finger `k` of
//! population `p` is `synthetic_template(p, k, 1, …)`, its mate for a probe `synthetic_template(p, k, 2, …)`.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use fingersynth::{MinutiaImpressionParams, synthetic_template};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use scoring::gallery::{EntryId, Gallery, ReadLimits, SearchOptions};
use scoring::{THRESHOLD_FMR_10000, Template};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Synthetic 1:N galleries: build, save, load, search, measure.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Writes a gallery file of `size` synthetic templates.
    Build {
        /// The gallery file to write.
        out: PathBuf,
        /// Number of templates.
        #[arg(long, default_value_t = 10_000)]
        size: u64,
        /// Population seed.
        #[arg(long, default_value_t = 1)]
        population: u64,
    },
    /// Loads a gallery file and searches it with mates (impression 2) of its first entries.
    Search {
        /// The gallery file (written by `build`).
        file: PathBuf,
        /// Probes to search.
        #[arg(long, default_value_t = 10)]
        probes: u64,
        /// Population seed the file was built with.
        #[arg(long, default_value_t = 1)]
        population: u64,
    },
    /// The figures of one run: search time, rank-1, penetration, memory and load time per gallery size,
    /// and the FVC2002 sets embedded in a synthetic background.
    Measure {
        /// Gallery sizes (each is a prefix of the largest).
        #[arg(long, value_delimiter = ',', default_value = "10000,100000,1000000")]
        sizes: Vec<u64>,
        /// Mated probes per size (impression 2 of fingers spread over the gallery).
        #[arg(long, default_value_t = 20)]
        probes: u64,
        /// Folder holding the FVC2002 sets (DB1_B … DB4_B); left out when absent.
        #[arg(long)]
        fvc: Option<PathBuf>,
        /// Synthetic background the FVC sets are embedded in.
        #[arg(long, default_value_t = 100_000)]
        background: u64,
        /// Folder for the gallery files written and reloaded (default: the system's temporary folder).
        #[arg(long)]
        work: Option<PathBuf>,
        /// Population seed.
        #[arg(long, default_value_t = 1)]
        population: u64,
        /// Print the figures as JSON.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> Result<()> {
    match Cli::parse().cmd {
        Cmd::Build {
            out,
            size,
            population,
        } => {
            let t0 = Instant::now();
            let g = synthetic(population, 0, size)?;
            let built = t0.elapsed().as_secs_f64();
            let bytes = g.to_bytes();
            std::fs::write(&out, &bytes).with_context(|| format!("writing {}", out.display()))?;
            println!(
                "{} templates in {built:.1} s, {} bytes written to {}",
                g.len(),
                bytes.len(),
                out.display()
            );
        }
        Cmd::Search {
            file,
            probes,
            population,
        } => {
            let (g, load_s) = load(&file)?;
            println!(
                "{} templates loaded in {load_s:.2} s, {:.0} bytes each in memory",
                g.len(),
                g.bytes_per_entry()
            );
            let p = mated_probes(population, g.len() as u64, probes);
            let r = search_all(&g, &p, &SearchOptions::default());
            println!(
                "search p50 {:.1} ms, max {:.1} ms; rank-1 {}/{}",
                r.p50_ms,
                r.max_ms,
                r.rank1,
                p.len()
            );
        }
        Cmd::Measure {
            sizes,
            probes,
            fvc,
            background,
            work,
            population,
            json,
        } => measure(sizes, probes, fvc, background, work, population, json)?,
    }
    Ok(())
}

fn bar(n: u64, what: &str) -> ProgressBar {
    let b = ProgressBar::new(n);
    b.set_style(
        ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    b.set_message(what.to_string());
    b
}

/// Fingers `first..first + n` of the population, impression 1, with their finger number as id.
fn synthetic(population: u64, first: u64, n: u64) -> Result<Gallery> {
    let p = MinutiaImpressionParams::default();
    let b = bar(n, "generating");
    let entries: Vec<(EntryId, Template)> = (first..first + n)
        .into_par_iter()
        .map(|k| {
            b.inc(1);
            (EntryId(k), synthetic_template(population, k, 1, &p))
        })
        .collect();
    b.finish_and_clear();
    let mut g = Gallery::new();
    g.extend(entries)?;
    Ok(g)
}

fn mated_probes(population: u64, size: u64, n: u64) -> Vec<(EntryId, Template)> {
    let p = MinutiaImpressionParams::default();
    (0..n)
        .map(|i| {
            let k = i * size / n.max(1);
            (EntryId(k), synthetic_template(population, k, 2, &p))
        })
        .collect()
}

fn load(file: &Path) -> Result<(Gallery, f64)> {
    let t0 = Instant::now();
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let g = Gallery::from_bytes(&bytes, &ReadLimits::default())
        .with_context(|| format!("loading {}", file.display()))?;
    Ok((g, t0.elapsed().as_secs_f64()))
}

struct SearchRun {
    p50_ms: f64,
    max_ms: f64,
    mean_ms: f64,
    rank1: usize,
    above_threshold: usize,
    compared: usize,
}

/// Searches one probe after the other (each search uses all cores), timing each.
fn search_all(g: &Gallery, probes: &[(EntryId, Template)], opts: &SearchOptions) -> SearchRun {
    let mut ms = Vec::new();
    let (mut rank1, mut above, mut compared) = (0, 0, 0);
    for (mate, p) in probes {
        let t0 = Instant::now();
        let hits = g.search(p, opts);
        ms.push(t0.elapsed().as_secs_f64() * 1e3);
        compared = hits.compared;
        if let Some(c) = hits.candidates.first() {
            rank1 += usize::from(c.id == *mate);
            above += usize::from(c.id == *mate && c.score >= THRESHOLD_FMR_10000);
        }
    }
    let mean = ms.iter().sum::<f64>() / ms.len().max(1) as f64;
    ms.sort_by(f64::total_cmp);
    SearchRun {
        p50_ms: ms.get(ms.len() / 2).copied().unwrap_or(f64::NAN),
        max_ms: ms.last().copied().unwrap_or(f64::NAN),
        mean_ms: mean,
        rank1,
        above_threshold: above,
        compared,
    }
}

fn rss_bytes() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb * 1024.0)
}

fn measure(
    mut sizes: Vec<u64>,
    probes: u64,
    fvc: Option<PathBuf>,
    background: u64,
    work: Option<PathBuf>,
    population: u64,
    json: bool,
) -> Result<()> {
    sizes.sort_unstable();
    let Some(&largest) = sizes.last() else {
        bail!("--sizes names no gallery size");
    };
    let work = work.unwrap_or_else(std::env::temp_dir);
    let opts = SearchOptions::default();
    let mut rows = Vec::new();
    let t0 = Instant::now();
    let all = synthetic(population, 0, largest)?;
    let gen_s = t0.elapsed().as_secs_f64();
    eprintln!("{largest} synthetic templates generated and coded in {gen_s:.1} s");
    for &size in &sizes {
        let g = if size == largest {
            all.clone()
        } else {
            let mut g = Gallery::new();
            g.extend(
                all.ids()[..size as usize]
                    .iter()
                    .map(|&id| (id, all.template(id).cloned().unwrap_or_else(empty))),
            )?;
            g
        };
        let file = work.join(format!("fpgallery-{size}.gal"));
        let bytes = g.to_bytes();
        std::fs::write(&file, &bytes).with_context(|| format!("writing {}", file.display()))?;
        drop(g);
        let rss0 = rss_bytes();
        let (g, load_s) = load(&file)?;
        let rss1 = rss_bytes();
        std::fs::remove_file(&file).ok();
        let p = mated_probes(population, size, probes);
        let r = search_all(&g, &p, &opts);
        let mean_minutiae = g
            .ids()
            .iter()
            .filter_map(|&id| g.template(id))
            .map(|t| t.minutiae.len())
            .sum::<usize>() as f64
            / size as f64;
        eprintln!(
            "{size:>9}: search p50 {:.1} ms (max {:.1}), matcher on {} entries, rank-1 {}/{}; file {:.1} MB loaded in {load_s:.2} s; {:.0} B/template (RSS growth {:.0} B/template)",
            r.p50_ms,
            r.max_ms,
            r.compared,
            r.rank1,
            p.len(),
            bytes.len() as f64 / 1e6,
            g.bytes_per_entry(),
            (rss1 - rss0) / size as f64
        );
        rows.push(json!({
            "size": size,
            "probes": p.len(),
            "search_ms_p50": r.p50_ms,
            "search_ms_mean": r.mean_ms,
            "search_ms_max": r.max_ms,
            "matcher_compared": r.compared,
            "rank1": r.rank1,
            "rank1_above_fmr10000": r.above_threshold,
            "file_bytes": bytes.len(),
            "load_s": load_s,
            "bytes_per_template": g.bytes_per_entry(),
            "rss_growth_per_template": (rss1 - rss0) / size as f64,
            "mean_minutiae": mean_minutiae,
        }));
    }
    drop(all);
    let fvc_row = match fvc {
        Some(dir) if dir.is_dir() => Some(embed_fvc(&dir, background, population, &opts)?),
        Some(dir) => {
            eprintln!("SKIPPED: FVC2002 folder {} is absent", dir.display());
            None
        }
        None => None,
    };
    let out = json!({
        "threads": rayon::current_num_threads(),
        "generate_s": gen_s,
        "shortlist": { "min": opts.shortlist_min, "share": opts.shortlist_share },
        "sizes": rows,
        "fvc2002_in_background": fvc_row,
    });
    if json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    }
    Ok(())
}

fn empty() -> Template {
    Template {
        width: 0,
        height: 0,
        quality: 0,
        minutiae: Vec::new(),
    }
}

/// FVC2002 DB1–4_B: impressions 1–4 of each finger enrolled among `background` synthetic entries,
/// impressions 5–8 searched. Ids: background `0..background`, FVC `1e12 + set·1000 + finger`·10 + impression.
fn embed_fvc(
    dir: &Path,
    background: u64,
    population: u64,
    opts: &SearchOptions,
) -> Result<serde_json::Value> {
    const FVC: u64 = 1_000_000_000_000;
    let mut gallery = Vec::new();
    let mut probes = Vec::new();
    for (set, ppi) in [
        ("DB1_B", 500),
        ("DB2_B", 569),
        ("DB3_B", 500),
        ("DB4_B", 500),
    ] {
        let set_no = u64::from(set.as_bytes()[2] - b'0');
        let list: Vec<(u64, u64)> = (101..=110)
            .flat_map(|f| (1..=8).map(move |i| (f, i)))
            .collect();
        let done: Vec<Result<(u64, u64, Template)>> = list
            .par_iter()
            .map(|&(f, i)| {
                let path = dir.join(set).join(format!("{f}_{i}.tif"));
                let bytes =
                    std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
                let img = scoring::decode_image(&bytes, scoring::Limits::default())?;
                let t = scoring::extract(&img, ppi)
                    .with_context(|| format!("extracting {}", path.display()))?;
                Ok((set_no * 1000 + f, i, t))
            })
            .collect();
        for r in done {
            let (finger, i, t) = r?;
            if i <= 4 {
                gallery.push((EntryId(FVC + finger * 10 + i), t));
            } else {
                probes.push((finger, t));
            }
        }
    }
    let mut fvc_only = Gallery::new();
    fvc_only.extend(gallery.clone())?;
    let mut g = synthetic(population, 0, background)?;
    g.extend(gallery)?;
    let is_mate = |id: EntryId, finger: u64| id.0 >= FVC && (id.0 - FVC) / 10 == finger;
    let (mut rank1, mut rank1_fvc_only, mut ms) = (0usize, 0usize, Vec::new());
    let mut mate_ranks = Vec::new();
    for (finger, p) in &probes {
        let t0 = Instant::now();
        let hits = g.search(p, opts);
        ms.push(t0.elapsed().as_secs_f64() * 1e3);
        rank1 += usize::from(
            hits.candidates
                .first()
                .is_some_and(|c| is_mate(c.id, *finger)),
        );
        let brute = fvc_only.search_brute_force(p, 1);
        rank1_fvc_only += usize::from(
            brute
                .candidates
                .first()
                .is_some_and(|c| is_mate(c.id, *finger)),
        );
        // The best-placed mate in the prefilter's order: the penetration needed to see it.
        let best = (1..=4)
            .filter_map(|i| g.prefilter_rank(p, EntryId(FVC + finger * 10 + i)))
            .min()
            .unwrap_or(usize::MAX);
        mate_ranks.push(best);
    }
    mate_ranks.sort_unstable();
    let n = g.len() as f64;
    let pen = |q: f64| {
        let i = ((q * mate_ranks.len() as f64).ceil() as usize).clamp(1, mate_ranks.len()) - 1;
        (mate_ranks[i] + 1) as f64 / n
    };
    let short = opts.shortlist_len(g.len());
    let within = mate_ranks.iter().filter(|&&r| r < short).count();
    ms.sort_by(f64::total_cmp);
    eprintln!(
        "FVC2002 DB1-4_B in {background} synthetic: gallery {} entries, {} probes: rank-1 {rank1} ({:.1} %; brute force on the FVC entries alone {rank1_fvc_only}); a mate passes the prefilter (shortlist {short}, penetration {:.2} %) for {within}; penetration needed for 50/80/90/95 % of probes {:.3}/{:.3}/{:.3}/{:.3} %; search p50 {:.1} ms",
        g.len(),
        probes.len(),
        100.0 * rank1 as f64 / probes.len() as f64,
        100.0 * short as f64 / n,
        100.0 * pen(0.5),
        100.0 * pen(0.8),
        100.0 * pen(0.9),
        100.0 * pen(0.95),
        ms[ms.len() / 2]
    );
    Ok(json!({
        "background": background,
        "gallery": g.len(),
        "probes": probes.len(),
        "rank1": rank1,
        "rank1_brute_force_fvc_only": rank1_fvc_only,
        "shortlist": short,
        "mate_within_shortlist": within,
        "penetration_for_50_80_90_95_percent": [pen(0.5), pen(0.8), pen(0.9), pen(0.95)],
        "search_ms_p50": ms[ms.len() / 2],
    }))
}
