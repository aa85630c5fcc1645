//! The registry's ids: sittings and the people it knows.

use std::fmt;
use std::str::FromStr;

pub use gate::{CandidateId, ExaminerId, SeatId};
use store::identity::PersonKind;

/// A sitting (one session of one exam, e.g. `2026-11-29-am`): `[A-Za-z0-9._-]`, 1–64 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SittingId(String);

impl SittingId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for SittingId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.is_empty() || s.len() > 64 {
            return Err(format!(
                "a sitting id has 1 to 64 characters, got {}",
                s.len()
            ));
        }
        if let Some(c) = s
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        {
            return Err(format!("a sitting id may not contain {c:?}"));
        }
        Ok(SittingId(s.to_owned()))
    }
}

impl fmt::Display for SittingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person the registry knows: a candidate (by ID-card number or roster id) or an examiner (by account name).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PersonRef {
    /// A candidate.
    Candidate(CandidateId),
    /// An examiner.
    Examiner(ExaminerId),
}

impl PersonRef {
    /// The store's person kind.
    pub fn kind(&self) -> PersonKind {
        match self {
            PersonRef::Candidate(_) => PersonKind::Candidate,
            PersonRef::Examiner(_) => PersonKind::Examiner,
        }
    }

    /// The id as text.
    pub fn id(&self) -> &str {
        match self {
            PersonRef::Candidate(c) => c.as_str(),
            PersonRef::Examiner(e) => e.as_str(),
        }
    }

    /// `candidate:<id>` or `examiner:<name>`: the owner bound into a sealed template.
    pub fn owner_key(&self) -> String {
        format!("{}:{}", self.kind().as_str(), self.id())
    }

    /// The subject an event about this person names.
    pub fn subject(&self) -> model::SubjectRef {
        match self {
            PersonRef::Candidate(c) => {
                model::SubjectRef::new(model::SubjectKind::Candidate, c.as_str())
            }
            PersonRef::Examiner(e) => model::SubjectRef::new(model::SubjectKind::User, e.as_str()),
        }
    }
}

impl fmt::Display for PersonRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.owner_key())
    }
}

impl FromStr for PersonRef {
    type Err = String;
    /// `candidate:<id>` or `examiner:<name>`.
    fn from_str(s: &str) -> Result<Self, String> {
        match s.split_once(':') {
            Some(("candidate", id)) => id
                .parse()
                .map(PersonRef::Candidate)
                .map_err(|e| e.to_string()),
            Some(("examiner", id)) => id
                .parse()
                .map(PersonRef::Examiner)
                .map_err(|e| e.to_string()),
            _ => Err(format!(
                "a person is candidate:<id> or examiner:<name>, got {s:?}"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_and_print() {
        let p: PersonRef = "candidate:37090219900101123X".parse().unwrap();
        assert_eq!(p.to_string(), "candidate:37090219900101123X");
        assert!("examiner:wang".parse::<PersonRef>().is_ok());
        assert!("driver:x".parse::<PersonRef>().is_err());
        assert!("candidate:a b".parse::<PersonRef>().is_err());
        assert!("2026-11-29-am".parse::<SittingId>().is_ok());
        assert!("".parse::<SittingId>().is_err());
        assert!("am/pm".parse::<SittingId>().unwrap_err().contains("'/'"));
    }
}
