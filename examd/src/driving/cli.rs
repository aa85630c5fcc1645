//! `examd judge` (DESIGN §3.4) and `examd replay`.
//!
//! `examd judge` exit codes: 0 the drive passed, 1 it failed, 2 the input was wrong (the message
//! names the file and line). `examd replay` exit codes: 0 the replay gives the logged verdict,
//! 1 it does not (or the session never ended), 2 the session or log could not be read.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use judge::{Finding, Standard, TelemetryReader};

use super::inputs::{Setup, Text, builtin_catalogue, read_catalogue_path};
use crate::config::{self, SiteArgs};

/// Arguments of `examd judge`.
#[derive(Debug, Args)]
pub struct JudgeArgs {
    /// Course map (GeoJSON, DESIGN §3.3).
    #[arg(long)]
    pub course: PathBuf,
    /// Vehicle profile (JSON, DESIGN §3.3).
    #[arg(long)]
    pub vehicle: PathBuf,
    /// Telemetry v1 (JSON Lines, DESIGN §3.2); `-` reads standard input.
    #[arg(long)]
    pub telemetry: PathBuf,
    /// Rule catalogue: a TOML file, or a folder whose *.toml files are merged in name order.
    /// Default: the built-in GA 1026 catalogue with its regional files.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// GA 1026 edition whose differences apply: GA1026-2016, GA1026-2017 or GA1026-2022.
    #[arg(long, default_value = "GA1026-2017")]
    pub standard: String,
    /// Region code whose overrides apply (e.g. 370800).
    #[arg(long)]
    pub region: Option<String>,
    /// Print the verdict as one JSON object (DESIGN §3.4).
    #[arg(long)]
    pub json: bool,
}

fn read(path: &Path) -> anyhow::Result<Text> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(Text::new(path.display().to_string(), text))
}

/// Runs `examd judge`.
pub fn judge_command(a: &JudgeArgs) -> anyhow::Result<ExitCode> {
    let standard = Standard::parse(&a.standard).with_context(|| {
        format!(
            "--standard {:?}: expected GA1026-2016, GA1026-2017 or GA1026-2022",
            a.standard
        )
    })?;
    let catalogue = match &a.rules {
        Some(p) => read_catalogue_path(p)?,
        None => builtin_catalogue(),
    };
    let setup = Setup::parse(
        read(&a.course)?,
        read(&a.vehicle)?,
        catalogue,
        standard,
        a.region.clone(),
    )?;
    let name = a.telemetry.display().to_string();
    let src: Box<dyn std::io::BufRead> = if a.telemetry.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(&a.telemetry).with_context(|| format!("reading {name}"))?,
        ))
    };
    let records = TelemetryReader::new(src)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    let (verdict, findings) = judge::judge_report(
        &setup.course,
        &setup.vehicle,
        &setup.catalogue,
        records.into_iter(),
    );
    for f in &findings {
        eprintln!("注意 / note: {}", finding_text(f));
    }
    let mut out = std::io::stdout().lock();
    if a.json {
        writeln!(out, "{}", verdict.to_json())?;
    } else {
        let subj = verdict.subject.number();
        writeln!(
            out,
            "科目{} / Subject {subj}: {} 分 / points, {}",
            if subj == 2 { "二" } else { "三" },
            verdict.score,
            if verdict.passed {
                "合格 / passed"
            } else {
                "不合格 / failed"
            }
        )?;
        for d in &verdict.deductions {
            let pts = if d.points >= 100 {
                "不合格".to_owned()
            } else {
                format!("-{}", d.points)
            };
            writeln!(
                out,
                "  {:>8.1} s  {:<10} {:<8} {:>6}  {}",
                d.t_ms as f64 / 1000.0,
                d.item,
                d.code.as_str(),
                pts,
                d.reason
            )?;
        }
    }
    Ok(if verdict.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn finding_text(f: &Finding) -> String {
    match f {
        Finding::UnknownEvent { t_ms, name } => {
            format!("{t_ms} ms: unknown event {name:?} ignored")
        }
        Finding::UnknownManualCode { t_ms, code } => {
            format!("{t_ms} ms: manual deduction with unknown code {code:?} ignored")
        }
        Finding::Unpriced { t_ms, fault, scope } => {
            format!("{t_ms} ms: {fault} in {scope} has no rule in this catalogue")
        }
        Finding::IgnoredAfterEnd { count } => {
            format!("{count} records after the pass mark was out of reach were not judged")
        }
        Finding::SampleGap { t_ms, gap_ms } => format!("{t_ms} ms: {gap_ms} ms without samples"),
        Finding::Course(w) => format!("course map: {w}"),
    }
}

/// Arguments of `examd replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The session id (as the console and the `driving.session_started` event show it).
    pub session: String,
    /// Write the picture (course, trajectory, the car at each deduction) here.
    #[arg(long)]
    pub svg: Option<PathBuf>,
    /// Print the re-judged verdict as JSON (DESIGN §3.4).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub site: SiteArgs,
}

/// Runs `examd replay`: re-judges a logged session and compares with the logged verdict.
pub async fn replay_command(a: &ReplayArgs) -> anyhow::Result<ExitCode> {
    let rt = config::load(&a.site, &PathBuf::from("examd-data"))?;
    let (store, _) = crate::site::open_read_only(&rt).await?;
    let logged = super::replay::load(&*store, &a.session).await?;
    let r = super::replay::rejudge(&logged)?;
    if let Some(path) = &a.svg {
        std::fs::write(path, r.svg()).with_context(|| format!("writing {}", path.display()))?;
    }
    if a.json {
        println!("{}", r.verdict.to_json());
    }
    match r.agrees() {
        Ok(()) => {
            eprintln!(
                "回放与记录一致 / replay gives the logged verdict: {} 分, {}",
                r.verdict.score,
                if r.verdict.passed {
                    "合格 / passed"
                } else {
                    "不合格 / failed"
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(why) => {
            eprintln!("回放与记录不一致 / replay differs from the log: {why}");
            Ok(ExitCode::from(1))
        }
    }
}
