//! The fixed rules of the two theory tests (公安部令第162号 art. 38; GA 1026 paper rules).

use crate::bank::{QuestionKind, TheoryExam};

/// Paper size, marks and time of one theory test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExamRules {
    /// Which test.
    pub exam: TheoryExam,
    /// Questions on a paper.
    pub questions: u16,
    /// Points for each correct answer.
    pub points_each: u16,
    /// Full marks.
    pub full_marks: u16,
    /// The pass mark (score ≥ pass mark passes).
    pub pass_mark: u16,
    /// The time limit in milliseconds.
    pub duration_ms: i64,
    /// Question types the test may contain.
    pub kinds: &'static [QuestionKind],
}

const MINUTE_MS: i64 = 60_000;

impl ExamRules {
    /// 科目一: 100 true/false and single-choice questions, 1 point each, 45 minutes, pass 90.
    pub fn subject1() -> ExamRules {
        ExamRules {
            exam: TheoryExam::Subject1,
            questions: 100,
            points_each: 1,
            full_marks: 100,
            pass_mark: 90,
            duration_ms: 45 * MINUTE_MS,
            kinds: &[QuestionKind::TrueFalse, QuestionKind::Single],
        }
    }

    /// 安全文明驾驶常识: 50 true/false, single and multiple-choice questions, 2 points each,
    /// 45 minutes (the post-2016 figure), pass 90.
    pub fn safety_theory() -> ExamRules {
        ExamRules {
            exam: TheoryExam::SafetyTheory,
            questions: 50,
            points_each: 2,
            full_marks: 100,
            pass_mark: 90,
            duration_ms: 45 * MINUTE_MS,
            kinds: &[
                QuestionKind::TrueFalse,
                QuestionKind::Single,
                QuestionKind::Multi,
            ],
        }
    }

    /// The rules of a test.
    pub fn of(exam: TheoryExam) -> ExamRules {
        match exam {
            TheoryExam::Subject1 => ExamRules::subject1(),
            TheoryExam::SafetyTheory => ExamRules::safety_theory(),
        }
    }

    /// Wrong answers a candidate can afford and still pass: 10 in Subject 1, 5 in safety theory.
    /// One more ends the paper.
    pub fn wrong_allowed(&self) -> u16 {
        (self.full_marks - self.pass_mark) / self.points_each
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject1_is_100_questions_45_minutes_pass_90() {
        let r = ExamRules::subject1();
        assert_eq!(
            (r.questions, r.points_each, r.pass_mark, r.duration_ms),
            (100, 1, 90, 2_700_000)
        );
        assert!(!r.kinds.contains(&QuestionKind::Multi));
        assert_eq!(r.wrong_allowed(), 10);
    }

    #[test]
    fn safety_theory_is_50_questions_2_points_each_pass_90() {
        let r = ExamRules::safety_theory();
        assert_eq!((r.questions, r.points_each, r.pass_mark), (50, 2, 90));
        assert_eq!(
            u32::from(r.questions) * u32::from(r.points_each),
            u32::from(r.full_marks)
        );
        assert!(r.kinds.contains(&QuestionKind::Multi));
        assert_eq!(r.wrong_allowed(), 5);
    }
}
