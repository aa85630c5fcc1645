//! Verification of a site's log: chain, encoding, order, and signed checkpoints.
//!
//! Records arrive in log order as `(canonical bytes, stored chain hash)`. For each one the
//! verifier checks, in this order:
//!
//! 1. the bytes are a canonical event ([`validate`]) → else [`Problem::Decode`];
//! 2. its seq is the next one → else the record is held as a *suspect* and the following
//!    records decide what happened (see below);
//! 3. `SHA-256(previous hash ‖ bytes)` equals the stored hash → else [`Problem::PayloadChanged`];
//! 4. every signed checkpoint whose tree size is this seq has a good signature and names this
//!    chain head and Merkle root → else [`Problem::SignatureInvalid`] / [`Problem::CheckpointMismatch`].
//!
//! At the end, a good checkpoint that covers more events than the log holds is
//! [`Problem::Truncated`].
//!
//! A suspect record at expected seq `e` that says seq `d ≠ e` is classified honestly:
//! - if it is an intact record for seq `e - 1` (it chains from the same predecessor as the
//!   event just accepted), two records claim that seq: [`Problem::Duplicate`], named at the
//!   place of the second copy when the two are identical, else at the shared seq;
//! - if the next record is `e + 1` and chains from the suspect's stored hash, the suspect sits
//!   in its place in the chain and only its bytes changed: [`Problem::PayloadChanged`];
//! - else if `d < e`, a seq came back: [`Problem::Duplicate`];
//! - else if seq `e` turns up later (looking at most [`LOOKAHEAD`] records ahead, by their seq
//!   field only): [`Problem::OutOfOrder`];
//! - else: [`Problem::Missing`].
//!
//! The chain alone does not stop someone who rewrites an event and recomputes every stored
//! hash after it. The signed checkpoints do: the recomputed head and root no longer match.
//!
//! Verification can start in the middle of a log from a trusted [`Anchor`] (a seq and its
//! chain hash, and optionally the Merkle frontier there, without which checkpoint roots cannot
//! be recomputed and only their heads are compared).

use std::collections::VecDeque;

use model::{Seq, SiteId};

use crate::chain::Chain;
use crate::checkpoint::{
    Checkpoint, CheckpointDecodeError, CheckpointError, PublicKey, SignedCheckpoint,
};
use crate::encoding::{DecodeError, peek_seq, validate};
use crate::hash::Hash;
use crate::merkle::{Frontier, leaf_hash};

/// How many records after a suspect one are scanned (by seq field only) for the missing seq
/// before calling it missing.
pub const LOOKAHEAD: u64 = 1 << 20;

/// What is wrong at the failing seq.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The record is not a canonical event.
    #[error("record does not decode: {0}")]
    Decode(DecodeError),
    /// The record's bytes do not hash, chained to the previous event, to its stored hash:
    /// the event (or its stored hash) was changed.
    #[error("payload changed: the record does not chain to its stored hash")]
    PayloadChanged,
    /// The record at this place carries a later seq, and the expected one never comes: events are missing.
    #[error("event {expected} is missing")]
    Missing {
        /// The first absent seq.
        expected: Seq,
    },
    /// The record at this place carries a later seq, and the expected one comes after it.
    #[error("events out of order: found seq {found} where this seq belongs")]
    OutOfOrder {
        /// The seq found in this place.
        found: Seq,
    },
    /// The record at this place carries a seq already seen.
    #[error("duplicate: found seq {found} again where this seq belongs")]
    Duplicate {
        /// The repeated seq.
        found: Seq,
    },
    /// No trusted key made this checkpoint's signature.
    #[error("checkpoint of tree size {tree_size} has an invalid signature")]
    SignatureInvalid {
        /// The tree size the checkpoint claims.
        tree_size: u64,
    },
    /// A well-signed checkpoint whose body does not decode.
    #[error("a signed checkpoint cannot be read: {0}")]
    CheckpointUnreadable(CheckpointDecodeError),
    /// A well-signed checkpoint of another site.
    #[error("checkpoint of tree size {tree_size} belongs to site {found}")]
    WrongSite {
        /// Its tree size.
        tree_size: u64,
        /// The site it names.
        found: SiteId,
    },
    /// A well-signed checkpoint names another chain head or Merkle root than the log has:
    /// an event after tree size `last_good` and up to `tree_size` was changed and the chain recomputed.
    #[error(
        "checkpoint of tree size {tree_size} does not match the log (last matching checkpoint: {last_good})"
    )]
    CheckpointMismatch {
        /// The checkpoint's tree size.
        tree_size: u64,
        /// The tree size of the last checkpoint that matched (or where verification started).
        last_good: u64,
    },
    /// A well-signed checkpoint covers more events than the log holds.
    #[error(
        "log truncated: a checkpoint covers {checkpoint_size} events, the log holds {log_size}"
    )]
    Truncated {
        /// The checkpoint's tree size.
        checkpoint_size: u64,
        /// The last seq in the log.
        log_size: u64,
    },
}

/// The first thing wrong with a log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("seq {seq}: {problem}")]
pub struct Failure {
    /// The first bad seq: the seq expected at the place where the log stops being a dense,
    /// intact chain; for two different intact records claiming the same seq, that seq; for a
    /// checkpoint problem, its tree size; for a truncated log, the first absent seq.
    pub seq: Seq,
    /// What is wrong there.
    pub problem: Problem,
}

/// A trusted point to verify from: a seq, its chain hash, and optionally its Merkle frontier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    seq: Seq,
    head: Hash,
    frontier: Option<Frontier>,
}

impl Anchor {
    /// The start of a site's log (seq 0, the genesis hash, the empty tree).
    pub fn genesis(site: &SiteId) -> Anchor {
        Anchor {
            seq: Seq(0),
            head: Chain::genesis_hash(site),
            frontier: Some(Frontier::new()),
        }
    }

    /// A trusted seq and its chain hash (e.g. from a verified checkpoint, or a previous run).
    /// Checkpoints after it have their heads compared, not their roots.
    pub fn trusted(seq: Seq, head: Hash) -> Anchor {
        Anchor {
            seq,
            head,
            frontier: None,
        }
    }

    /// A trusted Merkle frontier and the chain hash of its last leaf: roots are checked too.
    pub fn with_frontier(frontier: Frontier, head: Hash) -> Anchor {
        Anchor {
            seq: Seq(frontier.size()),
            head,
            frontier: Some(frontier),
        }
    }

    /// From a checkpoint already verified by [`PublicKey::verify`].
    pub fn from_checkpoint(checkpoint: &Checkpoint) -> Anchor {
        Anchor::trusted(Seq(checkpoint.tree_size), checkpoint.head)
    }

    /// The best trusted start for verifying from `seq` on: the largest checkpoint that is
    /// validly signed by one of `keys`, names `site`, and covers fewer than `seq` events.
    /// `None` when there is none; then start from [`Anchor::genesis`] (or a hash you trust).
    pub fn before(
        site: &SiteId,
        keys: &[PublicKey],
        checkpoints: &[SignedCheckpoint],
        seq: Seq,
    ) -> Option<Anchor> {
        checkpoints
            .iter()
            .filter_map(|c| PublicKey::verify_any(keys, c).ok())
            .map(|(cp, _)| cp)
            .filter(|cp| cp.site == *site && cp.tree_size < seq.0)
            .max_by_key(|cp| cp.tree_size)
            .map(|cp| Anchor::from_checkpoint(&cp))
    }

    /// The last trusted seq (0: nothing yet).
    pub fn seq(&self) -> Seq {
        self.seq
    }

    /// The chain hash at that seq.
    pub fn head(&self) -> Hash {
        self.head
    }

    /// The Merkle frontier at that seq, if known.
    pub fn frontier(&self) -> Option<&Frontier> {
        self.frontier.as_ref()
    }
}

/// What a successful verification covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Events verified in this run.
    pub events: u64,
    /// Signed checkpoints whose signature, head (and root, when the frontier was known) matched.
    pub checkpoints_checked: usize,
    /// Checkpoints before the starting anchor, not looked at.
    pub checkpoints_skipped: usize,
    /// The chain hash of the last event.
    pub head: Hash,
    /// The last seq.
    pub last_seq: Seq,
    /// The Merkle frontier after the last event, when verification started from a known one
    /// (then checkpoint roots were checked).
    pub frontier: Option<Frontier>,
}

impl Report {
    /// Where a later run can start from.
    pub fn anchor(&self) -> Anchor {
        Anchor {
            seq: self.last_seq,
            head: self.head,
            frontier: self.frontier.clone(),
        }
    }
}

/// A checkpoint waiting for the stream to reach its tree size.
#[derive(Debug)]
struct Pending {
    tree_size: u64,
    state: Result<Checkpoint, Problem>,
}

#[derive(Debug)]
enum Stage {
    /// Waiting for the record after the suspect.
    AwaitNext,
    /// Scanning later records for the expected seq; this many seen so far.
    Scanning(u64),
}

/// A record whose seq was not the expected one.
#[derive(Debug)]
struct Suspect {
    expected: Seq,
    found: Seq,
    stored: Hash,
    stage: Stage,
}

/// A push-driven verifier, for callers that stream records (e.g. from a database cursor).
///
/// Feed records in log order with [`Verifier::push`], then call [`Verifier::finish`]. After
/// the first failure every call returns that failure.
#[derive(Debug)]
pub struct Verifier {
    site: SiteId,
    last: Seq,
    head: Hash,
    /// The chain hash before `head`, once an event was accepted in this run.
    prev_head: Option<Hash>,
    frontier: Option<Frontier>,
    events: u64,
    pending: VecDeque<Pending>,
    checked: usize,
    skipped: usize,
    last_good: u64,
    suspect: Option<Suspect>,
    failed: Option<Failure>,
}

impl Verifier {
    /// Starts verifying `site`'s log after `from` (the genesis when `None`), checking these
    /// checkpoints with these keys. Fails at once if a checkpoint at the anchor disagrees.
    pub fn new(
        site: &SiteId,
        keys: &[PublicKey],
        checkpoints: &[SignedCheckpoint],
        from: Option<Anchor>,
    ) -> Result<Verifier, Failure> {
        let anchor = from.unwrap_or_else(|| Anchor::genesis(site));
        let mut pending: Vec<Pending> = checkpoints
            .iter()
            .map(|c| open_checkpoint(site, keys, c))
            .collect();
        pending.sort_by_key(|p| p.tree_size);
        let skipped = pending
            .iter()
            .filter(|p| p.tree_size < anchor.seq.0)
            .count();
        let mut v = Verifier {
            site: site.clone(),
            last: anchor.seq,
            head: anchor.head,
            prev_head: None,
            frontier: anchor.frontier,
            events: 0,
            pending: pending.into_iter().skip(skipped).collect(),
            checked: 0,
            skipped,
            last_good: anchor.seq.0,
            suspect: None,
            failed: None,
        };
        v.check_checkpoints()?;
        Ok(v)
    }

    /// The site being verified.
    pub fn site(&self) -> &SiteId {
        &self.site
    }

    /// The last seq accepted so far.
    pub fn last(&self) -> Seq {
        self.last
    }

    fn fail(&mut self, seq: Seq, problem: Problem) -> Result<(), Failure> {
        let f = Failure { seq, problem };
        self.failed = Some(f.clone());
        Err(f)
    }

    /// Checks the next record: its canonical bytes and its stored chain hash.
    pub fn push(&mut self, bytes: &[u8], stored: Hash) -> Result<(), Failure> {
        if let Some(f) = &self.failed {
            return Err(f.clone());
        }
        if self.suspect.is_some() {
            return self.classify(bytes, stored);
        }
        let expected = self.last.next();
        let seq = match validate(bytes) {
            Ok(seq) => seq,
            Err(e) => return self.fail(expected, Problem::Decode(e)),
        };
        if seq == self.last
            && self
                .prev_head
                .is_some_and(|p| Chain::link(&p, bytes) == stored)
        {
            // An intact record for the seq just accepted: two records claim it. A verbatim
            // copy is named where the copy sits; two different ones at the seq they share.
            let at = if stored == self.head { expected } else { seq };
            return self.fail(at, Problem::Duplicate { found: seq });
        }
        if seq != expected {
            self.suspect = Some(Suspect {
                expected,
                found: seq,
                stored,
                stage: Stage::AwaitNext,
            });
            return Ok(());
        }
        let hash = Chain::link(&self.head, bytes);
        if hash != stored {
            return self.fail(expected, Problem::PayloadChanged);
        }
        self.last = expected;
        self.prev_head = Some(self.head);
        self.head = hash;
        self.events += 1;
        if let Some(f) = &mut self.frontier {
            f.push(leaf_hash(bytes));
        }
        self.check_checkpoints()
    }

    /// Decides what a suspect record was, given the records after it.
    fn classify(&mut self, bytes: &[u8], stored: Hash) -> Result<(), Failure> {
        let s = self
            .suspect
            .as_mut()
            .expect("classify runs only with a suspect");
        let (e, found) = (s.expected, s.found);
        let next_seq = peek_seq(bytes);
        match s.stage {
            Stage::AwaitNext => {
                if next_seq == Some(e.next()) && Chain::link(&s.stored, bytes) == stored {
                    return self.fail(e, Problem::PayloadChanged);
                }
                if found < e {
                    return self.fail(e, Problem::Duplicate { found });
                }
                if next_seq == Some(e) {
                    return self.fail(e, Problem::OutOfOrder { found });
                }
                s.stage = Stage::Scanning(1);
            }
            Stage::Scanning(n) => {
                if next_seq == Some(e) {
                    return self.fail(e, Problem::OutOfOrder { found });
                }
                if n + 1 >= LOOKAHEAD {
                    return self.fail(e, Problem::Missing { expected: e });
                }
                s.stage = Stage::Scanning(n + 1);
            }
        }
        Ok(())
    }

    /// Checks the checkpoints whose tree size is the current seq.
    fn check_checkpoints(&mut self) -> Result<(), Failure> {
        while self
            .pending
            .front()
            .is_some_and(|p| p.tree_size <= self.last.0)
        {
            let p = self.pending.pop_front().expect("front exists");
            let at = Seq(p.tree_size);
            let cp = match p.state {
                Ok(cp) => cp,
                Err(problem) => return self.fail(at, problem),
            };
            let root_ok = self.frontier.as_ref().is_none_or(|f| f.root() == cp.root);
            if cp.head != self.head || !root_ok {
                let problem = Problem::CheckpointMismatch {
                    tree_size: cp.tree_size,
                    last_good: self.last_good,
                };
                return self.fail(at, problem);
            }
            self.checked += 1;
            self.last_good = cp.tree_size;
        }
        Ok(())
    }

    /// Ends the log: resolves a pending suspect and checks that no checkpoint reaches past the end.
    pub fn finish(mut self) -> Result<Report, Failure> {
        if let Some(f) = self.failed.take() {
            return Err(f);
        }
        if let Some(s) = self.suspect.take() {
            let problem = match s.stage {
                Stage::AwaitNext if s.found < s.expected => Problem::Duplicate { found: s.found },
                _ => Problem::Missing {
                    expected: s.expected,
                },
            };
            return Err(Failure {
                seq: s.expected,
                problem,
            });
        }
        if let Some(p) = self.pending.pop_front() {
            let problem = match p.state {
                Err(problem) => problem,
                Ok(_) => Problem::Truncated {
                    checkpoint_size: p.tree_size,
                    log_size: self.last.0,
                },
            };
            let seq = match problem {
                Problem::Truncated { .. } => self.last.next(),
                _ => Seq(p.tree_size),
            };
            return Err(Failure { seq, problem });
        }
        Ok(Report {
            events: self.events,
            checkpoints_checked: self.checked,
            checkpoints_skipped: self.skipped,
            head: self.head,
            last_seq: self.last,
            frontier: self.frontier,
        })
    }
}

/// Checks a checkpoint's signature and site up front; the comparison waits for the stream.
fn open_checkpoint(site: &SiteId, keys: &[PublicKey], signed: &SignedCheckpoint) -> Pending {
    match PublicKey::verify_any(keys, signed) {
        Ok((cp, _)) if cp.site != *site => Pending {
            tree_size: cp.tree_size,
            state: Err(Problem::WrongSite {
                tree_size: cp.tree_size,
                found: cp.site,
            }),
        },
        Ok((cp, _)) => Pending {
            tree_size: cp.tree_size,
            state: Ok(cp),
        },
        Err(CheckpointError::Signature) => {
            let tree_size = signed.unverified().map(|c| c.tree_size).unwrap_or(0);
            Pending {
                tree_size,
                state: Err(Problem::SignatureInvalid { tree_size }),
            }
        }
        Err(CheckpointError::Decode(e)) => Pending {
            tree_size: 0,
            state: Err(Problem::CheckpointUnreadable(e)),
        },
    }
}

/// Verifies a log given as `(canonical bytes, stored chain hash)` records in log order.
///
/// `from` is where to start: `None` for the genesis (the whole log, Merkle roots checked).
/// Returns what was covered, or the first bad seq and what is wrong there.
pub fn verify<B: AsRef<[u8]>>(
    site: &SiteId,
    keys: &[PublicKey],
    events: impl IntoIterator<Item = (B, Hash)>,
    checkpoints: &[SignedCheckpoint],
    from: Option<Anchor>,
) -> Result<Report, Failure> {
    let mut v = Verifier::new(site, keys, checkpoints, from)?;
    for (bytes, stored) in events {
        v.push(bytes.as_ref(), stored)?;
    }
    v.finish()
}
