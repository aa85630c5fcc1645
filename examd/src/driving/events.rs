//! The payloads of the driving events (version 1, kinds 400–407).
//!
//! Raw telemetry is kept in the log itself, as `driving.telemetry` chunks of the exact v1 lines the
//! car sent (plus the examiner's manual deductions as v1 `manual_deduction` lines, where they were
//! judged). Inputs (course map, car, catalogue) are logged once each as `driving.input`, named by
//! SHA-256, and sessions refer to them by hash. So an exported, verified log is all an auditor needs
//! to re-judge a session: no side files to ship to central or to keep in step with the chain.

use model::{EventKind, SubjectKind, SubjectRef};
use serde::{Deserialize, Serialize};
use store::Draft;

pub use crate::photos::PhotoV1;

/// `driving.input`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct InputV1 {
    /// `course`, `vehicle` or `catalogue`.
    pub kind: String,
    /// Its name at the site (file stem).
    pub name: String,
    /// SHA-256 of `text`, hex.
    pub sha256: String,
    /// The exact text (GeoJSON, JSON, or the catalogue's files as a JSON list).
    pub text: String,
}

/// An input, by name and hash.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct InputRefV1 {
    /// Name.
    pub name: String,
    /// SHA-256, hex.
    pub sha256: String,
}

/// Who was checked at the car before the session started: with `driving.session_started` it
/// carries what the platform's subject-start message (17C51: serial, subject, candidate's and
/// examiner's ID, start time, car, photo) needs; the photo is the car camera's, by SHA-256.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IdentityV1 {
    /// The session it admitted (or would have).
    pub session: String,
    /// The sitting whose roster the 1:N search ran over.
    pub sitting: String,
    /// 2 or 3.
    pub subject: u8,
    /// The car (device account).
    pub car: String,
    /// The candidate.
    pub candidate: String,
    /// The examiner.
    pub examiner: String,
    /// 1:1 score of the candidate's finger against their enrolled template.
    pub candidate_score: f64,
    /// Who the 1:N search over the day's roster ranked first (must be the candidate).
    pub best_match: Option<String>,
    /// 1:1 score of the examiner's finger.
    pub examiner_score: f64,
    /// The matcher's decision threshold.
    pub threshold: f64,
    /// Whether all three checks passed.
    pub passed: bool,
    /// What failed, when something did.
    pub failure: Option<String>,
    /// The Subject 3 route the day's draw gave the candidate's group (absent when the sitting's
    /// roster was not drawn, or for Subject 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// The car camera's photo of the candidate (17C51 照片), or why there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<PhotoV1>,
    /// When.
    pub at: i64,
}

/// `driving.session_started`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StartedV1 {
    /// Session id.
    pub session: String,
    /// The car (its terminal's device account).
    pub car: String,
    /// The candidate.
    pub candidate: String,
    /// The examiner in the car.
    pub examiner: String,
    /// 2 or 3.
    pub subject: u8,
    /// Vehicle class (`C1`, `C2`).
    pub class: String,
    /// The course map.
    pub course: InputRefV1,
    /// The car's profile.
    pub vehicle: InputRefV1,
    /// The catalogue.
    pub catalogue: InputRefV1,
    /// GA 1026 edition, e.g. `GA1026-2017`.
    pub standard: String,
    /// Region code whose overrides apply.
    pub region: Option<String>,
    /// Pass mark for this subject and class.
    pub pass_mark: u8,
    /// When (server clock).
    pub at: i64,
}

/// `driving.telemetry`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TelemetryV1 {
    /// Session id.
    pub session: String,
    /// Chunk number, from 0, without gaps.
    pub chunk: u32,
    /// Telemetry v1 lines, each ending in `\n`, in the order they were judged.
    pub lines: String,
}

/// `driving.item_started` and `driving.item_ended`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ItemV1 {
    /// Session id.
    pub session: String,
    /// Item id (`rp1`) or Subject 3 manoeuvre (`pull_over`).
    pub item: String,
    /// Drive time, ms.
    pub t_ms: u64,
    /// When (server clock).
    pub at: i64,
}

/// `driving.deduction`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DeductionV1 {
    /// Session id.
    pub session: String,
    /// Drive time, ms.
    pub t_ms: u64,
    /// Item id or `general`.
    pub item: String,
    /// Rule code.
    pub code: String,
    /// Points lost (100 = 不合格).
    pub points: u8,
    /// Rule text and what was measured.
    pub reason: String,
    /// The score after it.
    pub score: u8,
    /// The examiner who entered it; `None` when the judge detected it.
    pub by: Option<String>,
    /// When (server clock).
    pub at: i64,
}

/// `driving.result`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ResultV1 {
    /// Session id.
    pub session: String,
    /// The candidate.
    pub candidate: String,
    /// 2 or 3.
    pub subject: u8,
    /// Final score.
    pub score: u8,
    /// Whether it reaches the pass mark.
    pub passed: bool,
    /// How many deductions.
    pub deductions: u32,
    /// `finished` (the car ended it), `pass_out_of_reach`, `disconnected`, `aborted`.
    pub ended: String,
    /// Telemetry lines judged.
    pub records: u64,
    /// Telemetry chunks logged.
    pub chunks: u32,
    /// SHA-256 of all judged lines concatenated, hex.
    pub telemetry_sha256: String,
    /// The car camera's photo at the end (17C56 照片), or why there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<PhotoV1>,
    /// When (server clock).
    pub at: i64,
}

/// `driving.photo`: a process photo (17C54 考试过程图片: 抓拍时间, 车速, 照片), taken when an item
/// starts and at each deduction.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PhotoEventV1 {
    /// Session id.
    pub session: String,
    /// `item_start` or `deduction`.
    pub trigger: String,
    /// The item (or `general`).
    pub item: String,
    /// The deduction's rule code, for a deduction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Drive time of the trigger, ms.
    pub t_ms: u64,
    /// The car's speed at the last sample before the trigger, km/h (车速).
    pub speed_kmh: Option<f64>,
    /// The photo (抓拍时间 is its `taken_at`), or why there is none.
    pub photo: PhotoV1,
    /// When it was logged (server clock).
    pub at: i64,
}

/// A driving event, decoded.
#[derive(Debug, Clone)]
pub enum DrivingEvent {
    /// An input text.
    Input(InputV1),
    /// A session started.
    Started(StartedV1),
    /// A telemetry chunk.
    Telemetry(TelemetryV1),
    /// An item started.
    ItemStarted(ItemV1),
    /// An item ended.
    ItemEnded(ItemV1),
    /// A deduction.
    Deduction(DeductionV1),
    /// A session ended.
    Result(ResultV1),
    /// Identity at the car.
    Identity(IdentityV1),
    /// A process photo.
    Photo(PhotoEventV1),
}

impl DrivingEvent {
    /// The event from a log record, if it is a driving event.
    pub fn decode(
        kind: EventKind,
        payload: &[u8],
    ) -> Option<Result<DrivingEvent, serde_json::Error>> {
        let p = payload;
        Some(match kind {
            EventKind::DrivingInput => serde_json::from_slice(p).map(DrivingEvent::Input),
            EventKind::DrivingSessionStarted => {
                serde_json::from_slice(p).map(DrivingEvent::Started)
            }
            EventKind::DrivingTelemetry => serde_json::from_slice(p).map(DrivingEvent::Telemetry),
            EventKind::DrivingItemStarted => {
                serde_json::from_slice(p).map(DrivingEvent::ItemStarted)
            }
            EventKind::DrivingItemEnded => serde_json::from_slice(p).map(DrivingEvent::ItemEnded),
            EventKind::DrivingDeduction => serde_json::from_slice(p).map(DrivingEvent::Deduction),
            EventKind::DrivingResult => serde_json::from_slice(p).map(DrivingEvent::Result),
            EventKind::DrivingIdentity => serde_json::from_slice(p).map(DrivingEvent::Identity),
            EventKind::DrivingPhoto => serde_json::from_slice(p).map(DrivingEvent::Photo),
            _ => return None,
        })
    }

    /// The session this event belongs to (inputs belong to none).
    pub fn session(&self) -> Option<&str> {
        match self {
            DrivingEvent::Input(_) => None,
            DrivingEvent::Started(e) => Some(&e.session),
            DrivingEvent::Telemetry(e) => Some(&e.session),
            DrivingEvent::ItemStarted(e) | DrivingEvent::ItemEnded(e) => Some(&e.session),
            DrivingEvent::Deduction(e) => Some(&e.session),
            DrivingEvent::Result(e) => Some(&e.session),
            DrivingEvent::Identity(e) => Some(&e.session),
            DrivingEvent::Photo(e) => Some(&e.session),
        }
    }

    /// The log entry for this event, about the session, and the candidate and car when given.
    pub fn draft(&self, candidate: Option<&str>, car: Option<&str>) -> Draft {
        let (kind, payload) = match self {
            DrivingEvent::Input(e) => (EventKind::DrivingInput, serde_json::to_vec(e)),
            DrivingEvent::Started(e) => (EventKind::DrivingSessionStarted, serde_json::to_vec(e)),
            DrivingEvent::Telemetry(e) => (EventKind::DrivingTelemetry, serde_json::to_vec(e)),
            DrivingEvent::ItemStarted(e) => (EventKind::DrivingItemStarted, serde_json::to_vec(e)),
            DrivingEvent::ItemEnded(e) => (EventKind::DrivingItemEnded, serde_json::to_vec(e)),
            DrivingEvent::Deduction(e) => (EventKind::DrivingDeduction, serde_json::to_vec(e)),
            DrivingEvent::Result(e) => (EventKind::DrivingResult, serde_json::to_vec(e)),
            DrivingEvent::Identity(e) => (EventKind::DrivingIdentity, serde_json::to_vec(e)),
            DrivingEvent::Photo(e) => (EventKind::DrivingPhoto, serde_json::to_vec(e)),
        };
        let mut subjects = Vec::new();
        if let Some(s) = self.session() {
            subjects.push(SubjectRef::new(SubjectKind::Session, s));
        }
        if let Some(c) = candidate {
            subjects.push(SubjectRef::new(SubjectKind::Candidate, c));
        }
        if let Some(c) = car {
            subjects.push(SubjectRef::new(SubjectKind::Device, c));
        }
        Draft {
            kind,
            subjects,
            payload: payload.expect("payloads serialise"),
        }
    }
}
