//! Log shipping from an exam site to the central platform.
//!
//! - [`protocol`]: wire protocol v1, pure: [`Batch`], [`Ack`], [`Refusal`], the signed digest;
//! - [`central`]: the receiver: verifies a batch against the site's registered keys and the
//!   chain central already holds, stores it idempotently, acknowledges the highest contiguous
//!   seq; and its axum router;
//! - [`site`]: the site's [`site::Shipper`] task: reads the site log from the last
//!   acknowledgement, signs and posts batches, backs off with jitter, never blocks appends;
//! - [`flow`]: the platform's view, pure: which site events are which exam-flow step
//!   (17C51–17C56, theory result, gate admission), one table line per kind; the receiver
//!   stores the rows in the same transaction as the events;
//! - [`proof`]: inclusion proofs central serves against a site's signed checkpoint, and their
//!   check with only the site's public key;
//! - [`export`]: central's copy of a site's log as an audit export file;
//! - [`photo`]: the photos (17C51/17C54/17C56 照片) shipped beside the events that name them by
//!   SHA-256, and central's check of each against its event.
#![warn(missing_docs)]

pub mod central;
pub mod export;
pub mod flow;
pub mod photo;
pub mod proof;
pub mod protocol;
pub mod site;

pub use protocol::{Ack, Batch, Record, Refusal, WireCheckpoint};
