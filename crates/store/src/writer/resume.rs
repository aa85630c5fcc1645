//! Rebuilding the writer's state from what the store holds.

use audit::{Checkpoint, CheckpointPolicy, Hash, SignedCheckpoint, Verifier, Writer};
use model::{Seq, SiteId, UnixMs};

use crate::{Store, StoreError};

/// Events read per page while rebuilding.
const PAGE: u32 = 4096;

/// The writer state and the size of the last stored checkpoint.
#[derive(Debug)]
pub(super) struct Resumed {
    pub writer: Writer,
    pub checkpointed: u64,
}

fn corrupt(what: &'static str, detail: impl ToString) -> StoreError {
    StoreError::Corrupt {
        what,
        detail: detail.to_string(),
    }
}

/// Reads the whole stored log and verifies it as `site`'s chain from the genesis (encoding,
/// dense seqs, chain hashes), rebuilding the Merkle frontier on the way. Checkpoint signatures
/// are not checked here (keys may have been rotated); `examd audit verify` does that.
pub(super) async fn resume(
    store: &dyn Store,
    site: &SiteId,
    policy: CheckpointPolicy,
    now: UnixMs,
) -> Result<Resumed, StoreError> {
    let mut verifier = Verifier::new(site, &[], &[], None).map_err(|f| corrupt("events", f))?;
    let mut from = Seq::FIRST;
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

    let (checkpointed, last_time) = match store.checkpoints().await?.last() {
        Some(cp) => {
            let signed = SignedCheckpoint {
                body: cp.body.clone(),
                signature: cp.signature.clone(),
            };
            let body: Checkpoint = signed
                .unverified()
                .map_err(|e| corrupt("checkpoints.body", e))?;
            (cp.tree_size, body.time)
        }
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
    })
}
