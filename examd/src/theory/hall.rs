//! The theory hall as a projection of the log: open sittings, their seats and each candidate's
//! [`theory::Sitting`]. The same [`Hall::apply`] serves live requests and the replay at start, so
//! a restarted daemon holds exactly the state it acknowledged.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use model::UnixMs;
use theory::{
    AnswerSet, EndReason, Event, ExamRules, InvalidTransition, OptionKey, PaperSpec, Ready,
    Sitting, TheoryExam, Verdict,
};

use super::banks::Installed;
use super::events::*;

/// Failed finger tries in a row after which the examiner is alerted (and a due re-check fails).
pub const MAX_FINGER_TRIES: u32 = 3;

/// Why an event could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum HallError {
    /// No such sitting, seat or bank.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The event does not fit the state.
    #[error("{0}")]
    Conflict(String),
    /// The sitting refused the transition.
    #[error(transparent)]
    Transition(#[from] InvalidTransition),
}

/// `subject1` or `safety`.
pub fn exam_name(e: TheoryExam) -> &'static str {
    match e {
        TheoryExam::Subject1 => "subject1",
        TheoryExam::SafetyTheory => "safety",
    }
}

/// The exam for its name.
pub fn exam_of(name: &str) -> Option<TheoryExam> {
    match name {
        "subject1" => Some(TheoryExam::Subject1),
        "safety" => Some(TheoryExam::SafetyTheory),
        _ => None,
    }
}

/// An open sitting (one exam session in the hall).
#[derive(Debug, Clone)]
pub struct Room {
    /// Its id.
    pub id: String,
    /// Which test.
    pub exam: TheoryExam,
    /// The bank version used.
    pub bank: Installed,
    /// Who opened it.
    pub examiner: String,
    /// Re-verification interval (0 = none).
    pub reverify_ms: i64,
    /// When it opened.
    pub opened_at: UnixMs,
}

/// A photo of a seat's candidate: at the finger login (`shot` 0, in `theory.candidate_login`) or
/// during the paper (`shot` 1 to [`super::photos::SHOTS`], `theory.photo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatPhoto {
    /// 0 for the login photo, else which of the paper's photos.
    pub shot: u8,
    /// The photo, or why there is none.
    pub photo: crate::photos::PhotoV1,
}

/// One seat's candidate and paper.
#[derive(Debug, Clone)]
pub struct Seat {
    /// The seat (device account name).
    pub name: String,
    /// The sitting.
    pub sitting: String,
    /// The candidate.
    pub candidate: String,
    /// The paper's seed.
    pub seed: u64,
    /// The candidate's paper state.
    pub state: Sitting,
    /// When identity was last confirmed (login or re-verification).
    pub verified_at: UnixMs,
    /// Questions shown so far (the highest index shown + 1).
    pub shown: usize,
    /// Unresolved alert for the examiner.
    pub alert: Option<String>,
    /// Fingers refused in a row since the last match.
    pub finger_failures: u32,
    /// The exam's rules.
    pub rules: ExamRules,
    /// Re-verification interval (0 = none).
    pub reverify_ms: i64,
    /// The bank the paper comes from.
    pub bank: Installed,
    /// The day's drawn roster the candidate was seated from (the finger at login is searched 1:N
    /// over it); `None` for a seat assigned by hand.
    pub roster: Option<String>,
    /// The examiner who opened the sitting.
    pub invigilator: String,
    /// The candidate's photos at this seat, in the order logged.
    pub photos: Vec<SeatPhoto>,
}

impl Seat {
    /// Whether the candidate must confirm their identity now.
    pub fn reverify_due(&self, now: UnixMs) -> bool {
        self.reverify_ms > 0
            && matches!(self.state, Sitting::InProgress(_))
            && now.0 - self.verified_at.0 >= self.reverify_ms
    }

    /// Applies one seat event (the seat must be this event's seat).
    pub fn apply(&mut self, ev: &TheoryEvent) -> Result<(), HallError> {
        let state = self.state.clone();
        match ev {
            TheoryEvent::Login(e) => {
                if e.candidate != self.candidate {
                    return Err(HallError::Conflict(
                        "another candidate is assigned to this seat".into(),
                    ));
                }
                if !matches!(state, Sitting::NotStarted(_)) {
                    return Err(InvalidTransition::AlreadyStarted.into());
                }
                self.state = state.transition(Event::Start { at: UnixMs(e.at) })?;
                self.verified_at = UnixMs(e.at);
                self.finger_failures = 0;
                self.alert = None;
                if let Some(photo) = &e.photo {
                    self.photos.push(SeatPhoto {
                        shot: 0,
                        photo: photo.clone(),
                    });
                }
            }
            TheoryEvent::Shown(e) => {
                let p = self
                    .state
                    .progress()
                    .ok_or(HallError::Conflict("no paper on screen".into()))?;
                if e.index != p.current {
                    return Err(HallError::Conflict(format!(
                        "question {} is not on screen",
                        e.index + 1
                    )));
                }
                self.shown = self.shown.max(e.index + 1);
            }
            TheoryEvent::Answer(e) => {
                let p = self.state.progress().ok_or(InvalidTransition::NotStarted)?;
                if e.index != p.current {
                    return Err(HallError::Conflict(format!(
                        "question {} is not the current question {}",
                        e.index + 1,
                        p.current + 1
                    )));
                }
                let choice = parse_choice(&e.choice)?;
                let at = UnixMs(e.at);
                let s = state.transition(Event::Select { at, choice })?;
                self.state = s.transition(Event::Next { at })?;
            }
            TheoryEvent::Reverified(e) => {
                let at = UnixMs(e.at);
                self.state = match state {
                    Sitting::Paused { .. } => state.transition(Event::Reverified { at })?,
                    Sitting::InProgress(_) => state.transition(Event::Tick { at })?,
                    _ => return Err(HallError::Conflict("no paper under way".into())),
                };
                self.verified_at = at;
                self.alert = None;
                self.finger_failures = 0;
            }
            TheoryEvent::FingerRefused(e) => {
                if e.person != self.candidate {
                    return Err(HallError::Conflict(
                        "another candidate is assigned to this seat".into(),
                    ));
                }
                self.finger_failures = e.attempt;
                if let (Some(other), "stand_in") = (&e.best_match, e.purpose.as_str()) {
                    // A stand-in suspicion alerts the examiner at once, naming both.
                    self.alert = Some(format!(
                        "疑似替考：指纹与 {other} 更吻合，而非本座位考生 {} / stand-in suspected: \
                         the finger matches {other}, not this seat's candidate {}",
                        e.person, e.person
                    ));
                } else if e.attempt >= MAX_FINGER_TRIES {
                    self.alert = Some(format!(
                        "指纹连续 {} 次未通过 / finger refused {} times in a row",
                        e.attempt, e.attempt
                    ));
                }
            }
            TheoryEvent::ReverifyFailed(e) => {
                let at = UnixMs(e.at);
                self.state = state.transition(Event::ReverificationFailed { at })?;
                self.alert = Some(format!(
                    "身份复核失败 / identity re-check failed ({})",
                    e.reason
                ));
            }
            TheoryEvent::Result(e) => {
                if !matches!(state, Sitting::Finished(_)) {
                    let at = UnixMs(e.at);
                    let event = match e.reason.as_str() {
                        "time_up" => Event::Tick { at },
                        "submitted" => Event::Submit { at },
                        "terminated" => Event::Terminate { at },
                        other => {
                            return Err(HallError::Conflict(format!(
                                "result {other} does not follow"
                            )));
                        }
                    };
                    self.state = state.transition(event)?;
                }
            }
            TheoryEvent::Opened(_) | TheoryEvent::Assigned(_) => {
                return Err(HallError::Conflict("not a seat event".into()));
            }
        }
        Ok(())
    }

    /// Keeps a paper's photo (`theory.photo`) of this seat's candidate; one of another
    /// sitting or candidate is refused, naming both.
    pub fn add_photo(&mut self, e: &super::photos::PhotoEventV1) -> Result<(), HallError> {
        if e.sitting != self.sitting || e.candidate != self.candidate {
            return Err(HallError::Conflict(format!(
                "the photo is of {} in {}, the seat holds {} in {}",
                e.candidate, e.sitting, self.candidate, self.sitting
            )));
        }
        self.photos.retain(|p| p.shot != e.shot);
        self.photos.push(SeatPhoto {
            shot: e.shot,
            photo: e.photo.clone(),
        });
        Ok(())
    }

    /// The result event of a finished paper.
    pub fn result_event(&self) -> Option<TheoryEvent> {
        let o = self.state.outcome()?;
        Some(TheoryEvent::Result(ResultV1 {
            sitting: self.sitting.clone(),
            seat: self.name.clone(),
            candidate: self.candidate.clone(),
            verdict: match o.verdict {
                Verdict::Passed => "passed",
                Verdict::Failed => "failed",
            }
            .into(),
            reason: reason_name(o.reason).into(),
            score: o.score,
            correct: o.correct,
            wrong: o.wrong,
            unanswered: o.unanswered,
            at: o.ended_at.0,
        }))
    }
}

/// The wire name of an end reason.
pub fn reason_name(r: EndReason) -> &'static str {
    match r {
        EndReason::TimeUp => "time_up",
        EndReason::PassOutOfReach => "pass_out_of_reach",
        EndReason::AllAnswered => "all_answered",
        EndReason::Submitted => "submitted",
        EndReason::Terminated => "terminated",
    }
}

/// `AB` → {A, B}.
pub fn parse_choice(s: &str) -> Result<AnswerSet, HallError> {
    let keys = s
        .chars()
        .map(|c| c.to_string().parse::<OptionKey>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| HallError::Conflict(e.to_string()))?;
    Ok(AnswerSet::new(keys))
}

/// Every open sitting and seat.
#[derive(Debug, Default)]
pub struct Hall {
    /// Sittings by id.
    pub rooms: BTreeMap<String, Room>,
    /// Seats by seat name: the latest assignment of each.
    pub seats: BTreeMap<String, Arc<tokio::sync::Mutex<Seat>>>,
    /// Seat sessions: SHA-256 hex of the token → seat name.
    pub sessions: HashMap<String, String>,
    /// Terminals waiting for a finger: seat name → SHA-256 hex of the token the terminal holds,
    /// which becomes a session when the candidate's finger matches (in memory only: after a
    /// restart the terminal asks again).
    pub pending: HashMap<String, String>,
}

impl Hall {
    /// Makes `session` (a token hash) the only session of `seat`.
    pub fn bind_session(&mut self, seat: &str, session: &str) {
        self.sessions.retain(|_, s| s != seat);
        self.sessions.insert(session.to_owned(), seat.to_owned());
        if self.pending.get(seat).is_some_and(|p| p == session) {
            self.pending.remove(seat);
        }
    }

    /// A seat's state holder.
    pub fn seat(&self, name: &str) -> Option<Arc<tokio::sync::Mutex<Seat>>> {
        self.seats.get(name).cloned()
    }

    /// Applies a sitting-level event (`Opened`, `Assigned`), given a way to load bank versions.
    pub fn apply_hall(
        &mut self,
        ev: &TheoryEvent,
        bank: impl Fn(&str, &str) -> Option<Installed>,
    ) -> Result<(), HallError> {
        match ev {
            TheoryEvent::Opened(e) => {
                let exam = exam_of(&e.exam)
                    .ok_or(HallError::Conflict(format!("unknown exam {}", e.exam)))?;
                let installed =
                    bank(&e.bank, &e.version).ok_or(HallError::NotFound("bank version"))?;
                self.rooms.insert(
                    e.sitting.clone(),
                    Room {
                        id: e.sitting.clone(),
                        exam,
                        bank: installed,
                        examiner: e.examiner.clone(),
                        reverify_ms: i64::from(e.reverify_s) * 1000,
                        opened_at: UnixMs(e.at),
                    },
                );
            }
            TheoryEvent::Assigned(e) => {
                let seat = self.new_seat(e)?;
                if let Some(old) = self.seats.get(&e.seat)
                    && let Ok(old) = old.try_lock()
                    && matches!(old.state, Sitting::InProgress(_) | Sitting::Paused { .. })
                {
                    return Err(HallError::Conflict(format!(
                        "seat {} has a paper under way",
                        e.seat
                    )));
                }
                self.sessions.retain(|_, s| s != &e.seat);
                self.pending.remove(&e.seat);
                self.seats
                    .insert(e.seat.clone(), Arc::new(tokio::sync::Mutex::new(seat)));
            }
            _ => return Err(HallError::Conflict("not a hall event".into())),
        }
        Ok(())
    }

    /// The seat an assignment makes, with its paper assembled from the seed.
    pub fn new_seat(&self, e: &AssignedV1) -> Result<Seat, HallError> {
        let room = self
            .rooms
            .get(&e.sitting)
            .ok_or(HallError::NotFound("sitting"))?;
        let spec = PaperSpec::default_for(room.exam);
        let paper = theory::assemble(&room.bank.bank, &spec, e.seed)
            .map_err(|err| HallError::Conflict(format!("paper: {err}")))?;
        let rules = ExamRules::of(room.exam);
        let ready = Ready::new(rules.clone(), &room.bank.bank, paper)
            .map_err(|err| HallError::Conflict(format!("paper: {err}")))?;
        Ok(Seat {
            name: e.seat.clone(),
            sitting: e.sitting.clone(),
            candidate: e.candidate.clone(),
            seed: e.seed,
            state: Sitting::new(ready),
            verified_at: UnixMs(e.at),
            shown: 0,
            alert: None,
            finger_failures: 0,
            rules,
            reverify_ms: room.reverify_ms,
            bank: room.bank.clone(),
            roster: e.roster.clone(),
            invigilator: room.examiner.clone(),
            photos: Vec::new(),
        })
    }
}
