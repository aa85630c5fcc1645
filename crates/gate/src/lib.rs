//! The dual-door interlock state machine and the gate entry policy. Pure: no IO, no clock, no randomness.
//!
//! - [`Interlock`]: N doors, at most one released at a time, by contact; relock, held-open and forced-open alarms,
//!   fire override, link loss. Inputs in ([`Input`]), relay commands, alarms and notices out ([`Output`]).
//! - [`Mantrap`]: the two-door gate — the interlock plus who is in the vestibule (anti-passback, tailgating signs).
//! - [`EntryAttempt`] / [`EntryPolicy`]: one candidate's identification at a door (1:1 and 1:N, three tries, examiner
//!   override); [`MatchThreshold`] at the matcher's FMR 1 in 10,000; [`SeatPlan`] for the Subject 1 seat.
//!
//! Time comes in as [`MonoMs`] (a monotonic clock). Every rule and the test that proves it are listed in `RULES.md`.
//!
//! ```
//! use gate::*;
//! let policy = EntryPolicy::new(MatchThreshold::new(MatchScore(40.0)));
//! let zhang: CandidateId = "zhang".parse().unwrap();
//! let roster = Roster::new([zhang.clone()]);
//! let mut gate = Mantrap::new(MantrapConfig::default()).unwrap();
//! let at = MonoMs;
//! for door in [DoorId::A, DoorId::B] {
//!     gate.handle(at(0), Input::Contact { door, closed: true }).unwrap();
//! }
//!
//! // Door A: the candidate claims an identity and scans (scores come from the matcher).
//! let mut a = roster.begin(&zhang).unwrap();
//! let scan = ScanResult { claimed: Some(MatchScore(71.0)), roster_hits: vec![(zhang.clone(), MatchScore(71.0))] };
//! assert!(matches!(a.scan(&policy, scan).unwrap(), Decision::Admit(_)));
//! let out = gate.request_entry(at(100), &zhang).unwrap();
//! assert_eq!(out, vec![Output::Command(Command::Release { door: DoorId::A, pulse_ms: 5_000 })]);
//! gate.handle(at(900), Input::Contact { door: DoorId::A, closed: false }).unwrap();
//! gate.handle(at(2_000), Input::Contact { door: DoorId::A, closed: true }).unwrap();
//!
//! // Door B: the same person must scan again.
//! let mut b = EntryAttempt::new(gate.inside().unwrap().clone());
//! let scan = ScanResult { claimed: Some(MatchScore(64.0)), roster_hits: vec![] };
//! assert!(matches!(b.scan(&policy, scan).unwrap(), Decision::Admit(_)));
//! gate.request_exit(at(3_000), &zhang).unwrap();
//! gate.handle(at(3_500), Input::Contact { door: DoorId::B, closed: false }).unwrap();
//! let out = gate.handle(at(4_000), Input::Contact { door: DoorId::B, closed: true }).unwrap();
//! assert!(out.contains(&Output::Notice(Notice::Admitted { candidate: zhang.clone() })));
//!
//! let mut seats = SeatPlan::new(vec!["h1-001".parse().unwrap()], vec![]).unwrap();
//! assert_eq!(seats.assign(&zhang).unwrap().as_str(), "h1-001");
//! ```
#![warn(missing_docs)]

mod config;
mod error;
mod ids;
mod interlock;
mod io;
mod mantrap;
mod policy;
#[cfg(test)]
mod testing;

pub use config::{Config, DoorConfig, LockFeedback};
pub use error::{
    ConfigError, GateError, IdError, InvalidTransition, NotOnRoster, SeatError, ThresholdError,
};
pub use ids::{CandidateId, DoorId, ExaminerId, GrantId, MonoMs, SeatId};
pub use interlock::{DoorState, Interlock};
pub use io::{
    Alarm, Command, DenyReason, Grant, Input, Notice, Occupant, Output, ResetRefusal, Side,
    TailgatingSign,
};
pub use mantrap::{Mantrap, MantrapConfig};
pub use policy::{
    Admission, AttemptEvent, AttemptState, Decision, EntryAttempt, EntryPolicy, ExaminerOverride,
    MatchScore, MatchThreshold, Roster, ScanResult, SeatPlan,
};
