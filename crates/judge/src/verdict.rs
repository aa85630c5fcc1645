//! The judge's output: a verdict with its deductions (DESIGN §3.4), and findings about the input.

use serde::{Deserialize, Serialize};

use crate::catalogue::RuleCode;
use crate::course::Subject;

/// One deduction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deduction {
    /// When it was detected (or entered), ms.
    pub t_ms: u64,
    /// The course item id (Subject 2), the Subject 3 item name, or `general`.
    pub item: String,
    /// Rule code.
    pub code: RuleCode,
    /// Points lost: 100 for 不合格.
    pub points: u8,
    /// Rule text and what was measured.
    pub reason: String,
}

/// The result of judging one drive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Subject.
    pub subject: Subject,
    /// 100 minus the deductions, never below 0.
    pub score: u8,
    /// Whether the score reaches the pass mark.
    pub passed: bool,
    /// In time order.
    pub deductions: Vec<Deduction>,
}

/// Something about the input worth telling the operator; never changes the verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// An event kind the judge does not know.
    UnknownEvent {
        /// Time.
        t_ms: u64,
        /// The event name.
        name: String,
    },
    /// A manual deduction with a code not in the catalogue.
    UnknownManualCode {
        /// Time.
        t_ms: u64,
        /// The code entered.
        code: String,
    },
    /// A detector fired but the catalogue prices no rule for it (e.g. a rule removed in this standard).
    Unpriced {
        /// Time.
        t_ms: u64,
        /// The fault.
        fault: &'static str,
        /// The scope.
        scope: &'static str,
    },
    /// Records after the exam ended (pass mark out of reach) were not judged.
    IgnoredAfterEnd {
        /// How many.
        count: u64,
    },
    /// A gap between samples longer than a second.
    SampleGap {
        /// Time of the sample after the gap.
        t_ms: u64,
        /// Gap length.
        gap_ms: u64,
    },
    /// A course map warning.
    Course(String),
}

/// Wire form of a verdict, exactly as `examd judge --json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct VerdictDto {
    pub subject: u8,
    pub score: u8,
    pub passed: bool,
    pub deductions: Vec<DeductionDto>,
}

/// Wire form of a deduction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct DeductionDto {
    pub t_ms: u64,
    pub item: String,
    pub code: String,
    pub points: u8,
    pub reason: String,
}

impl Verdict {
    /// The wire form.
    pub fn to_dto(&self) -> VerdictDto {
        VerdictDto {
            subject: self.subject.number(),
            score: self.score,
            passed: self.passed,
            deductions: self
                .deductions
                .iter()
                .map(|d| DeductionDto {
                    t_ms: d.t_ms,
                    item: d.item.clone(),
                    code: d.code.as_str().into(),
                    points: d.points,
                    reason: d.reason.clone(),
                })
                .collect(),
        }
    }

    /// The wire form as one JSON object.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.to_dto()).expect("verdicts always serialise")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_the_design_says() {
        let v = Verdict {
            subject: Subject::Two,
            score: 90,
            passed: true,
            deductions: vec![Deduction {
                t_ms: 1200,
                item: "rp1".into(),
                code: RuleCode::parse("10202").unwrap(),
                points: 10,
                reason: "后溜".into(),
            }],
        };
        assert_eq!(
            v.to_json(),
            r#"{"subject":2,"score":90,"passed":true,"deductions":[{"t_ms":1200,"item":"rp1","code":"10202","points":10,"reason":"后溜"}]}"#
        );
    }
}
