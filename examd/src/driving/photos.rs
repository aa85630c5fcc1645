//! A drive's photos from the car's camera (`crate::photos`): the candidate at the identity check
//! (17C51 照片, in `driving.identity`), a process photo when an item starts and at each deduction
//! (17C54, `driving.photo` with the drive time and the car's speed), and the end (17C56 照片, in
//! `driving.result`).
//!
//! Process photos are taken off the drive's loop (a slow camera never delays judging) and logged
//! as their own events once taken; a camera that fails gives `photo unavailable: <reason>` in the
//! event, never a missing event.

use std::sync::Arc;

use super::DrivingArea;
use super::events::{DrivingEvent, PhotoEventV1, PhotoV1};
use crate::photos::{CameraRole, PhotosArea};

/// What triggers a process photo, from the events of one judged line (pure).
pub fn triggers(events: &[DrivingEvent]) -> Vec<(String, String, Option<String>, u64)> {
    events
        .iter()
        .filter_map(|e| match e {
            DrivingEvent::ItemStarted(i) => {
                Some(("item_start".to_owned(), i.item.clone(), None, i.t_ms))
            }
            DrivingEvent::Deduction(d) => Some((
                "deduction".to_owned(),
                d.item.clone(),
                Some(d.code.clone()),
                d.t_ms,
            )),
            _ => None,
        })
        .collect()
}

/// The car's photographer for one session.
#[derive(Clone)]
pub struct Photographer {
    /// The driving area (process photos are appended through it).
    pub area: Arc<DrivingArea>,
    /// The cameras and the store.
    pub photos: Arc<PhotosArea>,
    /// The car (its terminal's device account, and its camera's role `car:<car>`).
    pub car: String,
    /// The candidate in the car.
    pub candidate: String,
    /// Process photos still being taken; the end waits for them, so every 17C54 is logged
    /// before the session's result (17C56).
    pub pending: Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl std::fmt::Debug for Photographer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Photographer")
            .field("car", &self.car)
            .field("candidate", &self.candidate)
            .finish()
    }
}

impl Photographer {
    /// A photo of the candidate now (start or end).
    pub async fn take(&self) -> PhotoV1 {
        self.photos
            .capture(
                &[CameraRole::Car(self.car.clone())],
                Some(&self.candidate),
                &self.car,
            )
            .await
    }

    /// Takes and logs a process photo for each trigger in `events` (logged just before), in the
    /// background; `speed_kmh` is the car's speed when they were judged.
    pub fn after_logged(&self, session: &str, events: &[DrivingEvent], speed_kmh: Option<f64>) {
        let wanted = triggers(events);
        if wanted.is_empty() {
            return;
        }
        let (me, session) = (self.clone(), session.to_owned());
        let task = tokio::spawn(async move {
            for (trigger, item, code, t_ms) in wanted {
                let photo = me.take().await;
                let event = DrivingEvent::Photo(PhotoEventV1 {
                    session: session.clone(),
                    trigger,
                    item,
                    code,
                    t_ms,
                    speed_kmh,
                    photo,
                    at: me.area.now().0,
                });
                if let Err(e) = me
                    .area
                    .append(vec![event], Some(&me.candidate), Some(&me.car))
                    .await
                {
                    tracing::error!(session = %session, error = %format!("{e:#}"), "driving: process photo not logged");
                }
            }
        });
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        pending.retain(|t| !t.is_finished());
        pending.push(task);
    }

    /// Waits for the process photos still being taken, then puts the end photo into the
    /// session's result among `events`.
    pub async fn end(&self, events: &mut [DrivingEvent]) {
        let pending = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()));
        for task in pending {
            let _ = task.await;
        }
        if !events.iter().any(|e| matches!(e, DrivingEvent::Result(_))) {
            return;
        }
        let photo = self.take().await;
        for e in events {
            if let DrivingEvent::Result(r) = e {
                r.photo = Some(photo.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driving::events::{DeductionV1, ItemV1, TelemetryV1};

    #[test]
    fn items_and_deductions_trigger_photos_and_nothing_else_does() {
        let events = vec![
            DrivingEvent::Telemetry(TelemetryV1 {
                session: "D1".into(),
                chunk: 0,
                lines: String::new(),
            }),
            DrivingEvent::ItemStarted(ItemV1 {
                session: "D1".into(),
                item: "rp1".into(),
                t_ms: 5,
                at: 0,
            }),
            DrivingEvent::Deduction(DeductionV1 {
                session: "D1".into(),
                t_ms: 7,
                item: "rp1".into(),
                code: "30101".into(),
                points: 10,
                reason: String::new(),
                score: 90,
                by: None,
                at: 0,
            }),
            DrivingEvent::ItemEnded(ItemV1 {
                session: "D1".into(),
                item: "rp1".into(),
                t_ms: 9,
                at: 0,
            }),
        ];
        assert_eq!(
            triggers(&events),
            vec![
                ("item_start".into(), "rp1".into(), None, 5),
                ("deduction".into(), "rp1".into(), Some("30101".into()), 7),
            ]
        );
    }
}
