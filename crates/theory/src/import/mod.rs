//! Turning bank files into [`crate::Question`]s, without reading any file.
//!
//! * [`jsonl`]: the JSON Lines format, one question per line (the public banks' `normalized.jsonl`
//!   and the project's own synthetic bank).
//! * [`beinet`]: the per-question text files of the Beinet bank, decoded from GBK by the caller.
//! * [`umeit`]: the rows of the `tbl_question` table of the SQLite banks `km1.db` / `km4.db`.
//!   The daemon fetches the rows; the mapping here is pure.

pub mod beinet;
pub mod jsonl;
pub mod umeit;

use std::fmt;

/// Why one line or row could not become a question.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The line is not JSON of the expected shape.
    #[error("not a question record: {0}")]
    Json(String),
    /// An id, chapter or option key is not acceptable.
    #[error(transparent)]
    Id(#[from] crate::IdError),
    /// The `type` is not one we know.
    #[error("unknown question type {0:?} (expected judge, single or multi)")]
    UnknownKind(String),
    /// The `subject` is not a theory test.
    #[error("subject {0} is not a theory test (expected 1 or 4)")]
    UnknownSubject(i64),
    /// The question lists more than one media file; the model holds one.
    #[error("{0} media files for one question; only one is supported")]
    TooManyMedia(usize),
    /// More option pictures than options.
    #[error("{media} option pictures for {options} options")]
    OptionMediaCount {
        /// Option pictures given.
        media: usize,
        /// Options given.
        options: usize,
    },
    /// The answer field cannot be read.
    #[error("answer {0:?} is not a list of option numbers 1 to 8")]
    BadAnswer(String),
    /// A text record has fewer fields than stem, images, answer and explanation.
    #[error("only {0} fields; expected stem, images, answer, explanation and options")]
    MissingFields(usize),
    /// More options than the eight keys A to H.
    #[error("{0} options; at most 8 are supported")]
    TooManyOptions(usize),
}

/// A record that could not be imported, with where it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1-based line (JSON Lines) or row number.
    pub line: usize,
    /// What was wrong.
    pub error: RecordError,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "第 {} 行无法导入 / line {}: {}",
            self.line, self.line, self.error
        )
    }
}
