//! `examd`: the exam-site daemon and its command line.
//!
//! `examd serve` runs the site; `examd demo` runs it with simulated devices on embedded SQLite;
//! `examd user add` bootstraps accounts; `examd audit verify|export` checks and exports the log.

use std::io::BufRead;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use examd::config::SiteArgs;
use examd::{accounts, app, audit_ops, config, demo, site, state};
use model::{Role, UserName};

/// The driving-licence exam site daemon.
#[derive(Debug, Parser)]
#[command(
    name = "examd",
    version,
    about = "考场管理系统 — driving-licence exam site daemon"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the site daemon.
    Serve {
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Run the daemon with simulated devices on embedded SQLite (data in ./examd-demo).
    Demo {
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Run the central platform's receiver: sites ship their signed logs here.
    Central {
        /// Listen address.
        #[arg(long, env = "EXAMD_CENTRAL_LISTEN", default_value = "127.0.0.1:8090")]
        listen: std::net::SocketAddr,
        /// Central database: `postgres://…` (or `sqlite://…` for a trial).
        #[arg(long, env = "EXAMD_CENTRAL_DATABASE_URL")]
        database_url: String,
        /// Register a site and its checkpoint key, `<site-id>:<public-key-hex>` (repeatable; a new key rotates).
        #[arg(long = "register")]
        register: Vec<String>,
        /// Create a platform account, `<name>:<platform-admin|platform-auditor>` (repeatable); its
        /// token is printed once.
        #[arg(long = "account")]
        account: Vec<String>,
        /// Folder where the photos sites ship are kept (`<sha256>.jpg`); without it they are checked, not kept.
        #[arg(long, env = "EXAMD_CENTRAL_PHOTOS_DIR")]
        photos_dir: Option<PathBuf>,
    },
    /// Check and export the signed event log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The same-day random draw (art. 48): recompute and check every draw.
    Draw {
        #[command(subcommand)]
        command: DrawCommand,
    },
    /// Import, validate and list theory question banks.
    Bank {
        #[command(subcommand)]
        command: examd::theory::cli::BankCommand,
    },
    /// Use a configured fingerprint sensor: capture an image, enrol a finger.
    Sensor {
        #[command(subcommand)]
        command: examd::devices::cli::SensorCommand,
    },
    /// Run a device simulator on a pseudo-terminal (or TCP) for other programs to talk to.
    Sim(examd::devices::cli::SimArgs),
    /// Judge a recorded drive (DESIGN §3.4): exit 0 passed, 1 failed, 2 bad input.
    Judge(examd::driving::cli::JudgeArgs),
    /// Re-judge a logged driving session from the log (exit 1 if it differs); `--svg` draws it.
    Replay(examd::driving::cli::ReplayArgs),
    /// Import, list and show the rosters of sittings (candidates and their enrolled templates).
    Roster {
        #[command(subcommand)]
        command: examd::identity::cli::RosterCommand,
    },
    /// The watch-list (黑名单) of a running daemon: list, add, remove.
    Watchlist {
        #[command(subcommand)]
        command: examd::watchlist::cli::WatchlistCommand,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an account. People's passwords are read from standard input (one line);
    /// a device's token is generated and printed once.
    Add {
        /// Login name (`[a-z0-9._-]`).
        #[arg(long)]
        name: String,
        /// admin, examiner, auditor or device.
        #[arg(long)]
        role: String,
        /// Display name.
        #[arg(long, default_value = "")]
        display_name: String,
        #[command(flatten)]
        site: SiteArgs,
    },
}

#[derive(Debug, Subcommand)]
enum DrawCommand {
    /// Recompute every draw from its revealed seed and the logged roster (exit 1 on any mismatch).
    Verify {
        /// Read an audit export file instead of the site's database.
        #[arg(long)]
        from: Option<PathBuf>,
        /// Only the sessions of this exam day (YYYY-MM-DD); exit 2 if it has none drawn.
        #[arg(long)]
        date: Option<String>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        site: SiteArgs,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Verify the chain, the Merkle checkpoints and their signatures; names the first bad seq.
    Verify {
        /// Start at this seq (trusting the stored hash of the one before).
        #[arg(long)]
        from: Option<u64>,
        /// Verify an export file instead of the site's database.
        #[arg(long)]
        file: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Trust only this checkpoint key (64 hex digits); repeatable. Default: the site's own key,
        /// or for `--file` the keys the file carries.
        #[arg(long = "key")]
        keys: Vec<String>,
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Write a self-contained export an auditor can verify elsewhere with `audit verify --file`.
    Export {
        /// Output file.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        site: SiteArgs,
    },
}

fn init_tracing() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("EXAMD_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    init_tracing();
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误 / error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<std::process::ExitCode> {
    let clock = state::system_clock();
    match cli.command {
        Command::Serve { site } => {
            let rt = config::load(&site, &PathBuf::from("examd-data"))?;
            tracing::info!(config = ?rt, "configuration");
            let listener = tokio::net::TcpListener::bind(rt.listen)
                .await
                .with_context(|| format!("listening on {}", rt.listen))?;
            let site = site::open(rt, clock.clone()).await?;
            app::serve(site, listener, clock, app::shutdown_signal()).await?;
        }
        Command::Demo { site } => demo::run(site, clock).await?,
        Command::Central {
            listen,
            database_url,
            register,
            account,
            photos_dir,
        } => {
            let photos = photos_dir.as_deref();
            examd::central::serve(listen, &database_url, &register, &account, photos, clock)
                .await?;
        }
        Command::User {
            command:
                UserCommand::Add {
                    name,
                    role,
                    display_name,
                    site,
                },
        } => {
            let rt = config::load(&site, &PathBuf::from("examd-data"))?;
            let name: UserName = name.parse()?;
            let role: Role = role.parse()?;
            let password = if role.is_person() {
                let mut line = String::new();
                std::io::stdin()
                    .lock()
                    .read_line(&mut line)
                    .context("reading the password from stdin")?;
                let pw = line.trim_end_matches(['\r', '\n']).to_owned();
                if pw.is_empty() {
                    bail!("no password on standard input (echo the password | examd user add …)");
                }
                Some(pw)
            } else {
                None
            };
            let site = site::open(rt, clock.clone()).await?;
            let by: UserName = "cli".parse()?;
            let created = accounts::create(
                &site.store,
                &site.log,
                name,
                role,
                display_name,
                password,
                clock(),
                &by,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            site.log.shutdown().await;
            match created.token {
                Some(token) => println!("{token}"),
                None => eprintln!(
                    "已创建账户 / created account {} ({})",
                    created.name, created.role
                ),
            }
        }
        Command::Audit {
            command:
                AuditCommand::Verify {
                    from,
                    file,
                    json,
                    keys,
                    site,
                },
        } => {
            let keys = keys
                .iter()
                .map(|k| {
                    audit::PublicKey::from_hex(k).map_err(|e| anyhow::anyhow!("--key {k}: {e}"))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            return audit_ops::verify_command(&site, from, file, &keys, json).await;
        }
        Command::Draw {
            command:
                DrawCommand::Verify {
                    from,
                    date,
                    json,
                    site,
                },
        } => {
            return examd::booking::verify::command(&site, from.as_deref(), date.as_deref(), json)
                .await;
        }
        Command::Bank { command } => return examd::theory::cli::run(command).await,
        Command::Sensor { command } => return examd::devices::cli::sensor(command).await,
        Command::Sim(args) => examd::devices::cli::sim(args).await?,
        Command::Judge(args) => return examd::driving::cli::judge_command(&args),
        Command::Replay(args) => return examd::driving::cli::replay_command(&args).await,
        Command::Roster { command } => return examd::identity::cli::run(command, clock).await,
        Command::Watchlist { command } => return examd::watchlist::cli::run(command).await,
        Command::Audit {
            command: AuditCommand::Export { out, site },
        } => {
            audit_ops::export_command(&site, &out).await?;
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}
