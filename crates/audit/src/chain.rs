//! The hash chain: `hash(n) = SHA-256(hash(n-1) ‖ canonical bytes of event n)`.
//!
//! The chain starts from a genesis hash bound to the site id, so a log cannot be passed off
//! as another site's.

use model::{Seq, SiteId};

use crate::encoding::{EncodeError, Event, encode};
use crate::hash::{Hash, sha256};

/// An event with its canonical bytes and its chain hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// The event.
    pub event: Event,
    /// `encode(&event)`, kept so nobody re-encodes.
    pub bytes: Vec<u8>,
    /// The chain hash after this event.
    pub hash: Hash,
}

/// An event could not be appended.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// The event's seq is not the next one.
    #[error("expected seq {expected}, got {got}")]
    Gap {
        /// The seq the chain expects.
        expected: Seq,
        /// The seq given.
        got: Seq,
    },
    /// The event cannot be encoded.
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

/// The running state of a site's hash chain: the last seq and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    last: Seq,
    head: Hash,
}

impl Chain {
    /// The genesis hash of a site: `SHA-256("examd-log-v1\0" ‖ site id)`.
    pub fn genesis_hash(site: &SiteId) -> Hash {
        sha256(&[b"examd-log-v1\0", site.as_str().as_bytes()])
    }

    /// An empty chain for a site.
    pub fn genesis(site: &SiteId) -> Chain {
        Chain {
            last: Seq(0),
            head: Chain::genesis_hash(site),
        }
    }

    /// Resumes a chain whose last event is `last` with hash `head`.
    pub fn resume(last: Seq, head: Hash) -> Chain {
        Chain { last, head }
    }

    /// The hash of the last event (the genesis hash when empty).
    pub fn head(&self) -> Hash {
        self.head
    }

    /// The seq of the last event (0 when empty).
    pub fn last(&self) -> Seq {
        self.last
    }

    /// The chain hash that follows `prev` for these canonical bytes.
    pub fn link(prev: &Hash, bytes: &[u8]) -> Hash {
        sha256(&[&prev.0, bytes])
    }

    /// Appends an event whose seq must be the next one.
    pub fn append(&mut self, event: Event) -> Result<Sealed, ChainError> {
        let expected = self.last.next();
        if event.seq != expected {
            return Err(ChainError::Gap {
                expected,
                got: event.seq,
            });
        }
        let bytes = encode(&event)?;
        let hash = Chain::link(&self.head, &bytes);
        self.last = event.seq;
        self.head = hash;
        Ok(Sealed { event, bytes, hash })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::{EventKind, UnixMs};

    fn ev(seq: u64) -> Event {
        Event {
            seq: Seq(seq),
            time: UnixMs(seq as i64),
            kind: EventKind::DeviceReport,
            subjects: vec![],
            payload: vec![],
        }
    }

    #[test]
    fn appends_must_be_dense() {
        let site: SiteId = "s".parse().unwrap();
        let mut c = Chain::genesis(&site);
        c.append(ev(1)).unwrap();
        assert_eq!(
            c.append(ev(3)),
            Err(ChainError::Gap {
                expected: Seq(2),
                got: Seq(3)
            })
        );
        let s2 = c.append(ev(2)).unwrap();
        assert_eq!(c.head(), s2.hash);
    }

    #[test]
    fn genesis_depends_on_site() {
        let a: SiteId = "a".parse().unwrap();
        let b: SiteId = "b".parse().unwrap();
        assert_ne!(Chain::genesis_hash(&a), Chain::genesis_hash(&b));
    }
}
