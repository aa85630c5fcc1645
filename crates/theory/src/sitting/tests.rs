use super::*;
use crate::bank::TheoryExam;
use crate::paper::{PaperSpec, assemble};
use crate::test_support::bank;

const TF: QuestionKind = QuestionKind::TrueFalse;
const SINGLE: QuestionKind = QuestionKind::Single;
const MULTI: QuestionKind = QuestionKind::Multi;
const T0: i64 = 1_790_000_000_000;
const MIN: i64 = 60_000;

fn key(i: usize) -> OptionKey {
    OptionKey::from_index(i).unwrap()
}

/// The correct answer of a `test_support` question of this kind.
fn right(kind: QuestionKind) -> AnswerSet {
    match kind {
        TF => AnswerSet::one(key(0)),
        SINGLE => AnswerSet::one(key(1)),
        MULTI => AnswerSet::new([key(0), key(2)]),
    }
}

fn wrong(kind: QuestionKind) -> AnswerSet {
    match kind {
        TF => AnswerSet::one(key(1)),
        _ => AnswerSet::one(key(3)),
    }
}

struct Run {
    bank: Bank,
    s: Sitting,
    t: i64,
}

impl Run {
    fn new(exam: TheoryExam) -> Run {
        let b = match exam {
            TheoryExam::Subject1 => bank(exam, 1, &[(1, TF, 40), (1, SINGLE, 60)]),
            TheoryExam::SafetyTheory => {
                bank(exam, 1, &[(1, TF, 20), (1, SINGLE, 20), (1, MULTI, 10)])
            }
        };
        let paper = assemble(&b, &PaperSpec::default_for(exam), 5).unwrap();
        let ready = Ready::new(ExamRules::of(exam), &b, paper).unwrap();
        let s = Sitting::new(ready)
            .transition(Event::Start { at: UnixMs(T0) })
            .unwrap();
        Run { bank: b, s, t: T0 }
    }

    fn kind_now(&self) -> QuestionKind {
        let id = self.s.progress().unwrap().current_question();
        self.bank.question(id).unwrap().kind
    }

    fn send(&mut self, e: Event) -> Result<(), InvalidTransition> {
        self.s = self.s.clone().transition(e)?;
        Ok(())
    }

    fn at(&mut self) -> UnixMs {
        self.t += 1_000;
        UnixMs(self.t)
    }

    fn answer(&mut self, correct: bool) {
        let k = self.kind_now();
        let choice = if correct { right(k) } else { wrong(k) };
        let at = self.at();
        self.send(Event::Select { at, choice }).unwrap();
        let at = self.at();
        self.send(Event::Next { at }).unwrap();
    }

    fn outcome(&self) -> &Outcome {
        self.s.outcome().expect("finished")
    }
}

#[test]
fn start_begins_a_45_minute_clock() {
    let r = Run::new(TheoryExam::Subject1);
    let p = r.s.progress().unwrap();
    assert_eq!(p.deadline, UnixMs(T0 + 45 * MIN));
    assert_eq!((p.current, p.score()), (0, 0));
}

#[test]
fn answers_are_refused_before_the_start() {
    let b = bank(TheoryExam::Subject1, 1, &[(1, TF, 40), (1, SINGLE, 60)]);
    let paper = assemble(&b, &PaperSpec::default_for(TheoryExam::Subject1), 5).unwrap();
    let s = Sitting::new(Ready::new(ExamRules::subject1(), &b, paper).unwrap());
    assert_eq!(
        s.transition(Event::Next { at: UnixMs(T0) }),
        Err(InvalidTransition::NotStarted)
    );
}

#[test]
fn an_answer_may_change_until_the_candidate_moves_on() {
    let mut r = Run::new(TheoryExam::Subject1);
    let k = r.kind_now();
    let at = r.at();
    r.send(Event::Select {
        at,
        choice: wrong(k),
    })
    .unwrap();
    let at = r.at();
    r.send(Event::Select {
        at,
        choice: right(k),
    })
    .unwrap();
    let at = r.at();
    r.send(Event::Next { at }).unwrap();
    assert!(r.s.progress().unwrap().marks[0].correct);
}

#[test]
fn an_answer_is_final_once_the_candidate_moves_on() {
    let mut r = Run::new(TheoryExam::Subject1);
    r.answer(false);
    let first = r.s.progress().unwrap().marks[0].clone();
    // Everything after Next applies to the next question; the first mark cannot change.
    let k = r.kind_now();
    let at = r.at();
    r.send(Event::Select {
        at,
        choice: right(k),
    })
    .unwrap();
    let p = r.s.progress().unwrap();
    assert_eq!((p.current, &p.marks[0]), (1, &first));
    assert!(!first.correct);
}

#[test]
fn each_answer_is_scored_immediately() {
    let mut r = Run::new(TheoryExam::SafetyTheory);
    r.answer(true);
    assert_eq!(r.s.progress().unwrap().score(), 2);
    r.answer(false);
    assert_eq!(r.s.progress().unwrap().score(), 2);
    assert!(!r.s.progress().unwrap().marks[1].correct);
}

#[test]
fn multiple_choice_needs_exactly_the_correct_options() {
    let mut r = Run::new(TheoryExam::SafetyTheory);
    while r.kind_now() != MULTI {
        r.answer(true);
    }
    let at = r.at();
    r.send(Event::Select {
        at,
        choice: AnswerSet::one(key(0)),
    })
    .unwrap();
    let at = r.at();
    r.send(Event::Next { at }).unwrap();
    assert!(!r.s.progress().unwrap().marks.last().unwrap().correct);
    let at = r.at();
    r.send(Event::Select {
        at,
        choice: AnswerSet::new([key(0), key(2)]),
    })
    .unwrap();
    let at = r.at();
    r.send(Event::Next { at }).unwrap();
    assert!(r.s.progress().unwrap().marks.last().unwrap().correct);
}

#[test]
fn a_choice_must_fit_the_question() {
    let mut r = Run::new(TheoryExam::Subject1);
    assert_eq!(r.kind_now(), TF);
    let at = r.at();
    assert_eq!(
        r.send(Event::Select {
            at,
            choice: AnswerSet::one(key(2))
        }),
        Err(InvalidTransition::BadChoice(
            "not an option of this question"
        ))
    );
    assert_eq!(
        r.send(Event::Select {
            at,
            choice: AnswerSet::new([key(0), key(1)])
        }),
        Err(InvalidTransition::BadChoice(
            "this question takes one option"
        ))
    );
    assert_eq!(
        r.send(Event::Select {
            at,
            choice: AnswerSet::default()
        }),
        Err(InvalidTransition::BadChoice("no option chosen"))
    );
}

#[test]
fn moving_on_needs_an_answer() {
    let mut r = Run::new(TheoryExam::Subject1);
    let at = r.at();
    assert_eq!(
        r.send(Event::Next { at }),
        Err(InvalidTransition::NothingSelected)
    );
}

#[test]
fn subject1_ends_at_the_eleventh_wrong_answer() {
    let mut r = Run::new(TheoryExam::Subject1);
    for _ in 0..10 {
        r.answer(false);
    }
    assert!(
        matches!(r.s, Sitting::InProgress(_)),
        "10 wrong still can pass"
    );
    r.answer(false);
    let o = r.outcome();
    assert_eq!(
        (o.verdict, o.reason, o.wrong, o.unanswered),
        (Verdict::Failed, EndReason::PassOutOfReach, 11, 89)
    );
}

#[test]
fn safety_theory_ends_at_the_sixth_wrong_answer() {
    let mut r = Run::new(TheoryExam::SafetyTheory);
    for _ in 0..5 {
        r.answer(false);
    }
    assert!(matches!(r.s, Sitting::InProgress(_)));
    r.answer(false);
    assert_eq!(r.outcome().reason, EndReason::PassOutOfReach);
}

#[test]
fn all_answered_with_exactly_the_pass_mark_passes() {
    let mut r = Run::new(TheoryExam::Subject1);
    for i in 0..100 {
        r.answer(i % 10 != 0);
    }
    let o = r.outcome();
    assert_eq!(
        (o.verdict, o.reason, o.score, o.wrong),
        (Verdict::Passed, EndReason::AllAnswered, 90, 10)
    );
}

#[test]
fn safety_theory_scores_two_points_a_question() {
    let mut r = Run::new(TheoryExam::SafetyTheory);
    for i in 0..50 {
        r.answer(i >= 5);
    }
    let o = r.outcome();
    assert_eq!((o.verdict, o.score), (Verdict::Passed, 90));
}

#[test]
fn the_paper_ends_at_the_time_limit() {
    let mut r = Run::new(TheoryExam::Subject1);
    r.answer(true);
    r.send(Event::Tick {
        at: UnixMs(T0 + 45 * MIN - 1),
    })
    .unwrap();
    assert!(matches!(r.s, Sitting::InProgress(_)));
    r.send(Event::Tick {
        at: UnixMs(T0 + 45 * MIN),
    })
    .unwrap();
    let o = r.outcome();
    assert_eq!(
        (o.verdict, o.reason, o.score, o.unanswered),
        (Verdict::Failed, EndReason::TimeUp, 1, 99)
    );
}

#[test]
fn an_answer_after_the_time_limit_does_not_count() {
    let mut r = Run::new(TheoryExam::Subject1);
    let k = r.kind_now();
    r.send(Event::Select {
        at: UnixMs(T0 + 1),
        choice: right(k),
    })
    .unwrap();
    r.send(Event::Next {
        at: UnixMs(T0 + 45 * MIN + 5),
    })
    .unwrap();
    let o = r.outcome();
    assert_eq!(
        (o.reason, o.score, o.marks.len()),
        (EndReason::TimeUp, 0, 0)
    );
}

#[test]
fn handing_in_early_scores_what_was_answered() {
    let mut r = Run::new(TheoryExam::Subject1);
    for _ in 0..90 {
        r.answer(true);
    }
    let at = r.at();
    r.send(Event::Submit { at }).unwrap();
    let o = r.outcome();
    assert_eq!(
        (o.verdict, o.reason, o.score, o.unanswered),
        (Verdict::Passed, EndReason::Submitted, 90, 10)
    );
}

#[test]
fn a_failed_reverification_pauses_answers_and_the_clock() {
    let mut r = Run::new(TheoryExam::Subject1);
    r.send(Event::ReverificationFailed {
        at: UnixMs(T0 + 10 * MIN),
    })
    .unwrap();
    let k = r.kind_now();
    assert_eq!(
        r.send(Event::Select {
            at: UnixMs(T0 + 11 * MIN),
            choice: right(k)
        }),
        Err(InvalidTransition::Paused)
    );
    // Past the original deadline while paused: nothing ends.
    r.send(Event::Tick {
        at: UnixMs(T0 + 50 * MIN),
    })
    .unwrap();
    assert!(matches!(r.s, Sitting::Paused { .. }));
    r.send(Event::Reverified {
        at: UnixMs(T0 + 50 * MIN),
    })
    .unwrap();
    assert_eq!(r.s.progress().unwrap().deadline, UnixMs(T0 + 85 * MIN));
    r.send(Event::Select {
        at: UnixMs(T0 + 51 * MIN),
        choice: right(k),
    })
    .unwrap();
}

#[test]
fn reverified_without_a_pause_is_refused() {
    let mut r = Run::new(TheoryExam::Subject1);
    let at = r.at();
    assert_eq!(
        r.send(Event::Reverified { at }),
        Err(InvalidTransition::NotPaused)
    );
}

#[test]
fn the_examiner_can_end_a_paused_sitting_as_failed() {
    let mut r = Run::new(TheoryExam::Subject1);
    for _ in 0..95 {
        r.answer(true);
    }
    let at = r.at();
    r.send(Event::ReverificationFailed { at }).unwrap();
    let at = r.at();
    r.send(Event::Terminate { at }).unwrap();
    assert_eq!(
        (r.outcome().verdict, r.outcome().reason),
        (Verdict::Failed, EndReason::Terminated)
    );
}

#[test]
fn a_finished_sitting_takes_no_more_events() {
    let mut r = Run::new(TheoryExam::Subject1);
    let at = r.at();
    r.send(Event::Submit { at }).unwrap();
    let at = r.at();
    assert_eq!(r.send(Event::Tick { at }), Err(InvalidTransition::Finished));
}

#[test]
fn events_may_not_go_back_in_time() {
    let mut r = Run::new(TheoryExam::Subject1);
    r.send(Event::Tick {
        at: UnixMs(T0 + 5_000),
    })
    .unwrap();
    assert_eq!(
        r.send(Event::Tick {
            at: UnixMs(T0 + 4_000)
        }),
        Err(InvalidTransition::ClockWentBack {
            last: UnixMs(T0 + 5_000),
            at: UnixMs(T0 + 4_000)
        })
    );
}

#[test]
fn a_paper_must_fit_the_test_and_the_bank() {
    let b = bank(TheoryExam::Subject1, 1, &[(1, TF, 40), (1, SINGLE, 60)]);
    let paper = assemble(&b, &PaperSpec::default_for(TheoryExam::Subject1), 5).unwrap();
    assert_eq!(
        Ready::new(ExamRules::safety_theory(), &b, paper.clone()).unwrap_err(),
        SittingError::WrongExam
    );
    let mut short = paper.clone();
    short.questions.pop();
    assert_eq!(
        Ready::new(ExamRules::subject1(), &b, short).unwrap_err(),
        SittingError::PaperLength {
            expected: 100,
            got: 99
        }
    );
    let other = bank(TheoryExam::Subject1, 2, &[(1, TF, 40), (1, SINGLE, 60)]);
    assert_eq!(
        Ready::new(ExamRules::subject1(), &other, paper).unwrap_err(),
        SittingError::WrongBank
    );
}

/// The naive oracle: walk the right/wrong sequence with the rules written out longhand.
fn expected(exam: TheoryExam, answers: &[bool]) -> (Verdict, EndReason, u16, usize) {
    let (allowed_wrong, points, total) = match exam {
        TheoryExam::Subject1 => (10, 1, 100),
        TheoryExam::SafetyTheory => (5, 2, 50),
    };
    let (mut right, mut wrongs) = (0u16, 0);
    for (i, &ok) in answers.iter().enumerate() {
        if ok {
            right += 1;
        } else {
            wrongs += 1;
        }
        if wrongs > allowed_wrong {
            return (
                Verdict::Failed,
                EndReason::PassOutOfReach,
                right * points,
                i + 1,
            );
        }
        if i + 1 == total {
            let v = if right * points >= 90 {
                Verdict::Passed
            } else {
                Verdict::Failed
            };
            return (v, EndReason::AllAnswered, right * points, total);
        }
    }
    unreachable!("answers cover the paper")
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]

    /// Any sequence of right and wrong answers ends as the longhand rules say.
    #[test]
    fn sitting_agrees_with_the_longhand_rules(
        safety in proptest::bool::ANY,
        answers in proptest::collection::vec(proptest::bool::weighted(0.93), 100),
    ) {
        let exam = if safety { TheoryExam::SafetyTheory } else { TheoryExam::Subject1 };
        let (verdict, reason, score, marks) = expected(exam, &answers);
        let mut r = Run::new(exam);
        for &ok in &answers {
            if r.s.outcome().is_some() {
                break;
            }
            r.answer(ok);
        }
        let o = r.outcome();
        proptest::prop_assert_eq!((o.verdict, o.reason, o.score, o.marks.len()), (verdict, reason, score, marks));
        proptest::prop_assert_eq!(o.marks.iter().map(|m| m.correct).collect::<Vec<_>>(), answers[..marks].to_vec());
    }
}
