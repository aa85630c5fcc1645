//! The same-day free retake of a theory paper (公安部令第162号 art. 47: "考试不合格的，可以补考一次").
//!
//! The booking rules (subject order, waiting periods, the ten-day wait, the five-booking cap,
//! capacity) live in the `booking` crate.

use std::fmt;

use crate::bank::TheoryExam;
use crate::day::LocalDay;
use crate::paper::Attempt;
use crate::sitting::Verdict;

/// One sitting of a theory paper, as far as the retake rule needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SittingRecord {
    /// The test.
    pub exam: TheoryExam,
    /// First paper or retake.
    pub attempt: Attempt,
    /// Passed or failed.
    pub verdict: Verdict,
    /// The day it was sat.
    pub day: LocalDay,
}

/// Why a retake is refused; the rule is `one-free-retake`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RetakeRefusal {
    /// A passed paper has no retake.
    AfterPass,
    /// The free retake has been used.
    AlreadyUsed,
    /// The free retake is on the day of the first paper only.
    NotSameDay {
        /// The day of the first paper.
        first_day: LocalDay,
    },
}

impl RetakeRefusal {
    /// The stable name of the rule.
    pub fn rule(&self) -> &'static str {
        "one-free-retake"
    }

    /// The message in Chinese.
    pub fn zh(&self) -> String {
        match self {
            RetakeRefusal::AfterPass => "考试已合格，无需补考".into(),
            RetakeRefusal::AlreadyUsed => "本次考试的补考机会已经使用".into(),
            RetakeRefusal::NotSameDay { first_day } => format!("补考须在当日（{first_day}）进行"),
        }
    }

    /// The message in English.
    pub fn en(&self) -> String {
        match self {
            RetakeRefusal::AfterPass => "the paper was passed; there is no retake".into(),
            RetakeRefusal::AlreadyUsed => "the free retake has been used".into(),
            RetakeRefusal::NotSameDay { first_day } => {
                format!("the free retake is on the same day ({first_day}) only")
            }
        }
    }
}

impl fmt::Display for RetakeRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.zh(), self.en())
    }
}

/// May the candidate take the free retake now, after `last`?
pub fn check_retake(last: &SittingRecord, today: LocalDay) -> Result<(), RetakeRefusal> {
    if last.verdict == Verdict::Passed {
        return Err(RetakeRefusal::AfterPass);
    }
    if matches!(last.attempt, Attempt::Retake { .. }) {
        return Err(RetakeRefusal::AlreadyUsed);
    }
    if today != last.day {
        return Err(RetakeRefusal::NotSameDay {
            first_day: last.day,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
