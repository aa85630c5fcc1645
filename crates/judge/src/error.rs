//! Errors for malformed inputs. Grading itself never fails: bad exam data becomes deductions or findings.

use thiserror::Error;

/// A telemetry line that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TelemetryError {
    /// The line is not a JSON object of the expected shape.
    #[error("telemetry line {line}: invalid JSON: {message}")]
    Json {
        /// 1-based line number.
        line: usize,
        /// The parser's message.
        message: String,
    },
    /// A required field is absent.
    #[error("telemetry line {line}: missing required field `{field}`")]
    MissingField {
        /// 1-based line number.
        line: usize,
        /// The field name.
        field: &'static str,
    },
    /// A field has a value outside its domain (an unknown gear, a negative speed, NaN).
    #[error("telemetry line {line}: invalid value for `{field}`")]
    BadValue {
        /// 1-based line number.
        line: usize,
        /// The field name.
        field: &'static str,
    },
    /// A record's time is earlier than the previous record's.
    #[error("telemetry line {line}: time goes backwards ({t_ms} ms after {prev} ms)")]
    TimeBackwards {
        /// 1-based line number.
        line: usize,
        /// This line's time.
        t_ms: u64,
        /// The previous line's time.
        prev: u64,
    },
    /// The underlying reader failed.
    #[error("telemetry line {line}: read error: {message}")]
    Io {
        /// 1-based line number.
        line: usize,
        /// The reader's message.
        message: String,
    },
}

/// A course map that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CourseError {
    /// Not GeoJSON of the expected shape.
    #[error("course map: invalid JSON: {0}")]
    Json(String),
    /// The `examd` foreign member is missing or has an unsupported version.
    #[error("course map: missing or unsupported `examd` member (version 1 expected)")]
    Header,
    /// A feature of a known kind has the wrong geometry type or too few points.
    #[error("course map: feature {index} (`{kind}`): {problem}")]
    Geometry {
        /// 0-based feature index.
        index: usize,
        /// The feature's kind.
        kind: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// A feature lacks a property its kind needs.
    #[error("course map: feature {index} (`{kind}`): missing property `{property}`")]
    Property {
        /// 0-based feature index.
        index: usize,
        /// The feature's kind.
        kind: String,
        /// The property name.
        property: &'static str,
    },
    /// An item lacks geometry it needs.
    #[error("course map: item `{item}` ({item_kind}) has no {what}")]
    ItemIncomplete {
        /// The item id.
        item: String,
        /// The item kind.
        item_kind: &'static str,
        /// What is missing.
        what: &'static str,
    },
    /// The map mixes Subject 2 items and a Subject 3 route.
    #[error("course map: mixes Subject 2 items with a Subject 3 route")]
    MixedSubjects,
}

/// A vehicle profile that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VehicleError {
    /// Not JSON of the expected shape.
    #[error("vehicle profile: invalid JSON: {0}")]
    Json(String),
    /// Unknown licence class.
    #[error("vehicle profile: unknown class `{0}`")]
    Class(String),
    /// Dimensions that cannot describe a car.
    #[error("vehicle profile: {0}")]
    Dimensions(&'static str),
}

/// A rule catalogue that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CatalogueError {
    /// Not TOML of the expected shape.
    #[error("rule catalogue: {0}")]
    Toml(String),
    /// Two rules with the same code.
    #[error("rule catalogue: duplicate code {0}")]
    Duplicate(String),
    /// A variant or regional override names a code with no rule and is not a complete rule itself.
    #[error("rule catalogue: override of unknown code {0} is not a complete rule")]
    UnknownOverride(String),
    /// A field has a value outside its domain.
    #[error("rule catalogue: rule {code}: {problem}")]
    Invalid {
        /// The rule code.
        code: String,
        /// What is wrong.
        problem: String,
    },
}
