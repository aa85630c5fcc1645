//! Fingerprint minutiae extraction and matching, ISO/IEC 19794-2 templates, and the fpeval tool.
//!
//! ```
//! use scoring::{Minutia, MinutiaKind, Template};
//! let t = Template { width: 300, height: 300, quality: 0, minutiae: vec![
//!     Minutia { x: 10, y: 20, angle: 0, kind: MinutiaKind::Ending, quality: 50 },
//! ]};
//! assert_eq!(Template::from_bytes(&t.to_bytes()).unwrap(), t);
//! ```
#![warn(missing_docs)]

pub mod eval;
mod extract;
pub mod gallery;
pub mod iso;
mod template;

pub use iso::{TemplateError, TemplateErrorKind};
pub use template::{MAX_MINUTIAE, Minutia, MinutiaKind, Template};
pub mod matcher;

#[doc(hidden)]
pub use extract::debug_stages;
pub use extract::{
    ExtractError, ExtractErrorKind, GrayImage, Limits, MIN_MINUTIAE, decode_image, extract,
    extract_raw, to_500ppi,
};
#[doc(hidden)]
pub use matcher::compare_naive;
pub use matcher::{
    Explanation, Prepared, Score, THRESHOLD_FMR_1000, THRESHOLD_FMR_10000, compare,
    compare_prepared, explain,
};
