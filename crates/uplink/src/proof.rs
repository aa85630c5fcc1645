//! Inclusion proofs served by central: "event (site, seq) is in the site's log".
//!
//! Central answers with the event's record, the site's latest signed checkpoint it holds that
//! covers the event, and the RFC 6962 audit path from the event's leaf to that checkpoint's
//! Merkle root ([`prove`]). An auditor checks it with nothing but the site's public key
//! ([`verify_proof`]): the signature over the checkpoint, the path to its root, the record's seq.
//! Central is not trusted: a proof it made up fails [`verify_proof`].

use audit::{Frontier, Hash, PublicKey, SignedCheckpoint, leaf_hash, verify_inclusion};
use model::{Seq, SiteId};
use serde::{Deserialize, Serialize};
use store::{CentralStore, StoreError};

use crate::protocol::{Record, WireCheckpoint, hexbytes};

/// Events read per query while building the tree.
const PAGE: u32 = 10_000;

/// One hash of an audit path, as hex in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathHash(#[serde(with = "hexbytes")] pub Vec<u8>);

/// Central's proof that one event is in a site's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    /// The site.
    pub site: String,
    /// The event's seq (leaf index `seq - 1`).
    pub seq: u64,
    /// The event's canonical bytes and the chain hash after it.
    pub record: Record,
    /// The size of the tree the proof is against (the checkpoint's).
    pub tree_size: u64,
    /// The RFC 6962 audit path, leaf side first.
    pub path: Vec<PathHash>,
    /// The site's signed checkpoint of that tree.
    pub checkpoint: WireCheckpoint,
}

/// Central cannot make a proof.
#[derive(Debug, thiserror::Error)]
pub enum ProveError {
    /// Central holds no such event.
    #[error("central holds no event {seq} of site {site}")]
    NotHeld {
        /// The site.
        site: SiteId,
        /// The seq asked for.
        seq: u64,
    },
    /// No signed checkpoint central holds covers the event yet.
    #[error("no checkpoint of site {site} held at central covers seq {seq} yet")]
    NoCheckpoint {
        /// The site.
        site: SiteId,
        /// The seq asked for.
        seq: u64,
    },
    /// The stored events do not give the root the checkpoint names.
    #[error("central's copy of site {site} does not match its checkpoint {tree_size}")]
    Mismatch {
        /// The site.
        site: SiteId,
        /// The checkpoint's tree size.
        tree_size: u64,
    },
    /// A stored checkpoint does not decode.
    #[error("stored checkpoint of site {site}: {detail}")]
    BadCheckpoint {
        /// The site.
        site: SiteId,
        /// What was wrong.
        detail: String,
    },
    /// The store failed (`NotFound`: unknown site).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Builds the proof for event `seq` of `site` against the latest checkpoint covering it.
///
/// Reads the site's events up to the checkpoint's tree size (O(n) per proof: fine for a site's
/// log of some millions of events; a frontier cache per checkpoint would make it O(log n)).
pub async fn prove(
    store: &dyn CentralStore,
    site: &SiteId,
    seq: u64,
) -> Result<InclusionProof, ProveError> {
    let (head, _) = store.head(site).await?;
    if seq == 0 || seq > head.0 {
        return Err(ProveError::NotHeld {
            site: site.clone(),
            seq,
        });
    }
    let cp = store
        .checkpoints(site)
        .await?
        .into_iter()
        .rfind(|c| c.tree_size >= seq && c.tree_size <= head.0)
        .ok_or_else(|| ProveError::NoCheckpoint {
            site: site.clone(),
            seq,
        })?;
    let signed = SignedCheckpoint {
        body: cp.body.clone(),
        signature: cp.signature.clone(),
    };
    let named = signed.unverified().map_err(|e| ProveError::BadCheckpoint {
        site: site.clone(),
        detail: e.to_string(),
    })?;
    let mut leaves: Vec<Hash> = Vec::with_capacity(cp.tree_size as usize);
    let mut frontier = Frontier::new();
    let mut record = None;
    while (leaves.len() as u64) < cp.tree_size {
        let from = leaves.len() as u64 + 1;
        let want = (cp.tree_size - leaves.len() as u64).min(u64::from(PAGE)) as u32;
        let page = store.events(site, Seq(from), want).await?;
        if page.is_empty() {
            return Err(ProveError::Mismatch {
                site: site.clone(),
                tree_size: cp.tree_size,
            });
        }
        for e in page {
            let leaf = leaf_hash(&e.bytes);
            frontier.push(leaf);
            leaves.push(leaf);
            if e.seq.0 == seq {
                record = Some(Record {
                    bytes: e.bytes,
                    hash: e.hash.0.to_vec(),
                });
            }
        }
    }
    if frontier.root() != named.root || named.tree_size != cp.tree_size {
        return Err(ProveError::Mismatch {
            site: site.clone(),
            tree_size: cp.tree_size,
        });
    }
    let path = audit::inclusion_proof(&leaves, seq - 1).map_err(|_| ProveError::NotHeld {
        site: site.clone(),
        seq,
    })?;
    Ok(InclusionProof {
        site: site.to_string(),
        seq,
        record: record.ok_or_else(|| ProveError::NotHeld {
            site: site.clone(),
            seq,
        })?,
        tree_size: cp.tree_size,
        path: path.iter().map(|h| PathHash(h.0.to_vec())).collect(),
        checkpoint: WireCheckpoint {
            body: cp.body,
            signature: cp.signature,
        },
    })
}

/// A proof does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofRefused {
    /// The checkpoint is not signed by any of the given keys (or does not decode).
    #[error("the checkpoint is not signed by the site's key: {0}")]
    Signature(String),
    /// The proof, its checkpoint or its event name another site.
    #[error("the proof is for site {found}, not {expected}")]
    WrongSite {
        /// The site asked about.
        expected: String,
        /// The site named.
        found: String,
    },
    /// The proof's tree size is not the checkpoint's.
    #[error("the proof is against tree size {proof}, the checkpoint covers {checkpoint}")]
    TreeSize {
        /// The proof's.
        proof: u64,
        /// The checkpoint's.
        checkpoint: u64,
    },
    /// A hash in the path is not 32 bytes.
    #[error("audit path hash {0} is not 32 bytes")]
    PathHash(usize),
    /// The path does not lead from the event's leaf to the checkpoint's root.
    #[error("the audit path does not lead to the checkpoint's root: {0}")]
    Path(String),
    /// The record does not decode, or is not the seq asked about.
    #[error("the record is not event {seq}: {detail}")]
    Record {
        /// The seq asked about.
        seq: u64,
        /// What was wrong.
        detail: String,
    },
    /// The event is the checkpoint's last, but its chain hash is not the checkpoint's head.
    #[error("the record's chain hash is not the checkpoint's head")]
    Head,
}

/// Checks a proof with only the site's public keys; returns the event it proves.
pub fn verify_proof(
    proof: &InclusionProof,
    site: &SiteId,
    keys: &[PublicKey],
) -> Result<audit::Event, ProofRefused> {
    let wrong_site = |found: &str| ProofRefused::WrongSite {
        expected: site.to_string(),
        found: found.to_owned(),
    };
    if proof.site != site.as_str() {
        return Err(wrong_site(&proof.site));
    }
    let (cp, _) = PublicKey::verify_any(keys, &proof.checkpoint.to_signed())
        .map_err(|e| ProofRefused::Signature(e.to_string()))?;
    if cp.site != *site {
        return Err(wrong_site(cp.site.as_str()));
    }
    if cp.tree_size != proof.tree_size {
        return Err(ProofRefused::TreeSize {
            proof: proof.tree_size,
            checkpoint: cp.tree_size,
        });
    }
    let path = proof
        .path
        .iter()
        .enumerate()
        .map(|(i, h)| Hash::from_slice(&h.0).ok_or(ProofRefused::PathHash(i)))
        .collect::<Result<Vec<_>, _>>()?;
    let index = proof.seq.checked_sub(1).ok_or(ProofRefused::Record {
        seq: 0,
        detail: "seq 0".into(),
    })?;
    verify_inclusion(
        &leaf_hash(&proof.record.bytes),
        index,
        cp.tree_size,
        &path,
        &cp.root,
    )
    .map_err(|e| ProofRefused::Path(e.to_string()))?;
    let event = audit::decode(&proof.record.bytes).map_err(|e| ProofRefused::Record {
        seq: proof.seq,
        detail: e.to_string(),
    })?;
    if event.seq.0 != proof.seq {
        return Err(ProofRefused::Record {
            seq: proof.seq,
            detail: format!("it is event {}", event.seq.0),
        });
    }
    if proof.seq == cp.tree_size && proof.record.hash != cp.head.0 {
        return Err(ProofRefused::Head);
    }
    Ok(event)
}
