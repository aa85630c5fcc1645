//! Desk enrolment: several impressions captured from a configured sensor, checked against each other with
//! [`consistent`], and the chosen one enrolled into the identity registry (`state.identity`), sealed at rest.
//! `POST /api/v1/devices/{id}/enroll` ([`enroll`]) is the route; `examd sensor enroll --server …` calls it.
//! No response carries a template: only its SHA-256, as the `identity.enrolled` event does.

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use model::Role;
use serde::{Deserialize, Serialize};

use super::cli::{Chosen, consistent};
use super::monitor::CaptureError;
use super::{DeviceId, DevicesArea};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::identity::{IdentityError, PersonRef};
use crate::state::AppState;

/// Roles that may enrol at a desk: staff, and an enrolment desk's device account.
pub const ENROLLERS: &[Role] = &[Role::Admin, Role::Examiner, Role::Device];

/// Fewest and most impressions one enrolment takes.
pub const IMPRESSIONS: std::ops::RangeInclusive<u32> = 2..=10;

/// Longest wait for one placement or one lift that a request may ask for, ms.
pub const MAX_WAIT_MS: u64 = 60_000;

/// `POST /api/v1/devices/{id}/enroll` body, version 1.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollRequestV1 {
    /// `candidate:<id>` or `examiner:<name>`.
    pub person: String,
    /// Display name (kept, or the id for a new person, if omitted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Impressions to capture, 2 to 10 (default 3).
    #[serde(default = "default_impressions")]
    pub impressions: u32,
    /// How long to wait for each placement, ms (default 15 000).
    #[serde(default = "default_wait_ms")]
    pub wait_ms: u64,
    /// How long to wait for the finger to be lifted between impressions, ms (default 5 000); a finger that
    /// stays is captured again when it runs out.
    #[serde(default = "default_lift_ms")]
    pub lift_ms: u64,
}

fn default_impressions() -> u32 {
    3
}
fn default_wait_ms() -> u64 {
    15_000
}
fn default_lift_ms() -> u64 {
    5_000
}

/// What a desk enrolment wrote (never a template).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrolledV1 {
    /// Whose template.
    pub person: String,
    /// The sensor it came from.
    pub device: String,
    /// Impressions captured.
    pub impressions: u32,
    /// The impression enrolled, from 1.
    pub chosen: u32,
    /// The lowest score between any two impressions.
    pub lowest: f32,
    /// The threshold every pair had to reach (FMR 1 in 10,000).
    pub threshold: f32,
    /// Quality of the enrolled impression, 0–100.
    pub quality: u8,
    /// Its minutiae.
    pub minutiae: usize,
    /// Templates the person now has enrolled.
    pub templates: usize,
    /// SHA-256 of each enrolled record, hex.
    pub sha256: Vec<String>,
    /// The seq of the `identity.enrolled` event.
    pub seq: u64,
}

/// Why a desk enrolment was refused; each message names the impression or pair at fault.
#[derive(Debug, thiserror::Error)]
pub enum EnrollError {
    /// The request is malformed.
    #[error("{0}")]
    Invalid(String),
    /// No sensor with this id is configured.
    #[error("no sensor {0} is configured")]
    UnknownDevice(String),
    /// An impression could not be captured (no finger in time, sensor not connected, link failure).
    #[error("impression {impression}: {error}")]
    Capture {
        /// Which impression, from 1.
        impression: u32,
        /// Why.
        error: CaptureError,
    },
    /// An impression was captured but the extractor could not use it.
    #[error(
        "impression {impression} is unusable ({detail}): enrol again with a clean, centred finger"
    )]
    Unusable {
        /// Which impression, from 1.
        impression: u32,
        /// What the extractor said.
        detail: String,
    },
    /// Two impressions do not match each other; names the pair.
    #[error("{0}")]
    Inconsistent(String),
    /// The registry refused or failed.
    #[error(transparent)]
    Identity(#[from] IdentityError),
}

impl From<EnrollError> for ApiError {
    fn from(e: EnrollError) -> Self {
        match e {
            EnrollError::Invalid(m) => ApiError::BadRequest(m),
            EnrollError::UnknownDevice(_) => ApiError::NotFound("device"),
            EnrollError::Capture { .. }
            | EnrollError::Unusable { .. }
            | EnrollError::Inconsistent(_) => ApiError::Conflict(e.to_string()),
            EnrollError::Identity(e) => e.into(),
        }
    }
}

/// The impressions of one enrolment and the one chosen.
#[derive(Debug, Clone)]
pub struct Impressions {
    /// Every impression's template, in capture order.
    pub templates: Vec<scoring::Template>,
    /// The chosen one and the lowest agreement.
    pub chosen: Chosen,
}

impl DevicesArea {
    /// Captures `n` impressions from sensor `id` (waiting up to `wait` for each placement and up to `lift`
    /// for the finger to be lifted between them), refuses an unusable impression, and checks that every
    /// two agree ([`consistent`]).
    pub async fn capture_impressions(
        &self,
        id: &DeviceId,
        n: u32,
        wait: Duration,
        lift: Duration,
    ) -> Result<Impressions, EnrollError> {
        if !IMPRESSIONS.contains(&n) {
            return Err(EnrollError::Invalid(format!(
                "impressions must be 2 to 10, got {n}"
            )));
        }
        if !self.list().iter().any(|s| &s.spec.id == id) {
            return Err(EnrollError::UnknownDevice(id.to_string()));
        }
        let mut templates = Vec::with_capacity(n as usize);
        for k in 1..=n {
            let c = self
                .capture(id, wait)
                .await
                .map_err(|error| EnrollError::Capture {
                    impression: k,
                    error,
                })?;
            let t = c.template.map_err(|detail| EnrollError::Unusable {
                impression: k,
                detail,
            })?;
            templates.push(t);
            if k < n {
                self.wait_lift(id, lift).await;
            }
        }
        let chosen = consistent(&templates).map_err(EnrollError::Inconsistent)?;
        Ok(Impressions { templates, chosen })
    }

    /// Waits up to `within` for the sensor task to see no finger on sensor `id`.
    async fn wait_lift(&self, id: &DeviceId, within: Duration) {
        let until = tokio::time::Instant::now() + within;
        loop {
            let present = self
                .list()
                .iter()
                .find(|s| &s.spec.id == id)
                .is_some_and(|s| s.status.finger_present);
            if !present || tokio::time::Instant::now() >= until {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// `POST /api/v1/devices/{id}/enroll` — captures the impressions at the sensor, checks them, and enrols the
/// chosen one for the person (replacing their earlier templates).
pub async fn enroll(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(b): Json<EnrollRequestV1>,
) -> Result<Json<EnrolledV1>, ApiError> {
    caller.require(ENROLLERS)?;
    let person: PersonRef = b
        .person
        .parse()
        .map_err(|e| ApiError::BadRequest(format!("person: {e}")))?;
    let id: DeviceId = id
        .parse()
        .map_err(|e| ApiError::BadRequest(format!("device id: {e}")))?;
    for (what, ms) in [("wait_ms", b.wait_ms), ("lift_ms", b.lift_ms)] {
        if ms > MAX_WAIT_MS {
            return Err(ApiError::BadRequest(format!(
                "{what} must be at most {MAX_WAIT_MS}, got {ms}"
            )));
        }
    }
    let imp = st
        .areas
        .devices
        .capture_impressions(
            &id,
            b.impressions,
            Duration::from_millis(b.wait_ms),
            Duration::from_millis(b.lift_ms),
        )
        .await?;
    let t = imp.templates[imp.chosen.index].clone();
    let (quality, minutiae) = (t.quality, t.minutiae.len());
    let summary = st
        .identity
        .enroll(person, b.name.as_deref(), vec![t], caller.name.as_str())
        .await
        .map_err(EnrollError::from)?;
    tracing::info!(person = %summary.person, device = %id, chosen = imp.chosen.index + 1, "desk enrolment");
    Ok(Json(EnrolledV1 {
        person: summary.person,
        device: id.to_string(),
        impressions: b.impressions,
        chosen: imp.chosen.index as u32 + 1,
        lowest: imp.chosen.lowest,
        threshold: scoring::THRESHOLD_FMR_10000.0,
        quality,
        minutiae,
        templates: summary.templates,
        sha256: summary.sha256,
        seq: summary.seq,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_the_impression_and_map_to_statuses() {
        let e = EnrollError::Capture {
            impression: 2,
            error: CaptureError::NoFinger("desk".into()),
        };
        assert_eq!(
            e.to_string(),
            "impression 2: no finger on sensor desk in time"
        );
        assert!(matches!(ApiError::from(e), ApiError::Conflict(_)));
        assert!(matches!(
            ApiError::from(EnrollError::UnknownDevice("x".into())),
            ApiError::NotFound("device")
        ));
        let r: EnrollRequestV1 = serde_json::from_str(r#"{"person":"candidate:D1"}"#).unwrap();
        assert_eq!((r.impressions, r.wait_ms, r.lift_ms), (3, 15_000, 5_000));
        assert!(
            serde_json::from_str::<EnrollRequestV1>(r#"{"person":"x","template":"00"}"#).is_err()
        );
    }
}
