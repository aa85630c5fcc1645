//! Fingerprints in the hall: a probe as a seat's or examiner's reader sends it, the 1:1 check
//! against the person's enrolled templates in the site's identity registry, and the 1:N search
//! over the day's drawn roster that tells a stand-in from the seat's candidate ([`seat_check`]).
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

/// What a finger at a seat is, from the 1:1 verdict against the seat's candidate and the 1:N
/// ranking over the day's roster.
#[derive(Debug, Clone, PartialEq)]
pub enum SeatCheck {
    /// The seat's candidate: the 1:1 check passed and nobody on the roster matches better.
    Candidate,
    /// Not the seat's candidate, and nobody else on the roster either.
    NoMatch,
    /// Another rostered candidate matches (at the threshold or above) better than the seat's
    /// candidate: refused as a stand-in suspicion, naming both.
    StandIn {
        /// The candidate the finger matches best.
        other: String,
        /// Their 1:N score.
        score: f32,
    },
}

/// Decides a seat's finger: `one` is the 1:1 verdict against `candidate`, `ranked` the 1:N
/// search over the day's roster, best first (empty when the seat has no drawn roster). Pure.
pub fn seat_check(candidate: &str, one: &Verdict, ranked: &[(String, f32)]) -> SeatCheck {
    if let Some((other, score)) = ranked.first()
        && other != candidate
        && *score >= one.threshold
        && *score > one.score
    {
        return SeatCheck::StandIn {
            other: other.clone(),
            score: *score,
        };
    }
    if one.matched {
        SeatCheck::Candidate
    } else {
        SeatCheck::NoMatch
    }
}

/// The 1:N ranking of `probe` over the drawn roster `roster` (a booking session's sitting in the
/// identity registry): the two best candidates with their scores.
pub async fn rank(
    st: &AppState,
    roster: &str,
    probe: &Template,
) -> Result<Vec<(String, f32)>, ApiError> {
    let sitting: crate::identity::SittingId = roster
        .parse()
        .map_err(|e| ApiError::BadRequest(format!("roster {roster:?}: {e}")))?;
    Ok(st
        .identity
        .identify(&sitting, probe, 2)
        .await?
        .into_iter()
        .map(|(c, s)| (c.as_str().to_owned(), s.0))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(score: f32) -> Verdict {
        Verdict {
            score,
            threshold: 40.0,
            matched: score >= 40.0,
        }
    }

    fn ranked(r: &[(&str, f32)]) -> Vec<(String, f32)> {
        r.iter().map(|(c, s)| ((*c).to_owned(), *s)).collect()
    }

    #[test]
    fn the_seats_candidate_ranked_first_logs_in() {
        let r = ranked(&[("a", 80.0), ("b", 12.0)]);
        assert_eq!(seat_check("a", &v(80.0), &r), SeatCheck::Candidate);
        // Without a drawn roster, the 1:1 check alone decides.
        assert_eq!(seat_check("a", &v(80.0), &[]), SeatCheck::Candidate);
        assert_eq!(seat_check("a", &v(10.0), &[]), SeatCheck::NoMatch);
    }

    #[test]
    fn a_finger_matching_another_rostered_candidate_better_is_a_stand_in() {
        // Even when it also passes 1:1 against the seat's candidate.
        let r = ranked(&[("b", 90.0), ("a", 45.0)]);
        assert_eq!(
            seat_check("a", &v(45.0), &r),
            SeatCheck::StandIn {
                other: "b".into(),
                score: 90.0
            }
        );
        let r = ranked(&[("b", 60.0), ("a", 5.0)]);
        assert!(
            matches!(seat_check("a", &v(5.0), &r), SeatCheck::StandIn { other, .. } if other == "b")
        );
    }

    #[test]
    fn someone_below_the_threshold_ranking_first_is_just_no_match() {
        let r = ranked(&[("b", 20.0), ("a", 10.0)]);
        assert_eq!(seat_check("a", &v(10.0), &r), SeatCheck::NoMatch);
        // A tie with the seat's candidate is not a stand-in.
        let r = ranked(&[("b", 70.0), ("a", 70.0)]);
        assert_eq!(seat_check("a", &v(70.0), &r), SeatCheck::Candidate);
    }
}
