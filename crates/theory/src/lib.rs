//! Question banks, paper assembly and the rules of the two theory tests: 科目一 (Subject 1) and
//! 科目三 安全文明驾驶常识 (safety theory, "科目四").
//!
//! Pure: no files, no clock, no database. Bank files come in as text or column values, time as
//! [`model::UnixMs`], randomness as a recorded `u64` seed.
//!
//! * Banks: [`Bank`] of [`Question`]s; [`import`] maps JSON Lines, SQLite rows and Beinet text records;
//!   [`validate`] reports what is wrong, Chinese first, then English.
//! * Papers: [`PaperSpec`] shares by chapter and type, [`assemble`], [`assemble_retake`], [`rebuild`].
//! * Sitting: [`Sitting::transition`] with [`Event`]s; [`ExamRules`] for Subject 1 and safety theory.
//! * Retake: [`check_retake`], refusing with a [`RetakeRefusal`] (booking rules are in the `booking` crate).
//!
//! Architecture Invariant: nothing here reads a file, a clock, the environment or a random source.
//!
//! Architecture Invariant: a stored paper is rebuilt from (bank id and version, spec, seed, attempt);
//! the generator ([`SplitMix64`]) and the draw order are pinned by tests, because changing either
//! changes every stored paper.
//!
//! Architecture Invariant: domain types carry no `Serialize`; the wire shape of a bank line is a
//! private struct of [`import::jsonl`].
//!
//! ```
//! use theory::{assemble, ExamRules, PaperSpec, TheoryExam, import::jsonl};
//! let line = concat!(
//!     r#"{"id": "q1", "subject": 1, "type": "judge", "stem": "行车前应检查轮胎。", "#,
//!     r#""options": [{"key": "A", "text": "正确"}, {"key": "B", "text": "错误"}], "answer": ["A"]}"#,
//! );
//! let parsed = jsonl::parse(line);
//! assert!(parsed.errors.is_empty());
//! let bank = theory::Bank::new("demo".parse()?, theory::BankVersion(1), parsed.chapters, parsed.questions);
//! assert!(theory::validate(&bank, |_| true).is_usable());
//! let spec = PaperSpec::by_kind(TheoryExam::Subject1, 1, &[(theory::QuestionKind::TrueFalse, 1)]);
//! let paper = assemble(&bank, &spec, 42)?;
//! assert_eq!(paper.questions.len(), 1);
//! assert_eq!(ExamRules::subject1().pass_mark, 90);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod bank;
mod day;
mod ids;
pub mod import;
mod paper;
mod retake;
mod rng;
mod rules;
mod sitting;
mod validate;

#[cfg(test)]
mod test_support;

pub use bank::{AnswerSet, Bank, Choice, MediaKind, MediaRef, Question, QuestionKind, TheoryExam};
pub use day::LocalDay;
pub use ids::{BankId, BankVersion, ChapterId, IdError, OptionKey, QuestionId};
pub use paper::{
    AssemblyError, Attempt, Paper, PaperSpec, Quota, assemble, assemble_retake, rebuild,
};
pub use retake::{RetakeRefusal, SittingRecord, check_retake};
pub use rng::SplitMix64;
pub use rules::ExamRules;
pub use sitting::{
    EndReason, Event, InvalidTransition, Mark, Outcome, Progress, QuestionKey, Ready, Sitting,
    SittingError, Verdict,
};
pub use validate::{Finding, Problem, Report, Severity, validate};
