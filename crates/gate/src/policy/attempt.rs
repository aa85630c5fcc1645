//! One candidate's identification at a door: scans, tries, stand-in detection, examiner override.
//!
//! At door A the candidate identifies (ID-card number or roster entry) and scans; the scan is compared 1:1 with
//! the claimed candidate's enrolled templates **and** 1:N with the day's roster. At door B the claim is the
//! candidate the vestibule recorded at door A ([`crate::Mantrap::inside`]), so a pass means the same person.
//!
//! Decision for one scan, with the threshold `T` (FMR 1 in 10,000):
//! 1. some *other* roster candidate scores ≥ `T` and higher than the claimed one → stand-in alarm (no more scans);
//! 2. else the claimed candidate scores ≥ `T` → admit;
//! 3. else the try is used up: retry while tries are left (3 by default), then an examiner must decide.
//!
//! An examiner override needs the examiner's own finger to match their own enrolment at `T`; it is logged.

use std::collections::BTreeSet;

use super::score::{MatchScore, MatchThreshold};
use crate::error::{InvalidTransition, NotOnRoster};
use crate::ids::{CandidateId, ExaminerId};

/// The entry policy's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EntryPolicy {
    /// The decision threshold (the matcher's FMR 1 in 10,000 threshold).
    pub threshold: MatchThreshold,
    /// Scans allowed before an examiner must decide (3).
    pub max_tries: u8,
}

impl EntryPolicy {
    /// Three tries at `threshold`.
    pub fn new(threshold: MatchThreshold) -> EntryPolicy {
        EntryPolicy {
            threshold,
            max_tries: 3,
        }
    }
}

/// The day's roster: who may be identified at the gate.
#[derive(Debug, Clone, Default)]
pub struct Roster(BTreeSet<CandidateId>);

impl Roster {
    /// A roster of these candidates.
    pub fn new(candidates: impl IntoIterator<Item = CandidateId>) -> Roster {
        Roster(candidates.into_iter().collect())
    }

    /// Whether the candidate is on the roster.
    pub fn contains(&self, candidate: &CandidateId) -> bool {
        self.0.contains(candidate)
    }

    /// Start identifying a candidate who claims to be `claim`; refused if the claim is not on the roster.
    pub fn begin(&self, claim: &CandidateId) -> Result<EntryAttempt, NotOnRoster> {
        if self.contains(claim) {
            Ok(EntryAttempt::new(claim.clone()))
        } else {
            Err(NotOnRoster(claim.clone()))
        }
    }
}

/// One scan's match results, computed by the caller with the matcher.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScanResult {
    /// The best 1:1 score against the claimed candidate's enrolled templates; `None` when the scan gave no usable
    /// template or the candidate has none (the try is used up either way).
    pub claimed: Option<MatchScore>,
    /// The best 1:N hits against the day's roster, as (candidate, score), in any order. May include the claimed
    /// candidate, who is ignored here.
    pub roster_hits: Vec<(CandidateId, MatchScore)>,
}

/// An examiner's decision, confirmed with the examiner's own finger.
#[derive(Debug, Clone, PartialEq)]
pub struct ExaminerOverride {
    /// Who decides.
    pub examiner: ExaminerId,
    /// The examiner's live scan against the examiner's own enrolled templates.
    pub examiner_score: MatchScore,
    /// `true` to admit, `false` to refuse.
    pub admit: bool,
}

/// How a candidate was admitted, for the log.
#[derive(Debug, Clone, PartialEq)]
pub enum Admission {
    /// By their own scan.
    Scan {
        /// The 1:1 score.
        score: MatchScore,
    },
    /// By an examiner's override.
    Override {
        /// Who.
        examiner: ExaminerId,
        /// The examiner's own match score.
        examiner_score: MatchScore,
    },
}

/// Where an attempt stands.
#[derive(Debug, Clone, PartialEq)]
pub enum AttemptState {
    /// Waiting for a scan; `tries_used` scans failed so far.
    Scanning {
        /// Failed scans so far.
        tries_used: u8,
    },
    /// The scan matched another roster candidate better than the claimed one: alarm; an examiner must decide.
    StandIn {
        /// The candidate the finger belongs to.
        matched: CandidateId,
        /// That candidate's score.
        score: MatchScore,
    },
    /// Out of tries: an examiner must decide.
    AwaitingOverride,
    /// Admitted (final).
    Admitted(Admission),
    /// Refused by an examiner (final).
    Refused {
        /// Who refused.
        examiner: ExaminerId,
    },
}

/// What happens to an attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum AttemptEvent {
    /// The candidate scanned.
    Scanned(ScanResult),
    /// An examiner decided.
    Override(ExaminerOverride),
}

impl AttemptState {
    fn name(&self) -> &'static str {
        match self {
            AttemptState::Scanning { .. } => "scanning",
            AttemptState::StandIn { .. } => "stand-in",
            AttemptState::AwaitingOverride => "awaiting-override",
            AttemptState::Admitted(_) => "admitted",
            AttemptState::Refused { .. } => "refused",
        }
    }

    /// The next state. An event the state does not accept is an [`InvalidTransition`]; an examiner whose own
    /// finger does not match leaves the state as it is.
    pub fn transition(
        self,
        policy: &EntryPolicy,
        claim: &CandidateId,
        event: &AttemptEvent,
    ) -> Result<AttemptState, InvalidTransition> {
        let t = policy.threshold;
        match (self, event) {
            (AttemptState::Scanning { tries_used }, AttemptEvent::Scanned(scan)) => {
                let claimed = scan.claimed.filter(|s| t.accepts(*s));
                let other = scan
                    .roster_hits
                    .iter()
                    .filter(|(c, s)| c != claim && t.accepts(*s))
                    .max_by(|a, b| a.1.0.total_cmp(&b.1.0));
                Ok(match (claimed, other) {
                    (None, Some((c, s))) => AttemptState::StandIn {
                        matched: c.clone(),
                        score: *s,
                    },
                    (Some(own), Some((c, s))) if s.0 > own.0 => AttemptState::StandIn {
                        matched: c.clone(),
                        score: *s,
                    },
                    (Some(score), _) => AttemptState::Admitted(Admission::Scan { score }),
                    (None, None) if tries_used.saturating_add(1) >= policy.max_tries => {
                        AttemptState::AwaitingOverride
                    }
                    (None, None) => AttemptState::Scanning {
                        tries_used: tries_used + 1,
                    },
                })
            }
            (
                state @ (AttemptState::StandIn { .. } | AttemptState::AwaitingOverride),
                AttemptEvent::Override(o),
            ) => Ok(match (t.accepts(o.examiner_score), o.admit) {
                (false, _) => state,
                (true, true) => AttemptState::Admitted(Admission::Override {
                    examiner: o.examiner.clone(),
                    examiner_score: o.examiner_score,
                }),
                (true, false) => AttemptState::Refused {
                    examiner: o.examiner.clone(),
                },
            }),
            (state, event) => Err(InvalidTransition {
                state: state.name(),
                event: match event {
                    AttemptEvent::Scanned(_) => "a scan",
                    AttemptEvent::Override(_) => "an examiner override",
                },
            }),
        }
    }
}

/// What the gate should do after an event.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Open the door (door A: [`crate::Mantrap::request_entry`]; door B: [`crate::Mantrap::request_exit`]).
    Admit(Admission),
    /// Ask for another scan.
    Retry {
        /// Scans left before an examiner must decide.
        tries_left: u8,
    },
    /// Raise the stand-in alarm: the finger belongs to another candidate. An examiner must decide.
    StandInAlarm {
        /// Whose finger it is.
        matched_other: CandidateId,
    },
    /// Out of tries: call an examiner.
    NeedsExaminerOverride,
    /// The examiner's own finger did not match: the override is not accepted; still waiting for an examiner.
    OverrideRejected,
    /// An examiner refused the candidate.
    Refuse {
        /// Who refused.
        examiner: ExaminerId,
    },
}

/// One candidate's identification at one door.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryAttempt {
    claim: CandidateId,
    state: AttemptState,
}

impl EntryAttempt {
    /// An attempt for `claim`. At door A use [`Roster::begin`], which checks the roster; at door B pass the
    /// candidate recorded inside the vestibule.
    pub fn new(claim: CandidateId) -> EntryAttempt {
        EntryAttempt {
            claim,
            state: AttemptState::Scanning { tries_used: 0 },
        }
    }

    /// Who the attempt is for.
    pub fn claim(&self) -> &CandidateId {
        &self.claim
    }

    /// Where it stands.
    pub fn state(&self) -> &AttemptState {
        &self.state
    }

    /// Apply an event and say what to do.
    pub fn apply(
        &mut self,
        policy: &EntryPolicy,
        event: &AttemptEvent,
    ) -> Result<Decision, InvalidTransition> {
        let before = self.state.clone();
        self.state = before.clone().transition(policy, &self.claim, event)?;
        Ok(match &self.state {
            AttemptState::Admitted(how) => Decision::Admit(how.clone()),
            AttemptState::Scanning { tries_used } => Decision::Retry {
                tries_left: policy.max_tries - tries_used,
            },
            // The examiner's own finger did not match: nothing changed.
            AttemptState::StandIn { .. } | AttemptState::AwaitingOverride
                if before == self.state =>
            {
                Decision::OverrideRejected
            }
            AttemptState::StandIn { matched, .. } => Decision::StandInAlarm {
                matched_other: matched.clone(),
            },
            AttemptState::AwaitingOverride => Decision::NeedsExaminerOverride,
            AttemptState::Refused { examiner } => Decision::Refuse {
                examiner: examiner.clone(),
            },
        })
    }

    /// A scan.
    pub fn scan(
        &mut self,
        policy: &EntryPolicy,
        scan: ScanResult,
    ) -> Result<Decision, InvalidTransition> {
        self.apply(policy, &AttemptEvent::Scanned(scan))
    }

    /// An examiner's decision.
    pub fn examiner_override(
        &mut self,
        policy: &EntryPolicy,
        decision: ExaminerOverride,
    ) -> Result<Decision, InvalidTransition> {
        self.apply(policy, &AttemptEvent::Override(decision))
    }
}
