//! `fpgallery`: builds synthetic 1:N galleries and measures search, load time and memory in one run.
//!
//! Background templates come straight from the master-print model ([`fingersynth::minutiae`]): finger `k` of
//! population `p` is `synthetic_template(p, k, 1, …)`, its mate for a probe `synthetic_template(p, k, 2, …)`.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use fingersynth::{MinutiaImpressionParams, synthetic_template};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use scoring::gallery::{EntryId, Gallery, ReadLimits, SearchEnd, SearchOptions};
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
        #[command(flatten)]
        search: SearchArgs,
    },
    /// Tries settings of the fine prefilter on the FVC2002 sets embedded in a synthetic
    /// background: for each, how many probes have a mate within the first 5/10/20/50 of the fine
    /// order (of the entries the coarse stage passes with the default options).
    Tune {
        /// Folder holding the FVC2002 sets (DB1_B … DB4_B).
        fvc: PathBuf,
        /// Synthetic background the FVC sets are embedded in.
        #[arg(long, default_value_t = 100_000)]
        background: u64,
        /// Population seed.
        #[arg(long, default_value_t = 1)]
        population: u64,
    },
}

/// How searches run (defaults: [`SearchOptions::default`]).
#[derive(clap::Args, Debug)]
struct SearchArgs {
    /// The fewest entries the fine prefilter scores.
    #[arg(long)]
    coarse_min: Option<usize>,
    /// The share of the gallery the fine prefilter scores.
    #[arg(long)]
    coarse_share: Option<f64>,
    /// The fewest entries the matcher re-ranks.
    #[arg(long)]
    shortlist_min: Option<usize>,
    /// The share of the gallery the matcher re-ranks.
    #[arg(long)]
    shortlist_share: Option<f64>,
    /// The most entries the matcher compares in one search.
    #[arg(long)]
    rerank_max: Option<usize>,
}

impl SearchArgs {
    fn options(&self) -> Result<SearchOptions> {
        let d = SearchOptions::default();
        let o = SearchOptions {
            top_k: d.top_k,
            coarse_min: self.coarse_min.unwrap_or(d.coarse_min),
            coarse_share: self.coarse_share.unwrap_or(d.coarse_share),
            shortlist_min: self.shortlist_min.unwrap_or(d.shortlist_min),
            shortlist_share: self.shortlist_share.unwrap_or(d.shortlist_share),
            rerank_max: self.rerank_max.unwrap_or(d.rerank_max),
        };
        for (name, v) in [
            ("--coarse-share", o.coarse_share),
            ("--shortlist-share", o.shortlist_share),
        ] {
            if !(0.0..=1.0).contains(&v) {
                bail!("{name} {v} is not a share between 0 and 1");
            }
        }
        Ok(o)
    }
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
                "search p50 {:.1} ms, max {:.1} ms; rank-1 {}/{}; searches ended exhaustive/decisive/budget-limited {}/{}/{}, {:.1} entries compared on average",
                r.p50_ms,
                r.max_ms,
                r.rank1,
                p.len(),
                r.ends.exhaustive,
                r.ends.decisive,
                r.ends.budget_limited,
                r.compared_mean
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
            search,
        } => measure(
            sizes,
            probes,
            fvc,
            background,
            work,
            population,
            json,
            &search.options()?,
        )?,
        Cmd::Tune {
            fvc,
            background,
            population,
        } => tune(&fvc, background, population)?,
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

/// Probes of fingers that are in no gallery (another population), each with an id no entry has.
fn stranger_probes(population: u64, n: u64) -> Vec<(EntryId, Template)> {
    let p = MinutiaImpressionParams::default();
    (0..n)
        .map(|k| {
            let t = synthetic_template(population.wrapping_add(STRANGERS), k, 2, &p);
            (EntryId(u64::MAX), t)
        })
        .collect()
}

/// Added to the population seed for stranger probes.
const STRANGERS: u64 = 0x5743_4e47_4552;

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
    /// CPU time of all the process's threads per search, mean (wall time on a loaded machine says little).
    cpu_ms_mean: f64,
    p50_ms: f64,
    max_ms: f64,
    mean_ms: f64,
    rank1: usize,
    above_threshold: usize,
    /// Searches whose best candidate at the threshold is not the mate.
    false_matches: usize,
    refined: usize,
    /// Entries the matcher compared, mean per search.
    compared_mean: f64,
    compared_max: usize,
    ends: Ends,
}

/// How many searches ended each way.
#[derive(Default, Debug, Clone, Copy)]
struct Ends {
    exhaustive: usize,
    decisive: usize,
    budget_limited: usize,
}

impl Ends {
    fn add(&mut self, end: SearchEnd) {
        match end {
            SearchEnd::Exhaustive => self.exhaustive += 1,
            SearchEnd::Decisive => self.decisive += 1,
            SearchEnd::BudgetLimited => self.budget_limited += 1,
        }
    }

    fn json(&self) -> serde_json::Value {
        json!({ "exhaustive": self.exhaustive, "decisive": self.decisive, "budget_limited": self.budget_limited })
    }
}

/// Searches one probe after the other (each search uses all cores), timing each.
fn search_all(g: &Gallery, probes: &[(EntryId, Template)], opts: &SearchOptions) -> SearchRun {
    let mut ms = Vec::new();
    let (mut rank1, mut above, mut refined, mut compared, mut compared_max) = (0, 0, 0, 0, 0);
    let mut ends = Ends::default();
    let mut false_matches = 0;
    let cpu0 = cpu_seconds();
    for (mate, p) in probes {
        let t0 = Instant::now();
        let hits = g.search(p, opts);
        ms.push(t0.elapsed().as_secs_f64() * 1e3);
        compared += hits.compared;
        compared_max = compared_max.max(hits.compared);
        refined = hits.refined;
        ends.add(hits.end);
        false_matches += usize::from(
            hits.best_at(THRESHOLD_FMR_10000)
                .is_some_and(|c| c.id != *mate),
        );
        if let Some(c) = hits.candidates.first() {
            rank1 += usize::from(c.id == *mate);
            above += usize::from(c.id == *mate && c.score >= THRESHOLD_FMR_10000);
        }
    }
    let cpu_ms_mean = (cpu_seconds() - cpu0) * 1e3 / probes.len().max(1) as f64;
    let mean = ms.iter().sum::<f64>() / ms.len().max(1) as f64;
    ms.sort_by(f64::total_cmp);
    SearchRun {
        cpu_ms_mean,
        p50_ms: ms.get(ms.len() / 2).copied().unwrap_or(f64::NAN),
        max_ms: ms.last().copied().unwrap_or(f64::NAN),
        mean_ms: mean,
        rank1,
        above_threshold: above,
        false_matches,
        refined,
        compared_mean: compared as f64 / probes.len().max(1) as f64,
        compared_max,
        ends,
    }
}

/// CPU time so far of all the process's threads, seconds (the first field of each thread's
/// `/proc/self/task/*/schedstat`, nanoseconds on the CPU); NaN where that is not readable.
fn cpu_seconds() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return f64::NAN;
    };
    let ns: u64 = tasks
        .filter_map(|t| t.ok())
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    ns as f64 / 1e9
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

#[allow(clippy::too_many_arguments)]
fn measure(
    mut sizes: Vec<u64>,
    probes: u64,
    fvc: Option<PathBuf>,
    background: u64,
    work: Option<PathBuf>,
    population: u64,
    json: bool,
    opts: &SearchOptions,
) -> Result<()> {
    sizes.sort_unstable();
    let Some(&largest) = sizes.last() else {
        bail!("--sizes names no gallery size");
    };
    let work = work.unwrap_or_else(std::env::temp_dir);
    let mut rows = Vec::new();
    let t0 = Instant::now();
    sizes.dedup();
    let mut all = synthetic(population, 0, largest)?;
    let gen_s = t0.elapsed().as_secs_f64();
    eprintln!("{largest} synthetic templates generated and coded in {gen_s:.1} s");
    for &size in &sizes {
        let g = if size == largest {
            // The last size: the full gallery itself, not a copy (a million entries take gigabytes).
            std::mem::take(&mut all)
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
        let r = search_all(&g, &p, opts);
        let s = search_all(&g, &stranger_probes(population, probes), opts);
        eprintln!(
            "{size:>9}: strangers: search CPU {:.1} ms mean, wall p50 {:.1} ms (max {:.1}), matcher on {:.1} entries (ends exhaustive/decisive/budget-limited {}/{}/{}), {} false matches",
            s.cpu_ms_mean,
            s.p50_ms,
            s.max_ms,
            s.compared_mean,
            s.ends.exhaustive,
            s.ends.decisive,
            s.ends.budget_limited,
            s.false_matches
        );
        let mean_minutiae = g
            .ids()
            .iter()
            .filter_map(|&id| g.template(id))
            .map(|t| t.minutiae.len())
            .sum::<usize>() as f64
            / size as f64;
        eprintln!(
            "{size:>9}: search CPU {:.1} ms mean, wall p50 {:.1} ms (max {:.1}), fine prefilter on {}, matcher on {:.1} entries (max {}; ends exhaustive/decisive/budget-limited {}/{}/{}), rank-1 {}/{}; file {:.1} MB loaded in {load_s:.2} s; {:.0} B/template (RSS growth {:.0} B/template)",
            r.cpu_ms_mean,
            r.p50_ms,
            r.max_ms,
            r.refined,
            r.compared_mean,
            r.compared_max,
            r.ends.exhaustive,
            r.ends.decisive,
            r.ends.budget_limited,
            r.rank1,
            p.len(),
            bytes.len() as f64 / 1e6,
            g.bytes_per_entry(),
            (rss1 - rss0) / size as f64
        );
        rows.push(json!({
            "size": size,
            "probes": p.len(),
            "search_cpu_ms_mean": r.cpu_ms_mean,
            "search_ms_p50": r.p50_ms,
            "search_ms_mean": r.mean_ms,
            "search_ms_max": r.max_ms,
            "fine_prefilter_scored": r.refined,
            "matcher_compared_mean": r.compared_mean,
            "matcher_compared_max": r.compared_max,
            "ends": r.ends.json(),
            "strangers": {
                "search_cpu_ms_mean": s.cpu_ms_mean,
                "search_ms_p50": s.p50_ms,
                "search_ms_max": s.max_ms,
                "matcher_compared_mean": s.compared_mean,
                "ends": s.ends.json(),
                "false_matches": s.false_matches,
            },
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
        Some(dir) if dir.is_dir() => Some(embed_fvc(&dir, background, population, opts)?),
        Some(dir) => {
            eprintln!("SKIPPED: FVC2002 folder {} is absent", dir.display());
            None
        }
        None => None,
    };
    let out = json!({
        "threads": rayon::current_num_threads(),
        "generate_s": gen_s,
        "coarse": { "min": opts.coarse_min, "share": opts.coarse_share },
        "shortlist": { "min": opts.shortlist_min, "share": opts.shortlist_share },
        "rerank_max": opts.rerank_max,
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

/// Ids of the FVC entries start here (background ids are below).
const FVC: u64 = 1_000_000_000_000;

/// The FVC2002 B sets' templates: impressions 1–4 as gallery entries (id `FVC + finger·10 + impression`,
/// finger = set·1000 + finger number), impressions 5–8 as probes with their finger.
type FvcSets = (Vec<(EntryId, Template)>, Vec<(u64, Template)>);

fn fvc_sets(dir: &Path) -> Result<FvcSets> {
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
    Ok((gallery, probes))
}

fn tune(dir: &Path, background: u64, population: u64) -> Result<()> {
    use scoring::gallery::local::{self, LOCAL_PARAMS, LocalParams, ProbeLocals};
    let (gallery, probes) = fvc_sets(dir)?;
    let mut g = synthetic(population, 0, background)?;
    g.extend(gallery)?;
    let opts = SearchOptions::default();
    let coarse: Vec<Vec<EntryId>> = probes
        .iter()
        .map(|(_, p)| {
            g.shortlists(p, &opts)
                .coarse
                .into_iter()
                .map(|(id, _)| id)
                .collect()
        })
        .collect();
    let is_mate = |id: EntryId, finger: u64| id.0 >= FVC && (id.0 - FVC) / 10 == finger;
    let passed = probes
        .iter()
        .zip(&coarse)
        .filter(|((f, _), c)| c.iter().any(|&id| is_mate(id, *f)))
        .count();
    eprintln!(
        "{} probes, coarse stage passes {} entries, a mate among them for {passed}",
        probes.len(),
        opts.coarse_len(g.len())
    );
    let d = LOCAL_PARAMS;
    let mut trials = vec![("default", d)];
    for top in [4, 6, 12] {
        trials.push(("top", LocalParams { top, ..d }));
    }
    for neighbours in [10, 24] {
        trials.push(("neighbours", LocalParams { neighbours, ..d }));
    }
    for d_max in [80.0, 130.0] {
        trials.push(("d_max", LocalParams { d_max, ..d }));
    }
    for edge in [0.0, 0.25] {
        trials.push(("edge", LocalParams { edge, ..d }));
    }
    for max_turn in [5462, 16384] {
        trials.push(("max_turn", LocalParams { max_turn, ..d }));
    }
    for (name, prm) in trials {
        let ranks: Vec<usize> = probes
            .par_iter()
            .zip(&coarse)
            .map(|((finger, p), ids)| {
                let pl = ProbeLocals::with(p, &prm);
                let mut scored: Vec<(f32, usize, EntryId)> = ids
                    .iter()
                    .enumerate()
                    .map(|(k, &id)| {
                        let t = g.template(id).cloned().unwrap_or_else(empty);
                        let dirs: Vec<u16> = t.minutiae.iter().map(|m| m.angle).collect();
                        let s = local::score_with(
                            &pl,
                            &local::gallery_locals_with(&t, &prm),
                            &dirs,
                            &prm,
                        );
                        (s, k, id)
                    })
                    .collect();
                scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                scored
                    .iter()
                    .position(|&(_, _, id)| is_mate(id, *finger))
                    .unwrap_or(usize::MAX)
            })
            .collect();
        let within = |k: usize| ranks.iter().filter(|&&r| r < k).count();
        println!(
            "{name:>10} {prm:?}: mate within 5/10/20/50: {}/{}/{}/{}",
            within(5),
            within(10),
            within(20),
            within(50)
        );
    }
    Ok(())
}

/// FVC2002 DB1–4_B: impressions 1–4 of each finger enrolled among `background` synthetic entries,
/// impressions 5–8 searched. Ids: background `0..background`, FVC `1e12 + set·1000 + finger`·10 + impression.
fn embed_fvc(
    dir: &Path,
    background: u64,
    population: u64,
    opts: &SearchOptions,
) -> Result<serde_json::Value> {
    let (gallery, probes) = fvc_sets(dir)?;
    let mut fvc_only = Gallery::new();
    fvc_only.extend(gallery.clone())?;
    let mut g = synthetic(population, 0, background)?;
    g.extend(gallery)?;
    let is_mate = |id: EntryId, finger: u64| id.0 >= FVC && (id.0 - FVC) / 10 == finger;
    let n = g.len();
    let (coarse_n, short, most) = (
        opts.coarse_len(n),
        opts.shortlist_len(n),
        opts.rerank_len(n),
    );
    let (mut ends, mut compared) = (Ends::default(), 0usize);
    let (mut rank1, mut rank1_fvc_only, mut ms) = (0usize, 0usize, Vec::new());
    let (mut coarse_ranks, mut fine_ranks) = (Vec::new(), Vec::new());
    let mut cpu = 0.0;
    for (finger, p) in &probes {
        let (t0, c0) = (Instant::now(), cpu_seconds());
        let hits = g.search(p, opts);
        ms.push(t0.elapsed().as_secs_f64() * 1e3);
        cpu += cpu_seconds() - c0;
        ends.add(hits.end);
        compared += hits.compared;
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
        // The best-placed mate in the coarse order over the whole gallery, and in the fine order
        // of the entries the coarse stage passed (usize::MAX when no mate passed it).
        let best = (1..=4)
            .filter_map(|i| g.prefilter_rank(p, EntryId(FVC + finger * 10 + i)))
            .min()
            .unwrap_or(usize::MAX);
        coarse_ranks.push(best);
        let lists = g.shortlists(p, opts);
        fine_ranks.push(
            lists
                .fine
                .iter()
                .position(|&(id, _)| is_mate(id, *finger))
                .unwrap_or(usize::MAX),
        );
    }
    coarse_ranks.sort_unstable();
    fine_ranks.sort_unstable();
    let quantiles = |ranks: &[usize]| -> Vec<f64> {
        [0.5, 0.8, 0.9, 0.95]
            .iter()
            .map(|q| {
                let i = ((q * ranks.len() as f64).ceil() as usize).clamp(1, ranks.len()) - 1;
                // No mate passed the coarse stage: no penetration of the fine one reaches it.
                match ranks[i] {
                    usize::MAX => f64::NAN,
                    r => (r + 1) as f64 / n as f64,
                }
            })
            .collect()
    };
    let (pc, pf) = (quantiles(&coarse_ranks), quantiles(&fine_ranks));
    let within_coarse = coarse_ranks.iter().filter(|&&r| r < coarse_n).count();
    let within = fine_ranks.iter().filter(|&&r| r < short).count();
    let within_budget = fine_ranks.iter().filter(|&&r| r < most).count();
    ms.sort_by(f64::total_cmp);
    eprintln!(
        "FVC2002 DB1-4_B in {background} synthetic: gallery {n} entries, {} probes: rank-1 {rank1} ({:.1} %; brute force on the FVC entries alone {rank1_fvc_only}); a mate passes the coarse stage ({coarse_n}, {:.2} %) for {within_coarse} and reaches the matcher's first batch ({short}, penetration {:.3} %) for {within}, its budget ({most}) for {within_budget}; searches ended exhaustive/decisive/budget-limited {}/{}/{}, {:.1} entries compared on average; coarse penetration needed for 50/80/90/95 % of probes {:.3}/{:.3}/{:.3}/{:.3} %, both stages {:.4}/{:.4}/{:.4}/{:.4} %; search CPU {:.1} ms mean, wall p50 {:.1} ms",
        probes.len(),
        100.0 * rank1 as f64 / probes.len() as f64,
        100.0 * coarse_n as f64 / n as f64,
        100.0 * short as f64 / n as f64,
        ends.exhaustive,
        ends.decisive,
        ends.budget_limited,
        compared as f64 / probes.len() as f64,
        100.0 * pc[0],
        100.0 * pc[1],
        100.0 * pc[2],
        100.0 * pc[3],
        100.0 * pf[0],
        100.0 * pf[1],
        100.0 * pf[2],
        100.0 * pf[3],
        cpu * 1e3 / probes.len() as f64,
        ms[ms.len() / 2]
    );
    Ok(json!({
        "background": background,
        "gallery": n,
        "probes": probes.len(),
        "rank1": rank1,
        "rank1_brute_force_fvc_only": rank1_fvc_only,
        "coarse": coarse_n,
        "mate_within_coarse": within_coarse,
        "shortlist": short,
        "mate_within_shortlist": within,
        "rerank_max": most,
        "mate_within_rerank_max": within_budget,
        "ends": ends.json(),
        "matcher_compared_mean": compared as f64 / probes.len() as f64,
        "coarse_penetration_for_50_80_90_95_percent": pc,
        "penetration_for_50_80_90_95_percent": pf,
        "search_cpu_ms_mean": cpu * 1e3 / probes.len() as f64,
        "search_ms_p50": ms[ms.len() / 2],
    }))
}
