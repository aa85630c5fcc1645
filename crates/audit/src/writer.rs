//! The pure state of a log writer: hash chain, Merkle frontier and checkpoint schedule.
//!
//! The store owns durability; this owns the arithmetic. Append events, ask whether a
//! checkpoint is due, make it, sign it with a [`crate::Signer`], store both.

use model::{SiteId, UnixMs};

use crate::chain::{Chain, ChainError, Sealed};
use crate::checkpoint::{Checkpoint, CheckpointPolicy};
use crate::encoding::Event;
use crate::hash::Hash;
use crate::merkle::{Frontier, leaf_hash};

/// A site's log as its writer sees it.
#[derive(Debug, Clone)]
pub struct Writer {
    site: SiteId,
    chain: Chain,
    frontier: Frontier,
    policy: CheckpointPolicy,
    last_checkpoint_size: u64,
    last_checkpoint_time: UnixMs,
}

impl Writer {
    /// An empty log, whose schedule starts at `now`.
    pub fn new(site: &SiteId, policy: CheckpointPolicy, now: UnixMs) -> Writer {
        Writer {
            site: site.clone(),
            chain: Chain::genesis(site),
            frontier: Frontier::new(),
            policy,
            last_checkpoint_size: 0,
            last_checkpoint_time: now,
        }
    }

    /// Resumes after a restart from the stored head hash and frontier (the last seq is the
    /// frontier's size) and the last checkpoint's size and time.
    pub fn resume(
        site: &SiteId,
        policy: CheckpointPolicy,
        head: Hash,
        frontier: Frontier,
        last_checkpoint_size: u64,
        last_checkpoint_time: UnixMs,
    ) -> Writer {
        Writer {
            site: site.clone(),
            chain: Chain::resume(model::Seq(frontier.size()), head),
            frontier,
            policy,
            last_checkpoint_size,
            last_checkpoint_time,
        }
    }

    /// Appends the next event (its seq must be the next one).
    pub fn append(&mut self, event: Event) -> Result<Sealed, ChainError> {
        let sealed = self.chain.append(event)?;
        self.frontier.push(leaf_hash(&sealed.bytes));
        Ok(sealed)
    }

    /// The chain state (last seq and head hash).
    pub fn chain(&self) -> &Chain {
        &self.chain
    }

    /// The Merkle frontier (persist `to_bytes()` to resume).
    pub fn frontier(&self) -> &Frontier {
        &self.frontier
    }

    /// Whether the policy asks for a checkpoint at `now`.
    pub fn checkpoint_due(&self, now: UnixMs) -> bool {
        let events = self.frontier.size() - self.last_checkpoint_size;
        self.policy
            .due(events, now.0.saturating_sub(self.last_checkpoint_time.0))
    }

    /// The checkpoint of the log as it is now, noted as the last one made. Sign it and store it.
    pub fn checkpoint(&mut self, now: UnixMs) -> Checkpoint {
        self.last_checkpoint_size = self.frontier.size();
        self.last_checkpoint_time = now;
        Checkpoint {
            site: self.site.clone(),
            tree_size: self.frontier.size(),
            root: self.frontier.root(),
            head: self.chain.head(),
            time: now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::{EventKind, Seq};

    #[test]
    fn schedule_and_resume() {
        let site: SiteId = "s".parse().unwrap();
        let policy = CheckpointPolicy {
            every_events: 3,
            every_ms: 1000,
        };
        let mut w = Writer::new(&site, policy, UnixMs(0));
        let ev = |seq| Event {
            seq: Seq(seq),
            time: UnixMs(seq as i64),
            kind: EventKind::DeviceReport,
            subjects: vec![],
            payload: vec![seq as u8],
        };
        assert!(!w.checkpoint_due(UnixMs(5000)), "nothing to seal yet");
        w.append(ev(1)).unwrap();
        assert!(!w.checkpoint_due(UnixMs(999)));
        assert!(w.checkpoint_due(UnixMs(1000)));
        w.append(ev(2)).unwrap();
        w.append(ev(3)).unwrap();
        assert!(w.checkpoint_due(UnixMs(10)));
        let cp = w.checkpoint(UnixMs(10));
        assert_eq!((cp.tree_size, cp.head), (3, w.chain().head()));
        assert!(!w.checkpoint_due(UnixMs(20)));

        let mut r = Writer::resume(
            &site,
            policy,
            w.chain().head(),
            w.frontier().clone(),
            3,
            UnixMs(10),
        );
        let a = w.append(ev(4)).unwrap();
        let b = r.append(ev(4)).unwrap();
        assert_eq!(a, b);
        assert_eq!(r.frontier().root(), w.frontier().root());
    }
}
