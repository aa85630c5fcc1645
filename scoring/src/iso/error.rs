//! The error of the template codecs.

use std::fmt;

/// A template could not be decoded or encoded.
///
/// The error names the field at fault (for example `"minutia 3 angle"` or `"total record length"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    kind: TemplateErrorKind,
    field: String,
}

/// What went wrong, in broad classes. More classes may be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TemplateErrorKind {
    /// The input ended before the field.
    Truncated,
    /// The field holds a value the format does not allow.
    Invalid,
    /// The record holds bytes after its declared end, or its declared length disagrees with its content.
    LengthMismatch,
    /// The magic bytes or version are not those of a supported format.
    UnknownFormat,
    /// A value is too large to be written in the format (e.g. more than 255 minutiae).
    TooLarge,
}

impl TemplateError {
    pub(crate) fn new(kind: TemplateErrorKind, field: impl Into<String>) -> Self {
        Self {
            kind,
            field: field.into(),
        }
    }

    /// The class of the error.
    pub fn kind(&self) -> TemplateErrorKind {
        self.kind
    }

    /// The name of the field at fault.
    pub fn field(&self) -> &str {
        &self.field
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TemplateErrorKind::Truncated => "template truncated at field",
            TemplateErrorKind::Invalid => "invalid value in field",
            TemplateErrorKind::LengthMismatch => "length disagrees with content in field",
            TemplateErrorKind::UnknownFormat => "unsupported template format, field",
            TemplateErrorKind::TooLarge => "value too large for field",
        };
        write!(f, "{what} '{}'", self.field)
    }
}

impl std::error::Error for TemplateError {}
