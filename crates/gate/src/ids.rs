//! Id newtypes and the monotonic clock value the state machines take as an argument.
//!
//! `CandidateId`, `ExaminerId` and `SeatId` live here until `model` grows them; they are plain validated text.

use std::fmt;
use std::str::FromStr;

use crate::error::IdError;

/// A door of an interlock group: its index in [`crate::Config::doors`].
///
/// For the exam-site gate, door A (the entry, `DoorId(0)`) leads from the waiting area into the vestibule and
/// door B (the exit, `DoorId(1)`) from the vestibule into the exam hall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DoorId(pub u8);

impl DoorId {
    /// Door A of a two-door gate: outside → vestibule.
    pub const A: DoorId = DoorId(0);
    /// Door B of a two-door gate: vestibule → exam hall.
    pub const B: DoorId = DoorId(1);

    /// The index into the door list.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

impl fmt::Display for DoorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            0..=25 => write!(f, "{}", char::from(b'A' + self.0)),
            n => write!(f, "door-{n}"),
        }
    }
}

/// One authorisation to release one door once: issued by the caller (or by [`crate::Mantrap`]) and echoed in
/// every output about that release, so a passage can be tied to the scan that caused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GrantId(pub u64);

impl fmt::Display for GrantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "grant-{}", self.0)
    }
}

/// Milliseconds on a monotonic clock with an arbitrary origin (e.g. `tokio::time::Instant` since start).
///
/// Timeouts are measured on this clock, never on wall-clock time, which may step. The daemon converts to
/// `model::UnixMs` when it logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct MonoMs(pub u64);

impl MonoMs {
    /// This instant plus `ms` milliseconds (saturating).
    #[must_use]
    pub fn plus(self, ms: u32) -> MonoMs {
        MonoMs(self.0.saturating_add(u64::from(ms)))
    }

    /// Milliseconds from `earlier` to `self` (0 if `earlier` is later).
    pub fn since(self, earlier: MonoMs) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl fmt::Display for MonoMs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ms", self.0)
    }
}

/// The longest text id accepted.
const MAX_ID_LEN: usize = 64;

fn check_text(what: &'static str, s: &str) -> Result<(), IdError> {
    if s.is_empty() || s.len() > MAX_ID_LEN {
        return Err(IdError::Length {
            what,
            max: MAX_ID_LEN,
            len: s.len(),
        });
    }
    if let Some(found) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(IdError::Character { what, found });
    }
    Ok(())
}

macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                check_text($what, s)?;
                Ok(Self(s.to_owned()))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_id!(
    /// A candidate of the day's roster: the roster entry id or the ID-card number (`[A-Za-z0-9._-]`, 1–64 chars).
    ///
    /// Defined here until `model` has one.
    CandidateId,
    "candidate id"
);
text_id!(
    /// An examiner, as enrolled with their own fingerprint. Defined here until `model` has one.
    ExaminerId,
    "examiner id"
);
text_id!(
    /// A seat of the Subject 1 (theory) hall, e.g. `H1-023`. Defined here until `model` has one.
    SeatId,
    "seat id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_ids_accept_id_card_numbers_and_reject_blanks() {
        assert!("37090219900101123X".parse::<CandidateId>().is_ok());
        assert!(matches!("".parse::<SeatId>(), Err(IdError::Length { .. })));
        assert!(matches!(
            "a b".parse::<ExaminerId>(),
            Err(IdError::Character { found: ' ', .. })
        ));
        assert!("x".repeat(65).parse::<CandidateId>().is_err());
    }

    #[test]
    fn door_names_follow_the_letters() {
        assert_eq!(DoorId::A.to_string(), "A");
        assert_eq!(DoorId::B.to_string(), "B");
        assert_eq!(DoorId(30).to_string(), "door-30");
    }

    #[test]
    fn mono_ms_arithmetic_saturates() {
        assert_eq!(MonoMs(u64::MAX).plus(5), MonoMs(u64::MAX));
        assert_eq!(MonoMs(3).since(MonoMs(10)), 0);
        assert_eq!(MonoMs(10).since(MonoMs(3)), 7);
    }
}
