//! Fingerprints in the hall: a probe as a seat's or examiner's reader sends it, and the 1:1 check
//! against the person's enrolled templates in the site's identity registry.
//!
//! A probe is the request body: an 8-bit image (`Content-Type: image/…`, extracted at `ppi`,
//! default 500), an ISO/IEC 19794-2 (or ANSI 378) record as hex (`text/plain`), or the record's
//! bytes (any other type). Templates never leave the daemon and never enter the log: events carry
//! the score and the threshold only.

use axum::http::{HeaderMap, header};
use scoring::Template;

use crate::error::ApiError;
use crate::identity::{PersonRef, Verdict};
use crate::state::AppState;

/// The resolution assumed for an image probe when the reader does not state one.
pub const DEFAULT_PPI: u32 = 500;

/// The template of a probe; errors say what was wrong with it.
pub fn probe(headers: &HeaderMap, body: &[u8], ppi: Option<u32>) -> Result<Template, ApiError> {
    if body.is_empty() {
        return Err(ApiError::BadRequest(
            "finger: empty body (send an image, or an ISO/IEC 19794-2 record as bytes or hex)"
                .into(),
        ));
    }
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct.starts_with("image/") {
        let ppi = ppi.unwrap_or(DEFAULT_PPI);
        if !(250..=1000).contains(&ppi) {
            return Err(ApiError::BadRequest(format!(
                "finger: ppi {ppi} is outside 250..=1000"
            )));
        }
        let img = scoring::decode_image(body, scoring::Limits::default())
            .map_err(|e| ApiError::BadRequest(format!("finger image: {e}")))?;
        return scoring::extract(&img, ppi).map_err(|e| {
            if e.is_unusable() {
                ApiError::Conflict(format!(
                    "指纹图像不可用，请重按 / the image holds no usable finger, press again ({e})"
                ))
            } else {
                ApiError::BadRequest(format!("finger image: {e}"))
            }
        });
    }
    let bytes = if ct.starts_with("text/plain") {
        let text = std::str::from_utf8(body)
            .map_err(|_| ApiError::BadRequest("finger: hex text is not UTF-8".into()))?;
        hex::decode(text.trim())
            .map_err(|e| ApiError::BadRequest(format!("finger: hex record: {e}")))?
    } else {
        body.to_vec()
    };
    Template::from_standard_bytes(&bytes)
        .map_err(|e| ApiError::BadRequest(format!("finger record: {e}")))
}

/// The registry's person for a candidate id as a seat holds it.
pub fn candidate(id: &str) -> Result<PersonRef, ApiError> {
    id.parse()
        .map(PersonRef::Candidate)
        .map_err(|e| ApiError::BadRequest(format!("candidate id: {e}")))
}

/// The registry's person for an examiner's account name.
pub fn examiner(name: &str) -> Result<PersonRef, ApiError> {
    name.parse()
        .map(PersonRef::Examiner)
        .map_err(|e| ApiError::BadRequest(format!("examiner id: {e}")))
}

/// Compares `probe` with `who`'s enrolled templates in the identity registry (1:1).
pub async fn verify(st: &AppState, who: &PersonRef, probe: &Template) -> Result<Verdict, ApiError> {
    Ok(st.identity.verify(who, probe).await?)
}
