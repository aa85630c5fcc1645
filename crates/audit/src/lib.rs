//! The signed, append-only event log: the spine of examd.
//!
//! Every fact enters examd once, as an [`Event`]. Each event is encoded canonically ([`encode`]),
//! chained to the one before it (`hash = SHA-256(prev_hash ‖ canonical bytes)`), and sealed
//! from time to time by a signed checkpoint over the Merkle root of the log so far.
//!
//! This crate is pure: no clock, no files, no database. Callers hand it events and bytes.
//!
//! ```
//! use audit::{Chain, Event};
//! use model::{EventKind, Seq, SiteId, UnixMs};
//! let site: SiteId = "demo".parse().unwrap();
//! let mut chain = Chain::genesis(&site);
//! let sealed = chain.append(Event {
//!     seq: Seq(1), time: UnixMs(0), kind: EventKind::SystemStarted,
//!     subjects: vec![], payload: b"{}".to_vec(),
//! }).unwrap();
//! assert_eq!(sealed.event.seq, Seq(1));
//! assert_eq!(chain.head(), sealed.hash);
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
