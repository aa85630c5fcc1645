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
    /// SHA-256 (hex) of the one-time seat code.
    pub code_sha256: String,
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
            _ => return None,
        })
    }

    /// The log entry for this event, about the sitting and/or candidate.
    pub fn draft(&self, sitting: &str, candidate: Option<&str>) -> Draft {
        let (kind, payload) = match self {
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
        };
        let mut subjects = vec![SubjectRef::new(SubjectKind::Session, sitting)];
        if let Some(c) = candidate {
            subjects.push(SubjectRef::new(SubjectKind::Candidate, c));
        }
        Draft {
            kind,
            subjects,
            payload: payload.expect("payloads serialize"),
        }
    }
}
