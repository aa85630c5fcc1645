//! The dual-door interlock state machine and the gate entry policy. Pure: no IO, no clock, no randomness.
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
