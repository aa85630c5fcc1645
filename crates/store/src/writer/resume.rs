//! Rebuilding the writer's state from what the store holds.

use audit::{
    Anchor, Checkpoint, CheckpointPolicy, Frontier, Hash, SignedCheckpoint, Verifier, Writer,
};
use model::{Seq, SiteId, UnixMs};

use crate::{Store, StoreError, StoredCheckpoint};

/// Events read per page while rebuilding.
const PAGE: u32 = 4096;

/// The writer state and the size of the last stored checkpoint.
#[derive(Debug)]
pub(super) struct Resumed {
    pub writer: Writer,
    pub checkpointed: u64,
    /// Events verified at start (those after the stored frontier it started from).
    pub verified: u64,
}

fn corrupt(what: &'static str, detail: impl ToString) -> StoreError {
    StoreError::Corrupt {
        what,
        detail: detail.to_string(),
    }
}

fn unsigned_body(cp: &StoredCheckpoint) -> Result<Checkpoint, StoreError> {
    SignedCheckpoint {
        body: cp.body.clone(),
        signature: cp.signature.clone(),
    }
    .unverified()
    .map_err(|e| corrupt("checkpoints.body", e))
}

/// Reads the stored log and verifies it as `site`'s chain (encoding, dense seqs, chain hashes),
/// rebuilding the Merkle frontier on the way: from the latest stored frontier (see
/// [`frontier_anchor`]) when there is one, else from the genesis. A torn or altered tail is
/// found either way. Checkpoint signatures are not checked here (keys may have been rotated);
/// `examd audit verify` does that, over the whole log.
pub(super) async fn resume(
    store: &dyn Store,
    site: &SiteId,
    policy: CheckpointPolicy,
    now: UnixMs,
) -> Result<Resumed, StoreError> {
    let checkpoints = store.checkpoints().await?;
    let anchor = frontier_anchor(store, site, &checkpoints).await?;
    let mut verifier = Verifier::new(site, &[], &[], anchor).map_err(|f| corrupt("events", f))?;
    let mut from = verifier.last().next();
    loop {
        let page = store.events(from, PAGE).await?;
        let Some(last) = page.last() else { break };
        from = last.seq.next();
        for event in &page {
            verifier.push(&event.bytes, event.hash).map_err(|f| {
                corrupt(
                    "events",
                    format!("the stored log is not a valid chain of site {site}: {f}"),
                )
            })?;
        }
    }
    let report = verifier.finish().map_err(|f| corrupt("events", f))?;
    let frontier = report
        .frontier
        .ok_or_else(|| corrupt("events", "no Merkle frontier after verifying"))?;
    if let Some((seq, hash)) = store.log_head().await?
        && (seq, hash) != (report.last_seq, report.head)
    {
        return Err(corrupt(
            "events",
            format!("the log head moved to {seq} while resuming"),
        ));
    }

    let (checkpointed, last_time) = match checkpoints.last() {
        Some(cp) => (cp.tree_size, unsigned_body(cp)?.time),
        None => (0, now),
    };
    if checkpointed > report.last_seq.0 {
        return Err(corrupt(
            "events",
            format!(
                "a checkpoint covers {checkpointed} events, the log holds {}: truncated",
                report.last_seq
            ),
        ));
    }
    let head: Hash = report.head;
    let writer = Writer::resume(site, policy, head, frontier, checkpointed, last_time);
    Ok(Resumed {
        writer,
        checkpointed,
        verified: report.events,
    })
}

/// Where verifying may start: the latest stored frontier, once it agrees with the checkpoint of
/// its size (this site, same Merkle root) and with the stored event at that seq (its chain hash is
/// the checkpoint's head). `None` (verify from the genesis) when no frontier is stored.
/// Disagreement is `StoreError::Corrupt`: the log, its checkpoints or the frontier were altered.
async fn frontier_anchor(
    store: &dyn Store,
    site: &SiteId,
    checkpoints: &[StoredCheckpoint],
) -> Result<Option<Anchor>, StoreError> {
    let Some((size, bytes)) = store.last_frontier().await? else {
        return Ok(None);
    };
    let frontier =
        Frontier::from_bytes(&bytes).map_err(|e| corrupt("log_frontiers.frontier", e))?;
    if frontier.size() != size {
        return Err(corrupt(
            "log_frontiers.frontier",
            format!(
                "the frontier stored for {size} events is one of {}",
                frontier.size()
            ),
        ));
    }
    let cp = checkpoints
        .iter()
        .find(|c| c.tree_size == size)
        .ok_or_else(|| {
            corrupt(
                "log_frontiers.tree_size",
                format!("a frontier covers {size} events but no checkpoint does"),
            )
        })?;
    let body = unsigned_body(cp)?;
    if body.site != *site || body.tree_size != size || body.root != frontier.root() {
        return Err(corrupt(
            "log_frontiers.frontier",
            format!("the frontier of {size} events disagrees with the checkpoint of that size"),
        ));
    }
    let at = store.events(Seq(size), 1).await?;
    match at.first() {
        Some(e) if e.seq == Seq(size) && e.hash == body.head => {}
        Some(e) if e.seq == Seq(size) => {
            return Err(corrupt(
                "events",
                format!("event {size} does not have the chain hash its checkpoint states"),
            ));
        }
        _ => {
            return Err(corrupt(
                "events",
                format!("a checkpoint covers {size} events, the log holds fewer: truncated"),
            ));
        }
    }
    Ok(Some(Anchor::with_frontier(frontier, body.head)))
}
