//! The entry policy: who may pass a door, and where they sit once admitted.

mod attempt;
#[cfg(test)]
mod props;
mod score;
mod seat;
#[cfg(test)]
mod tests;

pub use attempt::{
    Admission, AttemptEvent, AttemptState, Decision, EntryAttempt, EntryPolicy, ExaminerOverride,
    Roster, ScanResult,
};
pub use score::{MatchScore, MatchThreshold};
pub use seat::SeatPlan;
