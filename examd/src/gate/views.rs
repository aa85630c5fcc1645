//! What the gate service tells terminals and the console: scan outcomes, alarms, recent scans, status.

use gate::Alarm;
use serde::Serialize;
use serde_json::Value;

/// What the terminal is told about a scan.
#[derive(Debug, Clone, Serialize)]
pub struct ScanOutcome {
    /// `admit`, `retry`, `stand_in_alarm`, `needs_override`, `awaiting_examiner`, `not_on_roster`,
    /// `nobody_inside`, `no_claim`, `override_rejected`, `refused`, `watchlist_hit`, and for a claim on none of
    /// the rosters open now `not_today`, `sitting_not_open`, `sitting_over`, `driving_only` (see `denied`).
    pub decision: String,
    /// Whom the decision is about.
    pub candidate: Option<String>,
    /// Tries left after a `retry`.
    pub tries_left: Option<u8>,
    /// Whether the door was released for the candidate.
    pub released: bool,
    /// Why the release was refused, if it was.
    pub denied: Option<Value>,
    /// Microseconds from the scan's arrival to the release command written and acknowledged by the module.
    pub release_us: Option<u64>,
    /// The decision event's seq (durable when this is returned).
    pub seq: Option<u64>,
}

/// One alarm as staff see it.
#[derive(Debug, Clone, Serialize)]
pub struct AlarmView {
    /// Its id on the console (per daemon run).
    pub id: u64,
    /// `stand_in`, `tailgating`, `forced_open`, `held_open`, `passback`, `fire_override`, `comms_lost`, `tamper`,
    /// `watchlist`.
    pub kind: String,
    /// The door, if any.
    pub door: Option<String>,
    /// Details.
    pub detail: Value,
    /// When raised (wall clock).
    pub raised_ms: i64,
    /// Whether the condition still holds (signs are never "active").
    pub active: bool,
    /// The examiner who acknowledged it.
    pub acked_by: Option<String>,
    #[serde(skip)]
    pub(super) alarm: Option<Alarm>,
}

/// One recent scan.
#[derive(Debug, Clone, Serialize)]
pub struct ScanView {
    /// Wall clock.
    pub time_ms: i64,
    /// Door.
    pub door: String,
    /// Claimed candidate.
    pub claim: Option<String>,
    /// The decision.
    pub decision: String,
    /// 1:1 score against the claim.
    pub score: Option<f32>,
}

/// The gate as the console shows it.
#[derive(Debug, Clone, Serialize)]
pub struct StatusView {
    /// The door module.
    pub module: String,
    /// The sitting whose roster is loaded.
    pub sitting: Option<String>,
    /// Candidates on the roster.
    pub roster_size: usize,
    /// Whether the door module answers.
    pub comms_up: bool,
    /// Whether the fire override holds.
    pub fire_override: bool,
    /// Each door: `{door, state, released}`.
    pub doors: Vec<Value>,
    /// Who is in the vestibule.
    pub vestibule: Vec<Value>,
    /// Entry attempts in progress: `{door, candidate, state}`.
    pub attempts: Vec<Value>,
    /// Alarms not yet both cleared and acknowledged, newest first.
    pub alarms: Vec<AlarmView>,
    /// The last scans, newest first.
    pub scans: Vec<ScanView>,
    /// Seats given so far: `{candidate, seat}`.
    pub seats: Vec<Value>,
}
