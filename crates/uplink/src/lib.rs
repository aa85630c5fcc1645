//! Log shipping from an exam site to the central platform.
//!
//! - [`protocol`]: wire protocol v1, pure: [`Batch`], [`Ack`], [`Refusal`], the signed digest;
//! - [`central`]: the receiver: verifies a batch against the site's registered keys and the
//!   chain central already holds, stores it idempotently, acknowledges the highest contiguous
//!   seq; and its axum router;
//! - [`site`]: the site's [`site::Shipper`] task: reads the site log from the last
//!   acknowledgement, signs and posts batches, backs off with jitter, never blocks appends.
#![warn(missing_docs)]

pub mod central;
pub mod protocol;
pub mod site;

pub use protocol::{Ack, Batch, Record, Refusal, WireCheckpoint};
