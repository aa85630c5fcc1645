//! The error of gallery building and of the gallery file codec.

use std::fmt;

/// A gallery could not be built, changed or decoded.
///
/// The error names what was wrong (for example `"entry 17 minutia count"` or `"checksum"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GalleryError {
    kind: GalleryErrorKind,
    what: String,
}

/// What went wrong, in broad classes. More classes may be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum GalleryErrorKind {
    /// An entry with this id is already in the gallery.
    DuplicateId,
    /// The file ended before the named field.
    Truncated,
    /// The magic bytes or the version are not those of a gallery file this build reads.
    UnknownFormat,
    /// The stored checksum disagrees with the content: the file is damaged.
    Checksum,
    /// A field holds a value the format does not allow.
    Invalid,
    /// The file declares more than the caller's limit (entries or bytes).
    TooLarge,
    /// The file holds bytes after its declared end.
    TrailingBytes,
}

impl GalleryError {
    pub(crate) fn new(kind: GalleryErrorKind, what: impl Into<String>) -> Self {
        Self {
            kind,
            what: what.into(),
        }
    }

    /// The class of the error.
    pub fn kind(&self) -> GalleryErrorKind {
        self.kind
    }

    /// The field or entry at fault.
    pub fn what(&self) -> &str {
        &self.what
    }
}

impl fmt::Display for GalleryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let msg = match self.kind {
            GalleryErrorKind::DuplicateId => "gallery already holds entry",
            GalleryErrorKind::Truncated => "gallery file truncated at",
            GalleryErrorKind::UnknownFormat => "not a gallery file this build reads:",
            GalleryErrorKind::Checksum => "gallery file damaged (checksum mismatch):",
            GalleryErrorKind::Invalid => "invalid value in gallery file at",
            GalleryErrorKind::TooLarge => "gallery file larger than allowed:",
            GalleryErrorKind::TrailingBytes => "gallery file has bytes after its end:",
        };
        write!(f, "{msg} {}", self.what)
    }
}

impl std::error::Error for GalleryError {}
