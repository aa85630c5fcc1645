//! One candidate's sitting of a theory paper, as a state machine.
//!
//! ```text
//! NotStarted --Start--> InProgress --ReverificationFailed--> Paused --Reverified--> InProgress
//!                          |  Select (changeable) / Next (final, scored at once)
//!                          +--> Finished { Passed | Failed, TimeUp | PassOutOfReach | AllAnswered | Submitted | Terminated }
//! ```
//!
//! Rules carried here:
//! * an answer is final once the candidate moves on ([`Event::Next`]); there is no way back;
//! * each answer is scored the moment it becomes final;
//! * the paper ends at the time limit (checked on every event, and on [`Event::Tick`]),
//!   or as soon as the pass mark is out of reach (the 11th wrong answer in Subject 1, the 6th in
//!   safety theory), or when the last question is answered;
//! * while paused for a failed identity re-check the clock stops: the deadline moves by the pause.
//!
//! Time comes in with each event as [`UnixMs`]; nothing here reads a clock.

use model::UnixMs;

use crate::bank::{AnswerSet, Bank, QuestionKind};
use crate::ids::{OptionKey, QuestionId};
use crate::paper::Paper;
use crate::rules::ExamRules;

/// What the scorer needs of one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionKey {
    /// The question.
    pub id: QuestionId,
    /// Its type, which decides how many options may be chosen.
    pub kind: QuestionKind,
    /// Its option keys.
    pub options: Vec<OptionKey>,
    /// The correct answer.
    pub answer: AnswerSet,
}

/// One final, scored answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// The question.
    pub question: QuestionId,
    /// What the candidate chose.
    pub given: AnswerSet,
    /// Whether it was exactly the correct answer.
    pub correct: bool,
    /// When it became final.
    pub at: UnixMs,
}

/// A paper ready to be sat: the rules, the paper and its answer key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ready {
    rules: ExamRules,
    paper: Paper,
    key: Vec<QuestionKey>,
}

/// A sitting under way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    ready: Ready,
    /// When the candidate started.
    pub started_at: UnixMs,
    /// When the paper ends; moved later by pauses.
    pub deadline: UnixMs,
    /// The position of the question on screen (0-based).
    pub current: usize,
    /// The choice on screen, not yet final.
    pub selected: Option<AnswerSet>,
    /// Final answers, one per question before `current`.
    pub marks: Vec<Mark>,
    last_at: UnixMs,
}

/// Passed or failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Score at or above the pass mark.
    Passed,
    /// Score below the pass mark, or the sitting was ended.
    Failed,
}

/// Why a sitting ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndReason {
    /// The time limit was reached; unanswered questions score nothing.
    TimeUp,
    /// So many answers were wrong that the pass mark could no longer be reached.
    PassOutOfReach,
    /// Every question was answered.
    AllAnswered,
    /// The candidate handed in early (交卷); unanswered questions score nothing.
    Submitted,
    /// The examiner ended the sitting (e.g. identity not confirmed); it is failed.
    Terminated,
}

/// A finished sitting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Passed or failed.
    pub verdict: Verdict,
    /// Why it ended.
    pub reason: EndReason,
    /// Points scored.
    pub score: u16,
    /// Correct answers.
    pub correct: u16,
    /// Wrong answers.
    pub wrong: u16,
    /// Questions never answered.
    pub unanswered: u16,
    /// When it ended.
    pub ended_at: UnixMs,
    /// Every final answer.
    pub marks: Vec<Mark>,
    /// The paper sat.
    pub paper: Paper,
}

/// The state of one sitting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sitting {
    /// The paper is assigned; the candidate has not begun.
    NotStarted(Ready),
    /// Questions are being answered.
    InProgress(Progress),
    /// Stopped because an identity re-check failed; the clock is stopped too.
    Paused {
        /// Where the sitting stood.
        progress: Progress,
        /// When it was paused.
        since: UnixMs,
    },
    /// Over, with its result.
    Finished(Outcome),
}

/// What happens to a sitting. Every event carries the time it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The candidate starts; the clock begins.
    Start {
        /// When.
        at: UnixMs,
    },
    /// The candidate chooses options for the current question; may be changed until [`Event::Next`].
    Select {
        /// When.
        at: UnixMs,
        /// The options chosen.
        choice: AnswerSet,
    },
    /// The candidate confirms and moves on: the answer becomes final and is scored at once.
    Next {
        /// When.
        at: UnixMs,
    },
    /// The candidate hands in the paper early.
    Submit {
        /// When.
        at: UnixMs,
    },
    /// Time passes with nothing else happening (lets the time limit end a paper).
    Tick {
        /// When.
        at: UnixMs,
    },
    /// An identity re-check during the sitting failed.
    ReverificationFailed {
        /// When.
        at: UnixMs,
    },
    /// The identity was confirmed again after a pause.
    Reverified {
        /// When.
        at: UnixMs,
    },
    /// The examiner ends the sitting.
    Terminate {
        /// When.
        at: UnixMs,
    },
}

impl Event {
    /// When the event happened.
    pub fn at(&self) -> UnixMs {
        match self {
            Event::Start { at }
            | Event::Select { at, .. }
            | Event::Next { at }
            | Event::Submit { at }
            | Event::Tick { at }
            | Event::ReverificationFailed { at }
            | Event::Reverified { at }
            | Event::Terminate { at } => *at,
        }
    }
}

/// A paper could not be prepared for sitting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SittingError {
    /// The paper has the wrong number of questions for the test.
    #[error(
        "试卷应有 {expected} 题，实有 {got} 题 / the paper should have {expected} questions, has {got}"
    )]
    PaperLength {
        /// Questions the test has.
        expected: usize,
        /// Questions on the paper.
        got: usize,
    },
    /// The paper is for the other test.
    #[error("试卷科目与考试规则不符 / the paper is for another test")]
    WrongExam,
    /// The paper comes from another bank or version.
    #[error("试卷不是出自这个题库版本 / the paper is not from this bank version")]
    WrongBank,
    /// A question of the paper is not in the bank.
    #[error("题库中没有题目 {0} / question {0} is not in the bank")]
    UnknownQuestion(QuestionId),
    /// A question's type is not part of the test.
    #[error("题目 {0} 的题型不属于这个考试 / question {0} is of a type this test does not have")]
    KindNotInExam(QuestionId),
}

/// An event that makes no sense in the current state. The state is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidTransition {
    /// The sitting has not started.
    #[error("考试尚未开始 / the sitting has not started")]
    NotStarted,
    /// Start was sent twice.
    #[error("考试已经开始 / the sitting has already started")]
    AlreadyStarted,
    /// Answers are refused while paused.
    #[error("考试已暂停，须重新验证身份 / the sitting is paused until identity is confirmed")]
    Paused,
    /// Reverified without a pause.
    #[error("考试没有暂停 / the sitting is not paused")]
    NotPaused,
    /// The sitting is over.
    #[error("考试已经结束 / the sitting is over")]
    Finished,
    /// Next without a choice.
    #[error("请先作答 / choose an answer first")]
    NothingSelected,
    /// A choice that does not fit the question.
    #[error("所选答案不符合题目要求 / the choice does not fit the question: {0}")]
    BadChoice(&'static str),
    /// The event is older than one already applied.
    #[error("事件时间早于上一事件 / the event time {at} is before the previous event {last}")]
    ClockWentBack {
        /// The previous event's time.
        last: UnixMs,
        /// This event's time.
        at: UnixMs,
    },
}

impl Ready {
    /// Prepare `paper` from `bank` under `rules`: the paper must be for the test, from this bank
    /// version, of the right length, and every question must exist and be of an allowed type.
    pub fn new(rules: ExamRules, bank: &Bank, paper: Paper) -> Result<Ready, SittingError> {
        if paper.exam != rules.exam {
            return Err(SittingError::WrongExam);
        }
        if paper.bank != *bank.id() || paper.bank_version != bank.version() {
            return Err(SittingError::WrongBank);
        }
        if paper.questions.len() != usize::from(rules.questions) {
            return Err(SittingError::PaperLength {
                expected: usize::from(rules.questions),
                got: paper.questions.len(),
            });
        }
        let mut key = Vec::with_capacity(paper.questions.len());
        for id in &paper.questions {
            let q = bank
                .question(id)
                .ok_or_else(|| SittingError::UnknownQuestion(id.clone()))?;
            if !rules.kinds.contains(&q.kind) || q.exam != rules.exam {
                return Err(SittingError::KindNotInExam(id.clone()));
            }
            key.push(QuestionKey {
                id: id.clone(),
                kind: q.kind,
                options: q.option_keys().collect(),
                answer: q.answer.clone(),
            });
        }
        Ok(Ready { rules, paper, key })
    }

    /// The rules in force.
    pub fn rules(&self) -> &ExamRules {
        &self.rules
    }

    /// The paper.
    pub fn paper(&self) -> &Paper {
        &self.paper
    }
}

impl Progress {
    /// The rules in force.
    pub fn rules(&self) -> &ExamRules {
        &self.ready.rules
    }

    /// The question on screen.
    pub fn current_question(&self) -> &QuestionId {
        &self.ready.key[self.current].id
    }

    /// Points scored so far.
    pub fn score(&self) -> u16 {
        self.correct() * self.ready.rules.points_each
    }

    fn correct(&self) -> u16 {
        self.marks.iter().filter(|m| m.correct).count() as u16
    }

    fn wrong(&self) -> u16 {
        self.marks.len() as u16 - self.correct()
    }

    /// Milliseconds left at `now` (never negative).
    pub fn remaining_ms(&self, now: UnixMs) -> i64 {
        (self.deadline.0 - now.0).max(0)
    }

    fn finish(self, reason: EndReason, at: UnixMs) -> Sitting {
        let rules = &self.ready.rules;
        let score = self.score();
        let verdict = match reason {
            EndReason::Terminated | EndReason::PassOutOfReach => Verdict::Failed,
            _ if score >= rules.pass_mark => Verdict::Passed,
            _ => Verdict::Failed,
        };
        let (correct, wrong) = (self.correct(), self.wrong());
        let unanswered = (self.ready.key.len() - self.marks.len()) as u16;
        Sitting::Finished(Outcome {
            verdict,
            reason,
            score,
            correct,
            wrong,
            unanswered,
            ended_at: at,
            marks: self.marks,
            paper: self.ready.paper,
        })
    }

    fn check_choice(&self, choice: &AnswerSet) -> Result<(), InvalidTransition> {
        let q = &self.ready.key[self.current];
        if choice.is_empty() {
            return Err(InvalidTransition::BadChoice("no option chosen"));
        }
        if choice.keys().any(|k| !q.options.contains(&k)) {
            return Err(InvalidTransition::BadChoice(
                "not an option of this question",
            ));
        }
        if q.kind != QuestionKind::Multi && choice.len() > 1 {
            return Err(InvalidTransition::BadChoice(
                "this question takes one option",
            ));
        }
        Ok(())
    }

    /// Make the selection final, score it, and end the paper if it is decided.
    fn next(mut self, at: UnixMs) -> Result<Sitting, InvalidTransition> {
        let given = self
            .selected
            .take()
            .ok_or(InvalidTransition::NothingSelected)?;
        let q = &self.ready.key[self.current];
        let correct = given == q.answer;
        self.marks.push(Mark {
            question: q.id.clone(),
            given,
            correct,
            at,
        });
        let rules = &self.ready.rules;
        let lost = u32::from(self.wrong()) * u32::from(rules.points_each);
        if u32::from(rules.full_marks) < lost + u32::from(rules.pass_mark) {
            return Ok(self.finish(EndReason::PassOutOfReach, at));
        }
        if self.marks.len() == self.ready.key.len() {
            return Ok(self.finish(EndReason::AllAnswered, at));
        }
        self.current += 1;
        Ok(Sitting::InProgress(self))
    }

    fn apply(mut self, event: Event) -> Result<Sitting, InvalidTransition> {
        let at = event.at();
        if at < self.last_at {
            return Err(InvalidTransition::ClockWentBack {
                last: self.last_at,
                at,
            });
        }
        self.last_at = at;
        if at >= self.deadline {
            return Ok(self.finish(EndReason::TimeUp, at));
        }
        match event {
            Event::Start { .. } => Err(InvalidTransition::AlreadyStarted),
            Event::Select { choice, .. } => {
                self.check_choice(&choice)?;
                self.selected = Some(choice);
                Ok(Sitting::InProgress(self))
            }
            Event::Next { .. } => self.next(at),
            Event::Submit { .. } => Ok(self.finish(EndReason::Submitted, at)),
            Event::Tick { .. } => Ok(Sitting::InProgress(self)),
            Event::ReverificationFailed { .. } => Ok(Sitting::Paused {
                progress: self,
                since: at,
            }),
            Event::Reverified { .. } => Err(InvalidTransition::NotPaused),
            Event::Terminate { .. } => Ok(self.finish(EndReason::Terminated, at)),
        }
    }
}

impl Sitting {
    /// A sitting of a prepared paper, not yet started.
    pub fn new(ready: Ready) -> Sitting {
        Sitting::NotStarted(ready)
    }

    /// Apply one event. On an invalid event the error says why; keep a clone to retain the
    /// state (transitions consume it, as a state machine's should).
    pub fn transition(self, event: Event) -> Result<Sitting, InvalidTransition> {
        match self {
            Sitting::NotStarted(ready) => match event {
                Event::Start { at } => {
                    let deadline = UnixMs(at.0 + ready.rules.duration_ms);
                    Ok(Sitting::InProgress(Progress {
                        ready,
                        started_at: at,
                        deadline,
                        current: 0,
                        selected: None,
                        marks: Vec::new(),
                        last_at: at,
                    }))
                }
                Event::Terminate { at } => Ok(Progress {
                    ready,
                    started_at: at,
                    deadline: at,
                    current: 0,
                    selected: None,
                    marks: Vec::new(),
                    last_at: at,
                }
                .finish(EndReason::Terminated, at)),
                _ => Err(InvalidTransition::NotStarted),
            },
            Sitting::InProgress(progress) => progress.apply(event),
            Sitting::Paused {
                mut progress,
                since,
            } => {
                let at = event.at();
                if at < progress.last_at {
                    return Err(InvalidTransition::ClockWentBack {
                        last: progress.last_at,
                        at,
                    });
                }
                progress.last_at = at;
                match event {
                    Event::Reverified { at } => {
                        progress.deadline = UnixMs(progress.deadline.0 + (at.0 - since.0));
                        Ok(Sitting::InProgress(progress))
                    }
                    Event::Tick { .. } | Event::ReverificationFailed { .. } => {
                        Ok(Sitting::Paused { progress, since })
                    }
                    Event::Terminate { at } => Ok(progress.finish(EndReason::Terminated, at)),
                    Event::Start { .. } => Err(InvalidTransition::AlreadyStarted),
                    Event::Select { .. } | Event::Next { .. } | Event::Submit { .. } => {
                        Err(InvalidTransition::Paused)
                    }
                }
            }
            Sitting::Finished(_) => Err(InvalidTransition::Finished),
        }
    }

    /// The result, once finished.
    pub fn outcome(&self) -> Option<&Outcome> {
        match self {
            Sitting::Finished(o) => Some(o),
            _ => None,
        }
    }

    /// The progress, while under way or paused.
    pub fn progress(&self) -> Option<&Progress> {
        match self {
            Sitting::InProgress(p) | Sitting::Paused { progress: p, .. } => Some(p),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
