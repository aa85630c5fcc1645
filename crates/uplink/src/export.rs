//! Central's copy of a site's log as an audit export file (`audit::ExportWriter` format), so
//! `examd audit verify --file` checks central's copy exactly as it checks the site's.

use std::io::Write;

use audit::{ExportError, ExportWriter, SignedCheckpoint};
use model::{Seq, SiteId};
use store::{CentralStore, StoreError};

/// Events read per query.
const PAGE: u32 = 10_000;

/// The export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportFailure {
    /// Reading central's store failed (`NotFound`: unknown site).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing the file failed.
    #[error("writing the export: {0}")]
    Write(#[from] ExportError),
}

/// Writes everything central holds of `site` (its registered keys, its checkpoints, its events
/// up to the head) to `out`.
pub async fn export_site<W: Write>(
    store: &dyn CentralStore,
    site: &SiteId,
    out: W,
) -> Result<W, ExportFailure> {
    let keys: Vec<_> = store
        .site_keys(site)
        .await?
        .into_iter()
        .map(|k| k.key)
        .collect();
    let (head, _) = store.head(site).await?;
    let checkpoints: Vec<SignedCheckpoint> = store
        .checkpoints(site)
        .await?
        .into_iter()
        .filter(|c| c.tree_size <= head.0)
        .map(|c| SignedCheckpoint {
            body: c.body,
            signature: c.signature,
        })
        .collect();
    let mut w = ExportWriter::new(out, site, &keys, &checkpoints)?;
    let mut next = 1;
    while next <= head.0 {
        let want = (head.0 - next + 1).min(u64::from(PAGE)) as u32;
        let page = store.events(site, Seq(next), want).await?;
        if page.is_empty() {
            break;
        }
        for e in &page {
            w.record(&e.bytes, &e.hash)?;
        }
        next += page.len() as u64;
    }
    Ok(w.finish()?)
}
