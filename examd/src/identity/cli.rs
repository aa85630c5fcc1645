//! `examd roster import|list|show`: rosters on the command line (the daemon must be stopped: these open the site).

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Subcommand;

use super::ids::SittingId;
use super::roster::{RosterImport, RosterV1};
use crate::config::{self, SiteArgs};
use crate::state::Clock;

/// `examd roster …`.
#[derive(Debug, Subcommand)]
pub enum RosterCommand {
    /// Import a sitting's roster from CSV (`id,name,seat,subject,templates`; templates as hex or record file
    /// names, `;`-separated) or JSON (RosterV1); templates are sealed at rest and never printed.
    Import {
        /// The sitting, e.g. `2026-11-29-am` (for JSON it must match the file's `sitting`).
        #[arg(long)]
        sitting: String,
        /// A `.csv` or `.json` file.
        #[arg(long)]
        file: PathBuf,
        #[command(flatten)]
        site: SiteArgs,
    },
    /// List the imported rosters.
    List {
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Show one sitting's roster (no templates; their count only).
    Show {
        /// The sitting.
        #[arg(long)]
        sitting: String,
        #[command(flatten)]
        site: SiteArgs,
    },
}

/// Reads a roster file: JSON if it ends in `.json` (or starts with `{`), CSV otherwise.
pub fn read_file(sitting: &str, file: &Path) -> anyhow::Result<RosterImport> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let is_json = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let r = if is_json {
        let v: RosterV1 = serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a RosterV1 JSON file", file.display()))?;
        if v.sitting != sitting {
            anyhow::bail!(
                "{} is the roster of sitting {:?}, not {sitting:?}",
                file.display(),
                v.sitting
            );
        }
        RosterImport::from_v1(&v)?
    } else {
        let base = file.parent().unwrap_or(Path::new("."));
        super::csv::parse(sitting, &bytes, base)?
    };
    Ok(r)
}

/// Runs a `roster` command.
pub async fn run(cmd: RosterCommand, clock: Clock) -> anyhow::Result<std::process::ExitCode> {
    match cmd {
        RosterCommand::Import {
            sitting,
            file,
            site,
        } => {
            let import =
                read_file(&sitting, &file).with_context(|| format!("roster {}", file.display()))?;
            let rt = config::load(&site, Path::new("examd-data"))?;
            let site = crate::site::open(rt, clock).await?;
            let r = site.identity.import_roster(import, "cli").await;
            site.log.shutdown().await;
            let s = r?;
            println!(
                "场次 {} 名单已导入: {} 名考生, {} 个模板, {} 名考生尚无模板 / sitting {} roster imported: {} candidates, {} templates, {} without templates",
                s.sitting,
                s.candidates,
                s.templates,
                s.without_templates.len(),
                s.sitting,
                s.candidates,
                s.templates,
                s.without_templates.len()
            );
        }
        RosterCommand::List { site } => {
            let rt = config::load(&site, Path::new("examd-data"))?;
            let site = crate::site::open(rt, clock).await?;
            let list = site.identity.rosters().await;
            site.log.shutdown().await;
            for r in list? {
                println!(
                    "{}\t{} entries\timported by {}",
                    r.sitting, r.entries, r.imported_by
                );
            }
        }
        RosterCommand::Show { sitting, site } => {
            let sitting: SittingId = sitting.parse().map_err(anyhow::Error::msg)?;
            let rt = config::load(&site, Path::new("examd-data"))?;
            let site = crate::site::open(rt, clock).await?;
            let list = site.identity.roster(&sitting).await;
            site.log.shutdown().await;
            for e in list? {
                println!(
                    "{}\t{}\t{}\t{}\t{} templates",
                    e.candidate,
                    e.name,
                    e.seat.as_ref().map_or("-", |s| s.as_str()),
                    e.subject.as_deref().unwrap_or("-"),
                    e.templates
                );
            }
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}
