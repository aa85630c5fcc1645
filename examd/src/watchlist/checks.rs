//! The two places a finger is searched against the watch-list.
//!
//! - **Gate** ([`super::WatchlistArea::check_gate`]): every door scan, beside the roster's 1:N, on the request's
//!   blocking thread. A hit ([`GateHit`]) goes to the gate service with the scan; the service refuses entry at any
//!   door whatever the roster said, raises a `watchlist` gate alarm and logs the `watchlist.hit` in the same batch
//!   as its decision.
//! - **Enrolment** ([`enrolment`]): every `identity.enrolled` and `identity.roster_imported` event of the log
//!   (desk, API, booking draw and roster imports alike). Each candidate who came with templates is searched
//!   against the active watch-list (`watchlist.hit`, place `enrolment`) and against every other enrolled
//!   candidate (`identity.duplicate_applicant`). The enrolment stays recorded; the alarms flag it for staff.

use std::sync::Arc;

use model::{EventKind, SubjectRef};
use serde_json::{Value, json};
use store::identity::PersonKind;
use store::{Draft, StoreError};

use super::events::{DuplicateV1, HitV1};
use super::model::{Entry, WatchId};
use super::search::{Cost, threshold};
use super::{WatchlistArea, lock};

/// A door scan that matched a watch-list entry.
#[derive(Debug, Clone, PartialEq)]
pub struct GateHit {
    /// The entry.
    pub entry: WatchId,
    /// The matcher's score.
    pub score: f32,
    /// The entry's reason code.
    pub reason: &'static str,
    /// The reason as staff read it (中文, English).
    pub reason_label: (&'static str, &'static str),
    /// The listed person's name, if known.
    pub name: Option<String>,
    /// The search.
    pub cost: Cost,
}

impl GateHit {
    pub(super) fn new(e: &Entry, score: f32, cost: Cost) -> GateHit {
        GateHit {
            entry: e.id,
            score,
            reason: e.reason.code(),
            reason_label: e.reason.label(),
            name: e.person.name.clone(),
            cost,
        }
    }

    /// The `watchlist.hit` event of a scan at `door` from `device`, claiming `claim`.
    pub fn event(&self, door: &str, device: &str, claim: Option<&str>) -> Draft {
        HitV1 {
            entry: self.entry.to_string(),
            reason: self.reason.into(),
            score: self.score,
            threshold: threshold(),
            place: "gate".into(),
            door: Some(door.into()),
            device: Some(device.into()),
            claim: claim.map(Into::into),
            person: None,
            enrolment_seq: None,
            gallery_templates: self.cost.templates,
            search_us: self.cost.took.as_micros() as u64,
        }
        .draft()
    }

    /// The gate alarm's detail.
    pub fn alarm_detail(&self, claim: Option<&str>) -> Value {
        json!({
            "entry": self.entry.to_string(),
            "reason": self.reason,
            "name": self.name,
            "claim": claim,
            "score": self.score,
        })
    }

    /// What the terminal is told (`denied` of the scan outcome): the reason and a message in both languages.
    pub fn denied(&self) -> Value {
        let (zh, en) = self.reason_label;
        json!({
            "reason": "watchlist",
            "entry": self.entry.to_string(),
            "message": format!("黑名单人员（{zh}），禁止入场，请联系考试员"),
            "message_en": format!("On the watch-list ({en}): entry refused, please see an examiner"),
        })
    }
}

/// The candidates an `identity.*` event enrolled templates for (`candidate:<id>`).
pub fn enrolled_candidates(kind: EventKind, payload: &[u8]) -> Vec<String> {
    let Ok(v) = serde_json::from_slice::<Value>(payload) else {
        return Vec::new();
    };
    let people: Vec<String> = match kind {
        EventKind::IdentityEnrolled => v["person"]
            .as_str()
            .map(str::to_owned)
            .into_iter()
            .collect(),
        EventKind::IdentityRosterImported => v["enrolled"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| p["person"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    people
        .into_iter()
        .filter(|p| p.starts_with("candidate:"))
        .collect()
}

/// Checks the candidates one `identity.*` event (at `seq`) enrolled, in order, and logs what matched. Each is
/// then put into the enrolled-people gallery, so two applicants with one finger in a single import are caught.
pub async fn enrolment(
    area: &Arc<WatchlistArea>,
    seq: u64,
    people: Vec<String>,
) -> anyhow::Result<()> {
    let mut drafts: Vec<Draft> = Vec::new();
    for person in people {
        let Some(templates) = templates_of(area, &person).await? else {
            continue;
        };
        let a = area.clone();
        let p = person.clone();
        let (found, dups, cost) =
            tokio::task::spawn_blocking(move || a.search_enrolment(&p, &templates)).await?;
        area.note_search(cost);
        if let Some((entry, score)) = found {
            drafts.push(
                HitV1 {
                    entry: entry.to_string(),
                    reason: area
                        .entry(entry)
                        .map_or("other", |e| e.reason.code())
                        .into(),
                    score,
                    threshold: threshold(),
                    place: "enrolment".into(),
                    door: None,
                    device: None,
                    claim: None,
                    person: Some(person.clone()),
                    enrolment_seq: Some(seq),
                    gallery_templates: area.watch_templates(),
                    search_us: cost.took.as_micros() as u64,
                }
                .draft(),
            );
        }
        for (matched, score) in dups {
            drafts.push(
                DuplicateV1 {
                    person: person.clone(),
                    matched,
                    score,
                    threshold: threshold(),
                    enrolment_seq: seq,
                    gallery_templates: cost.templates,
                    search_us: cost.took.as_micros() as u64,
                }
                .draft(),
            );
        }
    }
    if !drafts.is_empty() {
        tracing::warn!(
            enrolment = seq,
            alarms = drafts.len(),
            "enrolment flagged by the watch-list checks"
        );
        area.log.append_many(drafts).await?;
    }
    Ok(())
}

/// A candidate's enrolled templates (`None` when not enrolled).
async fn templates_of(
    area: &Arc<WatchlistArea>,
    person: &str,
) -> anyhow::Result<Option<Vec<scoring::Template>>> {
    let id = person.trim_start_matches("candidate:");
    let rows = match area.store.person(PersonKind::Candidate, id).await {
        Ok((_, rows)) => rows,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let key = area.identity.clone();
    let owner = person.to_owned();
    let templates = tokio::task::spawn_blocking(move || {
        rows.iter()
            .filter_map(|r| {
                let plain = key.template_key().open(&owner, &r.sealed).ok()?;
                scoring::Template::from_standard_bytes(&plain).ok()
            })
            .collect::<Vec<_>>()
    })
    .await?;
    Ok(Some(templates))
}

/// Puts the candidates of an enrolment that was checked before (its alarms are logged) into the enrolled-people
/// gallery without searching again.
pub async fn admit(area: &Arc<WatchlistArea>, people: Vec<String>) -> anyhow::Result<()> {
    for person in people {
        if let Some(templates) = templates_of(area, &person).await? {
            lock(&area.people).replace(&person, &templates);
        }
    }
    Ok(())
}

/// The subject of a watch-list entry's person, if their ID number is known.
pub fn subject_of(e: &Entry) -> Option<SubjectRef> {
    e.person
        .id_number
        .as_ref()
        .map(|c| SubjectRef::new(model::SubjectKind::Candidate, c.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_enrolled_candidates_are_read_from_both_identity_events() {
        let one = json!({ "person": "candidate:A1", "sha256": ["00"] }).to_string();
        assert_eq!(
            enrolled_candidates(EventKind::IdentityEnrolled, one.as_bytes()),
            vec!["candidate:A1"]
        );
        let ex = json!({ "person": "examiner:wang" }).to_string();
        assert!(enrolled_candidates(EventKind::IdentityEnrolled, ex.as_bytes()).is_empty());
        let import = json!({ "enrolled": [
            { "person": "candidate:A1", "sha256": [] },
            { "person": "examiner:wang", "sha256": [] },
            { "person": "candidate:A2", "sha256": [] },
        ] })
        .to_string();
        assert_eq!(
            enrolled_candidates(EventKind::IdentityRosterImported, import.as_bytes()),
            vec!["candidate:A1", "candidate:A2"]
        );
        assert!(enrolled_candidates(EventKind::GateScan, import.as_bytes()).is_empty());
        assert!(enrolled_candidates(EventKind::IdentityEnrolled, b"not json").is_empty());
    }

    #[test]
    fn the_terminal_is_told_why_in_both_languages() {
        let h = GateHit {
            entry: WatchId(3),
            score: 0.4,
            reason: "stand_in",
            reason_label: ("代考", "stand-in"),
            name: Some("王某".into()),
            cost: Cost::default(),
        };
        let d = h.denied();
        assert_eq!(d["reason"], "watchlist");
        assert!(d["message"].as_str().unwrap().contains("代考"));
        assert!(d["message_en"].as_str().unwrap().contains("stand-in"));
        let e = h.event("A", "gate-a", Some("D1"));
        assert_eq!(e.kind, EventKind::WatchlistHit);
        let p: Value = serde_json::from_slice(&e.payload).unwrap();
        assert_eq!(
            (p["entry"].as_str(), p["place"].as_str()),
            (Some("WL-00003"), Some("gate"))
        );
    }
}
