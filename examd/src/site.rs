//! Opening a site: data folder, lock, signing key, database, log writer.

use std::fs::{File, OpenOptions};
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use audit::{CheckpointPolicy, PublicKey, Signer};
use store::{LogWriter, Store};

use crate::config::Runtime;
use crate::state::Clock;

/// An open site: everything a command needs to read or write.
pub struct Site {
    /// Configuration.
    pub rt: Arc<Runtime>,
    /// The database.
    pub store: Arc<dyn Store>,
    /// The log writer.
    pub log: LogWriter,
    /// The checkpoint-signing public key.
    pub public_key: PublicKey,
    /// People, their sealed templates and the rosters (key file `template-key.bin` in the data folder).
    pub identity: Arc<crate::identity::Registry>,
    /// Held for as long as the site is open by this process.
    _lock: File,
}

impl std::fmt::Debug for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Site").field("rt", &self.rt).finish()
    }
}

/// Takes the data folder's lock so two processes never write one log.
fn lock(dir: &Path) -> anyhow::Result<File> {
    let path = dir.join("examd.lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => bail!(
            "another examd process is using {} (is the daemon running? use the console or the API instead)",
            dir.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => Err(e).context("locking the data folder"),
    }
}

/// Loads the site's Ed25519 key, creating it (mode 0600) on first start.
pub fn load_or_create_key(path: &Path) -> anyhow::Result<Signer> {
    if path.exists() {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        return Signer::from_pkcs8(&bytes)
            .with_context(|| format!("{} is not an Ed25519 PKCS#8 key", path.display()));
    }
    let (signer, pkcs8) = Signer::generate().context("generating the site signing key")?;
    write_private(path, &pkcs8)?;
    tracing::info!(key_id = %signer.public_key().key_id(), path = %path.display(), "created site signing key");
    Ok(signer)
}

/// Writes a file only the owner can read.
pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    opts.mode(0o600);
    let mut f = opts
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

/// Opens the site for writing: lock, key, database (migrated), log writer.
pub async fn open(rt: Runtime, clock: Clock) -> anyhow::Result<Site> {
    std::fs::create_dir_all(&rt.data_dir)
        .with_context(|| format!("creating {}", rt.data_dir.display()))?;
    let lock = lock(&rt.data_dir)?;
    let signer = load_or_create_key(&rt.signing_key_path())?;
    let public_key = signer.public_key();
    let store = store::open(&rt.database_url).await.with_context(|| {
        format!(
            "opening database {}",
            crate::config::redact_url(&rt.database_url)
        )
    })?;
    let policy = CheckpointPolicy {
        every_events: rt.checkpoint_events,
        every_ms: rt.checkpoint_ms,
    };
    let log = LogWriter::start(
        store.clone(),
        rt.site.clone(),
        Some(signer),
        policy,
        clock.clone(),
    )
    .await
    .context("starting the log writer")?;
    let identity = crate::identity::Registry::open(
        store.clone(),
        log.clone(),
        clock,
        &rt.data_dir.join(crate::identity::crypto::KEY_FILE),
    )
    .await
    .context("opening the identity registry")?;
    Ok(Site {
        rt: Arc::new(rt),
        store,
        log,
        public_key,
        identity,
        _lock: lock,
    })
}

/// Opens the database only, for read-only commands (verify, export), without the lock.
pub async fn open_read_only(rt: &Runtime) -> anyhow::Result<(Arc<dyn Store>, Option<PublicKey>)> {
    let key = if rt.signing_key_path().exists() {
        Some(load_or_create_key(&rt.signing_key_path())?.public_key())
    } else {
        None
    };
    let store = store::open(&rt.database_url).await.with_context(|| {
        format!(
            "opening database {}",
            crate::config::redact_url(&rt.database_url)
        )
    })?;
    Ok((store, key))
}
