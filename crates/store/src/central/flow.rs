//! The platform's view kept at central: exam-flow rows projected from site events, and
//! central's own accounts. The store keeps them; what maps to what is decided by the receiver.

use model::{Seq, SiteId, UnixMs};

/// One step of a candidate's exam flow, projected from one site event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowRow {
    /// The event's seq in its site's log.
    pub seq: Seq,
    /// When it happened, by the site's clock.
    pub time: UnixMs,
    /// The flow step, e.g. `item_start` (named by the receiver's mapping).
    pub step: String,
    /// The platform interface code of the step, e.g. `17C52`, where it has one.
    pub code: Option<String>,
    /// The candidate the event names, if any.
    pub candidate: Option<String>,
    /// The session (sitting, drive) the event names, if any.
    pub session: Option<String>,
    /// The event kind's dotted name.
    pub kind: String,
    /// The event's payload as JSON text.
    pub detail: String,
}

/// A stored [`FlowRow`] with its place in central's feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowEntry {
    /// Position in the feed, increasing in commit order of each site (for live feeds: ask for
    /// entries after the last id seen).
    pub id: i64,
    /// The site the event came from.
    pub site: SiteId,
    /// The step.
    pub row: FlowRow,
}

/// An account of central's own (platform staff), found by its token's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentralAccount {
    /// Login name.
    pub name: String,
    /// Role name, as the caller stored it (e.g. `platform-admin`).
    pub role: String,
    /// When it was created.
    pub created: UnixMs,
}

/// The rows returned by one flow query at most.
pub const FLOW_LIMIT: u32 = 10_000;
