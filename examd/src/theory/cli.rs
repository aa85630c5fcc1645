//! `examd bank import|validate|list`: question banks on the command line.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use theory::BankId;

use super::banks;
use crate::config::{self, SiteArgs};

/// `examd bank …`.
#[derive(Debug, Subcommand)]
pub enum BankCommand {
    /// Import a bank (JSON Lines, or the SQLite km1.db/km4.db with their image folders) as a new
    /// version; questions with validation errors are left out and listed in the report.
    Import {
        /// A `.jsonl` file, a folder with `bank.jsonl`/`normalized.jsonl`, a `.db` file or a folder of them.
        source: PathBuf,
        /// The bank's id (`[a-z0-9._-]`).
        #[arg(long)]
        id: String,
        /// auto, jsonl or sqlite.
        #[arg(long, default_value = "auto")]
        format: String,
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Validate a bank source without importing it; exits 1 when it has errors.
    Validate {
        /// As for `import`.
        source: PathBuf,
        /// auto, jsonl or sqlite.
        #[arg(long, default_value = "auto")]
        format: String,
    },
    /// List the imported banks and their current versions.
    List {
        #[command(flatten)]
        site: SiteArgs,
    },
}

/// Runs a `bank` command.
pub async fn run(cmd: BankCommand) -> anyhow::Result<std::process::ExitCode> {
    match cmd {
        BankCommand::Import {
            source,
            id,
            format,
            site,
        } => {
            let rt = config::load(&site, Path::new("examd-data"))?;
            let id: BankId = id.parse()?;
            let r = banks::import(&rt.data_dir, &source, &id, &format).await?;
            println!("{}", r.report.trim_end());
            println!(
                "题库 {} 版本 {}{}: {} 题导入, {} 题因错误未导入, {} 个媒体文件 / bank {} version {}{}: {} questions, {} left out, {} media files",
                r.id,
                r.version,
                if r.unchanged { " (未变化)" } else { "" },
                r.questions,
                r.excluded,
                r.media,
                r.id,
                r.version,
                if r.unchanged { " (unchanged)" } else { "" },
                r.questions,
                r.excluded,
                r.media,
            );
        }
        BankCommand::Validate { source, format } => {
            let src = banks::read_source(&source, &"check".parse()?, &format).await?;
            let (report, text) = banks::validate(&src);
            println!("{}", text.trim_end());
            if !report.is_usable() || !src.record_errors.is_empty() {
                return Ok(std::process::ExitCode::from(1));
            }
        }
        BankCommand::List { site } => {
            let rt = config::load(&site, Path::new("examd-data"))?;
            for (id, version) in banks::current_versions(&rt.data_dir)? {
                let b = banks::load(&rt.data_dir, &id, &version)?;
                println!("{id}\t{version}\t{} questions", b.bank.questions().len());
            }
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}
