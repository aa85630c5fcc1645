//! The watch-list's events (kinds 600–603) and their payloads (`…V1`), and how the log replays into the
//! [`List`]. Payloads name templates by SHA-256 only.

use model::{EventKind, SubjectKind, SubjectRef, UnixMs};
use serde::{Deserialize, Serialize};
use store::Draft;

use super::model::{
    Duplicate, Entry, Hit, List, PersonInfo, Place, Reason, Removal, WatchId, parse_day,
};

/// `watchlist.added`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AddedV1 {
    /// `WL-00001`.
    pub entry: String,
    /// ID-card number, if known.
    pub id_number: Option<String>,
    /// Name, if known.
    pub name: Option<String>,
    /// `stand_in`, `forged_documents`, `exam_ban`, `other`.
    pub reason: String,
    /// An exam ban's last day, `YYYY-MM-DD`.
    pub until: Option<String>,
    /// Free text.
    pub note: String,
    /// Who added it.
    pub by: String,
    /// SHA-256 of each template record, hex.
    pub sha256: Vec<String>,
    /// Where the templates came from: `upload` or `candidate:<id>` (copied from the registry).
    pub source: String,
}

/// `watchlist.removed`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RemovedV1 {
    /// `WL-00001`.
    pub entry: String,
    /// Why.
    pub reason: String,
    /// Who.
    pub by: String,
}

/// `watchlist.hit`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HitV1 {
    /// `WL-00001`.
    pub entry: String,
    /// The entry's reason code.
    pub reason: String,
    /// The matcher's score.
    pub score: f32,
    /// The decision threshold (FMR 1 in 10,000).
    pub threshold: f32,
    /// `gate` or `enrolment`.
    pub place: String,
    /// Gate: the door.
    pub door: Option<String>,
    /// Gate: the terminal.
    pub device: Option<String>,
    /// Gate: the claimed candidate.
    pub claim: Option<String>,
    /// Enrolment: the person enrolled.
    pub person: Option<String>,
    /// Enrolment: the `identity.*` event.
    pub enrolment_seq: Option<u64>,
    /// Templates in the watch-list gallery searched.
    pub gallery_templates: usize,
    /// How long the search took, µs.
    pub search_us: u64,
}

/// `identity.duplicate_applicant`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DuplicateV1 {
    /// The person enrolled (`candidate:<id>`).
    pub person: String,
    /// The other enrolled person whose finger matched (`candidate:<id>`).
    pub matched: String,
    /// The matcher's score.
    pub score: f32,
    /// The decision threshold (FMR 1 in 10,000).
    pub threshold: f32,
    /// The `identity.*` event that enrolled `person`.
    pub enrolment_seq: u64,
    /// Templates in the enrolled-people gallery searched.
    pub gallery_templates: usize,
    /// How long the search took, µs.
    pub search_us: u64,
}

fn draft<T: Serialize>(kind: EventKind, subjects: Vec<SubjectRef>, p: &T) -> Draft {
    Draft {
        kind,
        subjects,
        payload: serde_json::to_vec(p).expect("payloads serialise"),
    }
}

fn candidate(id: &str) -> SubjectRef {
    SubjectRef::new(
        SubjectKind::Candidate,
        id.strip_prefix("candidate:").unwrap_or(id),
    )
}

fn user(name: &str) -> SubjectRef {
    SubjectRef::new(SubjectKind::User, name)
}

impl AddedV1 {
    /// The event.
    pub fn draft(&self) -> Draft {
        let mut s: Vec<SubjectRef> = self.id_number.iter().map(|c| candidate(c)).collect();
        s.push(user(&self.by));
        draft(EventKind::WatchlistAdded, s, self)
    }

    /// The entry it adds.
    pub fn entry(&self, seq: u64, at: UnixMs) -> Result<Entry, String> {
        Ok(Entry {
            id: self.entry.parse()?,
            person: PersonInfo {
                id_number: self
                    .id_number
                    .as_deref()
                    .map(str::parse)
                    .transpose()
                    .map_err(|e: gate::IdError| e.to_string())?,
                name: self.name.clone(),
            },
            reason: Reason::parse(&self.reason, self.until.as_deref())
                .map_err(|e| e.to_string())?,
            note: self.note.clone(),
            added_at: at,
            added_by: self.by.clone(),
            sha256: self.sha256.clone(),
            seq,
            removed: None,
        })
    }
}

impl RemovedV1 {
    /// The event.
    pub fn draft(&self, id_number: Option<&str>) -> Draft {
        let mut s: Vec<SubjectRef> = id_number.iter().map(|c| candidate(c)).collect();
        s.push(user(&self.by));
        draft(EventKind::WatchlistRemoved, s, self)
    }
}

impl HitV1 {
    /// The event.
    pub fn draft(&self) -> Draft {
        let mut s = Vec::new();
        if let Some(d) = &self.device {
            s.push(SubjectRef::new(SubjectKind::Device, d.as_str()));
        }
        s.extend(self.claim.iter().map(|c| candidate(c)));
        s.extend(self.person.iter().map(|p| candidate(p)));
        draft(EventKind::WatchlistHit, s, self)
    }

    fn hit(&self, seq: u64, at: UnixMs) -> Result<Hit, String> {
        let place = match self.place.as_str() {
            "gate" => Place::Gate {
                door: self.door.clone().unwrap_or_default(),
                device: self.device.clone().unwrap_or_default(),
                claim: self.claim.clone(),
            },
            "enrolment" => Place::Enrolment {
                person: self.person.clone().unwrap_or_default(),
                enrolment_seq: self.enrolment_seq.unwrap_or_default(),
            },
            p => return Err(format!("unknown hit place {p:?}")),
        };
        Ok(Hit {
            seq,
            at,
            entry: self.entry.parse()?,
            score: self.score,
            place,
        })
    }
}

impl DuplicateV1 {
    /// The event.
    pub fn draft(&self) -> Draft {
        draft(
            EventKind::IdentityDuplicateApplicant,
            vec![candidate(&self.person), candidate(&self.matched)],
            self,
        )
    }
}

/// Applies one logged event to the list; other kinds are ignored. An event that does not decode is an error
/// naming it (the caller logs it and goes on).
pub fn apply(list: &mut List, ev: &audit::Event) -> Result<(), String> {
    let seq = ev.seq.0;
    let bad = |e: String| format!("{} {seq}: {e}", ev.kind);
    match ev.kind {
        EventKind::WatchlistAdded => {
            let p: AddedV1 = serde_json::from_slice(&ev.payload).map_err(|e| bad(e.to_string()))?;
            let e = p.entry(seq, ev.time).map_err(bad)?;
            list.add(e).map_err(|e| bad(e.to_string()))
        }
        EventKind::WatchlistRemoved => {
            let p: RemovedV1 =
                serde_json::from_slice(&ev.payload).map_err(|e| bad(e.to_string()))?;
            let id: WatchId = p.entry.parse().map_err(bad)?;
            let r = Removal {
                at: ev.time,
                by: p.by,
                reason: p.reason,
                seq,
            };
            list.remove(id, r).map_err(|e| bad(e.to_string()))
        }
        EventKind::WatchlistHit => {
            let p: HitV1 = serde_json::from_slice(&ev.payload).map_err(|e| bad(e.to_string()))?;
            list.hit(p.hit(seq, ev.time).map_err(bad)?);
            Ok(())
        }
        EventKind::IdentityDuplicateApplicant => {
            let p: DuplicateV1 =
                serde_json::from_slice(&ev.payload).map_err(|e| bad(e.to_string()))?;
            list.duplicate(Duplicate {
                seq,
                at: ev.time,
                person: p.person,
                matched: p.matched,
                score: p.score,
                enrolment_seq: p.enrolment_seq,
            });
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Checks an `until` day before it goes into an event.
pub fn check_until(until: Option<&str>) -> Result<(), String> {
    until
        .map(parse_day)
        .transpose()
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::Seq;

    fn ev(seq: u64, d: Draft) -> audit::Event {
        audit::Event {
            seq: Seq(seq),
            time: UnixMs(seq as i64 * 1000),
            kind: d.kind,
            subjects: d.subjects,
            payload: d.payload,
        }
    }

    #[test]
    fn the_log_replays_into_the_list() {
        let added = AddedV1 {
            entry: "WL-00001".into(),
            id_number: Some("37090219900101123X".into()),
            name: Some("王某".into()),
            reason: "exam_ban".into(),
            until: Some("2027-06-30".into()),
            note: "2026 案 12".into(),
            by: "admin".into(),
            sha256: vec!["ab".into()],
            source: "upload".into(),
        };
        let removed = RemovedV1 {
            entry: "WL-00001".into(),
            reason: "ban lifted".into(),
            by: "admin".into(),
        };
        let hit = HitV1 {
            entry: "WL-00001".into(),
            reason: "exam_ban".into(),
            score: 0.4,
            threshold: 0.1,
            place: "gate".into(),
            door: Some("A".into()),
            device: Some("gate-a".into()),
            claim: Some("D1".into()),
            person: None,
            enrolment_seq: None,
            gallery_templates: 1,
            search_us: 10,
        };
        let mut l = List::default();
        apply(&mut l, &ev(1, added.draft())).unwrap();
        apply(&mut l, &ev(2, hit.draft())).unwrap();
        apply(&mut l, &ev(3, removed.draft(Some("37090219900101123X")))).unwrap();
        let e = l.get(WatchId(1)).unwrap();
        assert_eq!(e.reason.until().unwrap().to_string(), "2027-06-30");
        assert_eq!(e.removed.as_ref().unwrap().seq, 3);
        assert_eq!(l.hits().next().unwrap().entry, WatchId(1));
        let again = apply(&mut l, &ev(4, removed.draft(None))).unwrap_err();
        assert!(again.contains("removed already"), "{again}");
        let mut bad = ev(5, added.draft());
        bad.payload = b"{}".to_vec();
        assert!(
            apply(&mut l, &bad)
                .unwrap_err()
                .contains("watchlist.added 5")
        );
    }
}
