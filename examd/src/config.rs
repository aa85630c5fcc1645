//! Typed configuration: a TOML file, then `EXAMD_*` environment variables, then flags.
//!
//! [`RawConfig`] is what the file holds (every field optional); [`Settings`] is the same after
//! layering; [`Settings::resolve`] validates it into a [`Runtime`] before anything starts.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use model::SiteId;
use serde::Deserialize;

/// The configuration file, as written. Every field may be left out.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// The site id (`[a-z0-9._-]`, at most 32).
    pub site_id: Option<String>,
    /// Human name of the site, shown in the console.
    pub site_name: Option<String>,
    /// Where the database, keys and exports live.
    pub data_dir: Option<PathBuf>,
    /// `sqlite://…` (default: `<data_dir>/examd.db`) or `postgres://…`.
    pub database_url: Option<String>,
    /// HTTP listen address.
    pub listen: Option<SocketAddr>,
    /// Checkpoint policy.
    pub checkpoint: Option<RawCheckpoint>,
    /// Base URL of the central platform's receiver (`http://host:port`); no upload when absent.
    pub central_url: Option<String>,
    /// How long a login session lasts, in hours.
    pub session_hours: Option<u32>,
    /// Fingerprint sensors (`[[sensor]]`, see `crate::devices::spec`).
    #[serde(default)]
    pub sensor: Vec<crate::devices::RawSensor>,
    /// IP cameras (`[[camera]]`, see `crate::photos::cameras`).
    #[serde(default)]
    pub camera: Vec<crate::photos::RawCamera>,
}

/// `[checkpoint]` in the file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCheckpoint {
    /// Seal a checkpoint after this many events.
    pub every_events: Option<u64>,
    /// … or after this many seconds, whichever comes first.
    pub every_secs: Option<u64>,
}

/// Flags shared by the commands that open the site (each also read from `EXAMD_*`).
#[derive(Debug, Clone, Default, Args)]
pub struct SiteArgs {
    /// Configuration file (TOML).
    #[arg(long, env = "EXAMD_CONFIG")]
    pub config: Option<PathBuf>,
    /// Data folder (database, signing key).
    #[arg(long, env = "EXAMD_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL: `sqlite://path` or `postgres://user@host/db`.
    #[arg(long, env = "EXAMD_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Site id.
    #[arg(long, env = "EXAMD_SITE_ID")]
    pub site_id: Option<String>,
    /// HTTP listen address, e.g. 127.0.0.1:8080.
    #[arg(long, env = "EXAMD_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Base URL of the central platform (`http://host:port`); the site ships its log there.
    #[arg(long, env = "EXAMD_CENTRAL_URL")]
    pub central_url: Option<String>,
}

/// The validated configuration everything is wired from.
#[derive(Clone)]
pub struct Runtime {
    /// Site id.
    pub site: SiteId,
    /// Site name for screens.
    pub site_name: String,
    /// Data folder (exists).
    pub data_dir: PathBuf,
    /// Database URL (may hold a password: never print it).
    pub database_url: String,
    /// HTTP listen address.
    pub listen: SocketAddr,
    /// Checkpoint every N events.
    pub checkpoint_events: u64,
    /// Checkpoint every T milliseconds.
    pub checkpoint_ms: i64,
    /// Session lifetime in milliseconds.
    pub session_ms: i64,
    /// Where to ship the log, if anywhere.
    pub central_url: Option<String>,
    /// Configured fingerprint sensors.
    pub sensors: Vec<crate::devices::SensorSpec>,
    /// Configured IP cameras.
    pub cameras: Vec<crate::photos::CameraSpec>,
}

impl Runtime {
    /// The site's Ed25519 signing key (PKCS#8), created on first start.
    pub fn signing_key_path(&self) -> PathBuf {
        self.data_dir.join("site-signing-key.p8")
    }
}

/// Hides the password part of a database URL (the store's own redaction, so there is one).
pub use store::redact as redact_url;

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("site", &self.site)
            .field("site_name", &self.site_name)
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact_url(&self.database_url))
            .field("listen", &self.listen)
            .field("checkpoint_events", &self.checkpoint_events)
            .field("checkpoint_ms", &self.checkpoint_ms)
            .field("session_ms", &self.session_ms)
            .field("central_url", &self.central_url.as_deref().map(redact_url))
            .field("sensors", &self.sensors)
            .field("cameras", &self.cameras)
            .finish()
    }
}

/// Reads the file (if any) and layers env and flags over it.
pub fn load(args: &SiteArgs, default_data_dir: &Path) -> anyhow::Result<Runtime> {
    let raw = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading config file {}", path.display()))?;
            toml::from_str::<RawConfig>(&text)
                .with_context(|| format!("config file {} is not valid", path.display()))?
        }
        None => RawConfig::default(),
    };
    resolve(raw, args, default_data_dir)
}

/// Layers flags (which clap already layered over env) on the file and validates.
pub fn resolve(
    raw: RawConfig,
    args: &SiteArgs,
    default_data_dir: &Path,
) -> anyhow::Result<Runtime> {
    let site_text = args
        .site_id
        .clone()
        .or(raw.site_id)
        .unwrap_or_else(|| "demo-site".into());
    let site: SiteId = site_text
        .parse()
        .with_context(|| format!("site_id {site_text:?}"))?;
    let data_dir = args
        .data_dir
        .clone()
        .or(raw.data_dir)
        .unwrap_or_else(|| default_data_dir.into());
    let database_url = args
        .database_url
        .clone()
        .or(raw.database_url)
        .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("examd.db").display()));
    if !(database_url.starts_with("sqlite:")
        || database_url.starts_with("postgres:")
        || database_url.starts_with("postgresql:"))
    {
        bail!(
            "database_url must start with sqlite:// or postgres://, got {}",
            redact_url(&database_url)
        );
    }
    let listen = args
        .listen
        .or(raw.listen)
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
    let cp = raw.checkpoint.unwrap_or_default();
    let checkpoint_events = cp.every_events.unwrap_or(1000);
    let every_secs = cp.every_secs.unwrap_or(60);
    if checkpoint_events == 0 || every_secs == 0 {
        bail!("checkpoint.every_events and checkpoint.every_secs must be at least 1");
    }
    let sensors = crate::devices::spec::resolve_all(&raw.sensor).map_err(anyhow::Error::msg)?;
    let cameras = crate::photos::cameras::resolve_all(&raw.camera).map_err(anyhow::Error::msg)?;
    let session_hours = raw.session_hours.unwrap_or(12);
    if !(1..=168).contains(&session_hours) {
        bail!("session_hours must be 1 to 168, got {session_hours}");
    }
    let central_url = args.central_url.clone().or(raw.central_url);
    if let Some(url) = central_url
        .as_ref()
        .filter(|u| !(u.starts_with("http://") || u.starts_with("https://")))
    {
        bail!(
            "central_url must be an http:// or https:// URL, got {}",
            redact_url(url)
        );
    }
    Ok(Runtime {
        sensors,
        cameras,
        central_url,
        site,
        site_name: raw.site_name.unwrap_or_else(|| "examd 考场".into()),
        data_dir,
        database_url,
        listen,
        checkpoint_events,
        checkpoint_ms: every_secs as i64 * 1000,
        session_ms: i64::from(session_hours) * 3_600_000,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_file() {
        let raw: RawConfig = toml::from_str(
            "site_id = \"file-site\"\nlisten = \"127.0.0.1:9000\"\n[checkpoint]\nevery_events = 5\n",
        )
        .unwrap();
        let args = SiteArgs {
            site_id: Some("flag-site".into()),
            ..Default::default()
        };
        let rt = resolve(raw, &args, Path::new("d")).unwrap();
        assert_eq!(rt.site.as_str(), "flag-site");
        assert_eq!(rt.listen.port(), 9000);
        assert_eq!(rt.checkpoint_events, 5);
        assert_eq!(rt.database_url, "sqlite://d/examd.db");
    }

    #[test]
    fn bad_values_are_refused_before_start() {
        let args = SiteArgs {
            site_id: Some("Bad Site".into()),
            ..Default::default()
        };
        assert!(resolve(RawConfig::default(), &args, Path::new("d")).is_err());
        let args = SiteArgs {
            database_url: Some("mysql://x".into()),
            ..Default::default()
        };
        assert!(resolve(RawConfig::default(), &args, Path::new("d")).is_err());
        assert!(toml::from_str::<RawConfig>("sitee_id = \"x\"").is_err());
        let args = SiteArgs {
            central_url: Some("ftp://central".into()),
            ..Default::default()
        };
        assert!(resolve(RawConfig::default(), &args, Path::new("d")).is_err());
    }

    #[test]
    fn the_example_file_is_valid() {
        let raw: RawConfig =
            toml::from_str(include_str!("../../fixtures/examd.example.toml")).unwrap();
        let rt = resolve(raw, &SiteArgs::default(), Path::new("d")).unwrap();
        assert_eq!(rt.site.as_str(), "taian-01");
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
        let rt = resolve(
            RawConfig::default(),
            &SiteArgs {
                database_url: Some("postgres://u:secret@h/db".into()),
                ..Default::default()
            },
            Path::new("d"),
        )
        .unwrap();
        assert!(!format!("{rt:?}").contains("secret"));
    }
}
