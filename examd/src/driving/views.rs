//! What the console and the API show of driving sessions: a projection of the `driving.` events.

use std::collections::BTreeMap;

use serde::Serialize;

use super::events::{DeductionV1, DrivingEvent, PhotoV1};

/// A photo of a session as the console shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SessionPhotoV1 {
    /// `start`, `item_start`, `deduction` or `end`.
    pub trigger: String,
    /// The item or rule code it was taken for (empty for start and end).
    pub what: String,
    /// The photo, or why there is none.
    pub photo: PhotoV1,
}

/// One session as `/api/v1/driving/sessions` returns it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SessionV1 {
    /// Session id.
    pub id: String,
    /// The car.
    pub car: String,
    /// The candidate.
    pub candidate: String,
    /// The examiner.
    pub examiner: String,
    /// 2 or 3.
    pub subject: u8,
    /// Vehicle class.
    pub class: String,
    /// Course map name.
    pub course: String,
    /// Pass mark.
    pub pass_mark: u8,
    /// When it started (ms since the epoch).
    pub started_at: i64,
    /// The running (or final) score.
    pub score: u8,
    /// The item in progress.
    pub item: Option<String>,
    /// Deductions so far, in order.
    pub deductions: Vec<DeductionV1>,
    /// `live`, `passed`, `failed`, or `interrupted` (no result logged and no car connected).
    pub state: String,
    /// Why it ended, once it has.
    pub ended: Option<String>,
    /// The photos: at the start (17C51), items and deductions (17C54) and the end (17C56).
    pub photos: Vec<SessionPhotoV1>,
}

/// Every session of the site, by id.
#[derive(Debug, Default)]
pub struct Sessions {
    /// By id.
    pub by_id: BTreeMap<String, SessionV1>,
    /// Input hashes already in the log.
    pub inputs: std::collections::BTreeSet<String>,
    /// Sessions started so far (numbers the next one).
    pub started: u64,
    /// Identity photos logged just before their session's start.
    start_photos: BTreeMap<String, PhotoV1>,
}

impl Sessions {
    /// Applies one logged event.
    pub fn apply(&mut self, ev: &DrivingEvent) {
        match ev {
            DrivingEvent::Input(i) => {
                self.inputs.insert(i.sha256.clone());
            }
            DrivingEvent::Started(s) => {
                self.started += 1;
                self.by_id.insert(
                    s.session.clone(),
                    SessionV1 {
                        id: s.session.clone(),
                        car: s.car.clone(),
                        candidate: s.candidate.clone(),
                        examiner: s.examiner.clone(),
                        subject: s.subject,
                        class: s.class.clone(),
                        course: s.course.name.clone(),
                        pass_mark: s.pass_mark,
                        started_at: s.at,
                        score: 100,
                        item: None,
                        deductions: Vec::new(),
                        state: "live".into(),
                        ended: None,
                        photos: self
                            .start_photos
                            .remove(&s.session)
                            .map(|photo| SessionPhotoV1 {
                                trigger: "start".into(),
                                what: String::new(),
                                photo,
                            })
                            .into_iter()
                            .collect(),
                    },
                );
            }
            DrivingEvent::Telemetry(_) => {}
            DrivingEvent::Identity(i) => {
                if let Some(photo) = i.photo.clone().filter(|_| i.passed) {
                    self.start_photos.insert(i.session.clone(), photo);
                }
            }
            DrivingEvent::Photo(p) => {
                if let Some(s) = self.by_id.get_mut(&p.session) {
                    s.photos.push(SessionPhotoV1 {
                        trigger: p.trigger.clone(),
                        what: p.code.clone().unwrap_or_else(|| p.item.clone()),
                        photo: p.photo.clone(),
                    });
                }
            }
            DrivingEvent::ItemStarted(i) => {
                if let Some(s) = self.by_id.get_mut(&i.session) {
                    s.item = Some(i.item.clone());
                }
            }
            DrivingEvent::ItemEnded(i) => {
                if let Some(s) = self.by_id.get_mut(&i.session) {
                    s.item = None;
                }
            }
            DrivingEvent::Deduction(d) => {
                if let Some(s) = self.by_id.get_mut(&d.session) {
                    s.score = d.score;
                    s.deductions.push(d.clone());
                }
            }
            DrivingEvent::Result(r) => {
                if let Some(s) = self.by_id.get_mut(&r.session) {
                    s.score = r.score;
                    s.item = None;
                    s.state = if r.passed { "passed" } else { "failed" }.into();
                    s.ended = Some(r.ended.clone());
                    if let Some(photo) = r.photo.clone() {
                        s.photos.push(SessionPhotoV1 {
                            trigger: "end".into(),
                            what: String::new(),
                            photo,
                        });
                    }
                }
            }
        }
    }

    /// After a restart: sessions with no result have no car connected any more.
    pub fn mark_interrupted(&mut self) {
        for s in self.by_id.values_mut() {
            if s.state == "live" {
                s.state = "interrupted".into();
            }
        }
    }
}
