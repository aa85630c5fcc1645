//! The payloads of the theory events (version 1). Every event carries the time (`at`) its
//! transition used, so replaying the log rebuilds every sitting exactly.

use model::{EventKind, SubjectKind, SubjectRef};
use serde::{Deserialize, Serialize};
use store::Draft;

/// `theory.sitting_opened`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OpenedV1 {
    /// The sitting's id.
    pub sitting: String,
    /// `subject1` or `safety`.
    pub exam: String,
    /// The bank id.
    pub bank: String,
    /// The bank version (folder name, 16 hex digits of its hash).
    pub version: String,
    /// The examiner who opened it.
    pub examiner: String,
    /// Re-verification interval in seconds (0 = none).
    pub reverify_s: u32,
    /// The examiner's fingerprint score when they opened it (absent in logs from before fingers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    /// When.
    pub at: i64,
}

/// `theory.seat_assigned`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AssignedV1 {
    /// The sitting.
    pub sitting: String,
    /// The seat (its device account).
    pub seat: String,
    /// The candidate.
    pub candidate: String,
    /// The paper's seed (with bank version and spec it rebuilds the paper).
    pub seed: u64,
    /// SHA-256 (hex) of a one-time seat code: only in logs written before finger login.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub code_sha256: String,
    /// The day's drawn roster (the booking session) the candidate was seated from: the finger at
    /// login is searched 1:N over it. Absent for a seat assigned by hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roster: Option<String>,
    /// When.
    pub at: i64,
}

/// `theory.candidate_login`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginV1 {
    /// The seat.
    pub seat: String,
    /// The candidate.
    pub candidate: String,
    /// SHA-256 (hex) of the seat session token issued.
    pub session_sha256: String,
    /// The 1:1 fingerprint score against the candidate's enrolled templates (absent in logs from
    /// before finger login).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    /// The examiner who admitted the candidate with their own finger after three refused ones
    /// (then `score` is absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub examiner: Option<String>,
    /// `subject1` or `safety` (the platform's subject-start message, 17C51, names the subject).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exam: Option<String>,
    /// The examiner who opened the sitting (17C51's examiner).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invigilator: Option<String>,
    /// The drawn roster the 1:N search ran over (absent for a seat assigned by hand).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roster: Option<String>,
    /// Who the 1:N search over that roster ranked first (the candidate, or the login is refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_match: Option<String>,
    /// The seat camera's photo at the finger login (17C51 照片), or why there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<crate::photos::PhotoV1>,
    /// When (the paper's clock starts).
    pub at: i64,
}

/// `theory.question_shown`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShownV1 {
    /// The seat.
    pub seat: String,
    /// Position on the paper (0-based).
    pub index: usize,
    /// The question.
    pub question: String,
    /// When.
    pub at: i64,
}

/// `theory.answer_given`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnswerV1 {
    /// The seat.
    pub seat: String,
    /// Position on the paper (0-based).
    pub index: usize,
    /// The question.
    pub question: String,
    /// The options chosen, e.g. `AB`.
    pub choice: String,
    /// Whether it was right.
    pub correct: bool,
    /// When.
    pub at: i64,
}

/// `theory.reverified` and `theory.reverify_failed`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReverifyV1 {
    /// The seat.
    pub seat: String,
    /// Why it failed (`mismatch`, `timeout`); empty when it succeeded.
    pub reason: String,
    /// The fingerprint score, when a finger was checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    /// SHA-256 (hex) of a new seat session bound by this check (a terminal that lost its session,
    /// e.g. after a browser crash, resumes with the candidate's finger).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_sha256: Option<String>,
    /// The examiner who resumed the paper with their own finger after three refused ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub examiner: Option<String>,
    /// When.
    pub at: i64,
}

/// `theory.finger_refused`: a fingerprint that did not match.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FingerRefusedV1 {
    /// The seat; empty when an examiner opening a sitting was refused.
    pub seat: String,
    /// Whose templates the finger was compared with (candidate id or examiner account).
    pub person: String,
    /// `login`, `reverify`, `stand_in` (at login: the finger matches another rostered candidate
    /// better), `open` or `admit` (the last two: an examiner's finger).
    pub purpose: String,
    /// The 1:1 score.
    pub score: f32,
    /// The decision threshold.
    pub threshold: f32,
    /// Failed tries in a row at this seat (1, 2, 3, …); the examiner is alerted at 3.
    pub attempt: u32,
    /// A stand-in suspicion (`purpose` `stand_in`): the other rostered candidate the finger
    /// matches better than the seat's candidate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_match: Option<String>,
    /// That candidate's 1:N score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_score: Option<f32>,
    /// When.
    pub at: i64,
}

/// `theory.result`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResultV1 {
    /// The sitting.
    pub sitting: String,
    /// The seat.
    pub seat: String,
    /// The candidate.
    pub candidate: String,
    /// `passed` or `failed`.
    pub verdict: String,
    /// `time_up`, `pass_out_of_reach`, `all_answered`, `submitted`, `terminated`.
    pub reason: String,
    /// Points.
    pub score: u16,
    /// Correct answers.
    pub correct: u16,
    /// Wrong answers.
    pub wrong: u16,
    /// Unanswered questions.
    pub unanswered: u16,
    /// When it ended.
    pub at: i64,
}

/// A theory event, decoded.
#[derive(Debug, Clone)]
pub enum TheoryEvent {
    /// A sitting opened.
    Opened(OpenedV1),
    /// A seat assigned.
    Assigned(AssignedV1),
    /// A candidate logged in at a seat.
    Login(LoginV1),
    /// A question shown.
    Shown(ShownV1),
    /// An answer given.
    Answer(AnswerV1),
    /// Identity confirmed again.
    Reverified(ReverifyV1),
    /// An identity re-check failed.
    ReverifyFailed(ReverifyV1),
    /// A paper ended.
    Result(ResultV1),
    /// A fingerprint did not match.
    FingerRefused(FingerRefusedV1),
}

impl TheoryEvent {
    /// The event from a log record, if it is a theory event.
    pub fn decode(
        kind: EventKind,
        payload: &[u8],
    ) -> Option<Result<TheoryEvent, serde_json::Error>> {
        let p = payload;
        Some(match kind {
            EventKind::TheorySittingOpened => serde_json::from_slice(p).map(TheoryEvent::Opened),
            EventKind::TheorySeatAssigned => serde_json::from_slice(p).map(TheoryEvent::Assigned),
            EventKind::TheoryCandidateLogin => serde_json::from_slice(p).map(TheoryEvent::Login),
            EventKind::TheoryQuestionShown => serde_json::from_slice(p).map(TheoryEvent::Shown),
            EventKind::TheoryAnswerGiven => serde_json::from_slice(p).map(TheoryEvent::Answer),
            EventKind::TheoryReverified => serde_json::from_slice(p).map(TheoryEvent::Reverified),
            EventKind::TheoryReverifyFailed => {
                serde_json::from_slice(p).map(TheoryEvent::ReverifyFailed)
            }
            EventKind::TheoryResult => serde_json::from_slice(p).map(TheoryEvent::Result),
            EventKind::TheoryFingerRefused => {
                serde_json::from_slice(p).map(TheoryEvent::FingerRefused)
            }
            _ => return None,
        })
    }

    /// The log entry for this event, about the sitting and/or candidate.
    pub fn draft(&self, sitting: &str, candidate: Option<&str>) -> Draft {
        let mut subjects = vec![SubjectRef::new(SubjectKind::Session, sitting)];
        if let Some(c) = candidate {
            subjects.push(SubjectRef::new(SubjectKind::Candidate, c));
        }
        self.draft_about(subjects)
    }

    fn kind_payload(&self) -> (EventKind, Result<Vec<u8>, serde_json::Error>) {
        match self {
            TheoryEvent::Opened(e) => (EventKind::TheorySittingOpened, serde_json::to_vec(e)),
            TheoryEvent::Assigned(e) => (EventKind::TheorySeatAssigned, serde_json::to_vec(e)),
            TheoryEvent::Login(e) => (EventKind::TheoryCandidateLogin, serde_json::to_vec(e)),
            TheoryEvent::Shown(e) => (EventKind::TheoryQuestionShown, serde_json::to_vec(e)),
            TheoryEvent::Answer(e) => (EventKind::TheoryAnswerGiven, serde_json::to_vec(e)),
            TheoryEvent::Reverified(e) => (EventKind::TheoryReverified, serde_json::to_vec(e)),
            TheoryEvent::ReverifyFailed(e) => {
                (EventKind::TheoryReverifyFailed, serde_json::to_vec(e))
            }
            TheoryEvent::Result(e) => (EventKind::TheoryResult, serde_json::to_vec(e)),
            TheoryEvent::FingerRefused(e) => {
                (EventKind::TheoryFingerRefused, serde_json::to_vec(e))
            }
        }
    }

    /// The log entry for this event, about `subjects`.
    pub fn draft_about(&self, subjects: Vec<SubjectRef>) -> Draft {
        let (kind, payload) = self.kind_payload();
        Draft {
            kind,
            subjects,
            payload: payload.expect("payloads serialize"),
        }
    }
}
