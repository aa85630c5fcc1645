//! Errors. Each is a misuse of the API or bad configuration; a refused door or scan is a normal output, not an error.

use crate::ids::{DoorId, MonoMs};

/// A text id was not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The id is empty or longer than the limit.
    #[error("{what} must be 1 to {max} characters long, got {len}")]
    Length {
        /// Which kind of id.
        what: &'static str,
        /// The limit.
        max: usize,
        /// The length given.
        len: usize,
    },
    /// The id holds a character outside `[A-Za-z0-9._-]`.
    #[error("{what} may hold only A-Z, a-z, 0-9, '.', '_' and '-', found {found:?}")]
    Character {
        /// Which kind of id.
        what: &'static str,
        /// The first character that is not allowed.
        found: char,
    },
}

/// The configuration cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// An interlock needs at least two doors (and at most 256).
    #[error("an interlock needs 2 to 256 doors, got {0}")]
    DoorCount(usize),
    /// The release pulse must be at least 1 ms long.
    #[error("the release pulse must be longer than 0 ms")]
    ZeroPulse,
    /// The held-open threshold must be at least 1 ms long.
    #[error("the held-open threshold must be longer than 0 ms")]
    ZeroHeldOpen,
    /// The mantrap's entry and exit door are the same door or not in the interlock.
    #[error("entry door {entry} and exit door {exit} must be two different doors of the interlock")]
    MantrapDoors {
        /// The configured entry door.
        entry: DoorId,
        /// The configured exit door.
        exit: DoorId,
    },
}

/// The interlock was called wrongly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GateError {
    /// The door is not part of this interlock.
    #[error("door {0} is not part of this interlock")]
    UnknownDoor(DoorId),
    /// Time went backwards: the monotonic clock argument is older than the last one seen.
    #[error("time went backwards: {now} after {last}")]
    TimeWentBackwards {
        /// The latest time seen so far.
        last: MonoMs,
        /// The time given now.
        now: MonoMs,
    },
}

/// An entry attempt was given an event its state does not accept (e.g. a scan after the decision).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an entry attempt in state {state} does not accept {event}")]
pub struct InvalidTransition {
    /// The state's name.
    pub state: &'static str,
    /// The event's name.
    pub event: &'static str,
}

/// A decision threshold cannot be derived from the scores given.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ThresholdError {
    /// The target false-match rate is not in (0, 1).
    #[error("target false-match rate must be in (0, 1), got {0}")]
    Rate(f64),
    /// Too few impostor comparisons to measure the rate: at least `1 / rate` are needed.
    #[error(
        "{got} impostor scores cannot measure a false-match rate of {rate}: need at least {need}"
    )]
    TooFewImpostors {
        /// The target rate.
        rate: f64,
        /// How many were given.
        got: usize,
        /// How many are needed.
        need: usize,
    },
    /// A score is NaN.
    #[error("an impostor score is NaN")]
    NaN,
}

/// A seat cannot be assigned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeatError {
    /// Every seat is taken or reserved for someone else.
    #[error("no free seat left")]
    NoFreeSeat,
    /// The roster reserves a seat that is not in the plan.
    #[error("the seat reserved for a candidate is not in the seat plan")]
    ReservedSeatUnknown,
    /// A seat appears twice in the plan.
    #[error("a seat appears twice in the seat plan")]
    DuplicateSeat,
    /// The roster reserves one seat for two candidates.
    #[error("a seat is reserved for two candidates")]
    SeatReservedTwice,
}

/// The candidate is not on the day's roster.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("candidate {0} is not on the day's roster")]
pub struct NotOnRoster(pub crate::ids::CandidateId);
