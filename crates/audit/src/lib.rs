//! The signed, append-only event log: the spine of examd.
//!
//! Every fact enters examd once, as an [`Event`]. Each event is encoded canonically ([`encode`]),
//! chained to the one before it (`hash = SHA-256(prev_hash ‖ canonical bytes)`), and sealed
//! from time to time by a signed checkpoint over the Merkle root of the log so far.
//!
//! This crate is pure: no clock, no files, no database. Callers hand it events, bytes and times.
//!
//! The pieces:
//! - [`encode`] / [`decode`]: the canonical event bytes (the audit record format, versioned);
//! - [`Chain`]: the hash chain, starting from a genesis hash bound to the site id;
//! - [`merkle`]: RFC 6962 leaf/node hashing, the incremental [`Frontier`], inclusion and
//!   consistency proofs;
//! - [`Checkpoint`], [`Signer`], [`PublicKey`]: Ed25519-signed checkpoints over root and head,
//!   made when a [`CheckpointPolicy`] says so;
//! - [`Writer`]: chain + frontier + schedule, the state a log writer keeps;
//! - [`verify`] / [`Verifier`]: the first bad seq and what is wrong there ([`Problem`]);
//! - [`ExportWriter`] / [`ExportReader`] / [`verify_export`]: a self-contained export file.
//!
//! ```
//! use audit::{CheckpointPolicy, Event, Problem, Signer, Writer, verify};
//! use model::{EventKind, Seq, SiteId, UnixMs};
//!
//! let site: SiteId = "demo".parse().unwrap();
//! let (signer, _pkcs8) = Signer::generate().unwrap();
//! let policy = CheckpointPolicy { every_events: 2, every_ms: 60_000 };
//! let mut log = Writer::new(&site, policy, UnixMs(0));
//! let (mut records, mut checkpoints) = (Vec::new(), Vec::new());
//! for seq in 1..=4 {
//!     let sealed = log.append(Event {
//!         seq: Seq(seq), time: UnixMs(0), kind: EventKind::SystemStarted,
//!         subjects: vec![], payload: b"{}".to_vec(),
//!     }).unwrap();
//!     records.push((sealed.bytes, sealed.hash));
//!     if log.checkpoint_due(UnixMs(0)) {
//!         checkpoints.push(signer.sign(&log.checkpoint(UnixMs(0))));
//!     }
//! }
//! let keys = [signer.public_key()];
//! let report = verify(&site, &keys, records.iter().map(|(b, h)| (b, *h)), &checkpoints, None).unwrap();
//! assert_eq!((report.events, report.checkpoints_checked), (4, 2));
//!
//! // Delete event 2: verification names it.
//! records.remove(1);
//! let failure = verify(&site, &keys, records.iter().map(|(b, h)| (b, *h)), &checkpoints, None).unwrap_err();
//! assert_eq!((failure.seq, failure.problem), (Seq(2), Problem::Missing { expected: Seq(2) }));
//! ```
#![warn(missing_docs)]

mod chain;
mod checkpoint;
mod encoding;
mod export;
mod hash;
pub mod merkle;
mod verify;
mod writer;

pub use chain::{Chain, ChainError, Sealed};
pub use checkpoint::{
    CHECKPOINT_MAGIC, CHECKPOINT_VERSION, Checkpoint, CheckpointDecodeError, CheckpointError,
    CheckpointPolicy, KeyError, KeyId, MAX_CHECKPOINT_BODY, PublicKey, SignedCheckpoint, Signer,
};
pub use encoding::{
    DecodeError, EncodeError, Event, FORMAT_VERSION, MAX_PAYLOAD, decode, encode, peek_seq,
    validate,
};
pub use export::{
    EXPORT_MAGIC, EXPORT_VERSION, ExportError, ExportErrorKind, ExportReader, ExportVerifyError,
    ExportWriter, MAX_EXPORT_CHECKPOINTS, MAX_RECORD_LEN, verify_export,
};
pub use hash::{Hash, sha256};
pub use merkle::{
    Frontier, FrontierDecodeError, ProofError, consistency_proof, inclusion_proof, leaf_hash,
    verify_consistency, verify_inclusion,
};
pub use verify::{Anchor, Failure, LOOKAHEAD, Problem, Report, Verifier, verify};
pub use writer::Writer;
