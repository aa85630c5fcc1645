//! Acting on the mantrap's outputs: its commands go to the door driver first, then every output becomes an
//! event, an alarm record or a seat assignment.

use std::time::{Duration, Instant};

use gate::{Notice, Output};
use model::EventKind;
use serde_json::json;
use store::Draft;

use super::{Service, events};

impl Service {
    /// Executes the commands (first, all of them), then turns every output into events and alarm records.
    /// Returns when the first release command was acknowledged, if any.
    pub(super) async fn apply(
        &mut self,
        out: Vec<Output>,
        drafts: &mut Vec<Draft>,
        since: Option<Instant>,
    ) -> Option<Duration> {
        let mut release_at = None;
        for o in &out {
            if let Output::Command(c) = o {
                if let Err(e) = self.driver.execute(*c).await {
                    tracing::warn!(command = ?c, error = %e, "door command failed");
                }
                if let (gate::Command::Release { .. }, Some(t0), None) = (c, since, release_at) {
                    release_at = Some(t0.elapsed());
                }
            }
        }
        for o in &out {
            drafts.push(events::output(o));
            match o {
                Output::Alarm(a) => self.raise(a.clone()),
                Output::AlarmCleared(a) => {
                    for v in self
                        .alarms
                        .iter_mut()
                        .filter(|v| v.alarm.as_ref() == Some(a))
                    {
                        v.active = false;
                    }
                }
                Output::Notice(Notice::Admitted { candidate }) => {
                    match self.seats.assign(candidate) {
                        Ok(seat) => drafts.push(events::draft(
                            EventKind::GateSeatAssigned,
                            vec![events::candidate(candidate)],
                            json!({ "seat": seat.as_str(), "sitting": self.gallery.sitting }),
                        )),
                        Err(e) => {
                            tracing::warn!(%candidate, error = %e, "no seat for an admitted candidate");
                            let a = self.raise_other(
                                "no_seat",
                                None,
                                json!({ "candidate": candidate.as_str() }),
                                false,
                            );
                            drafts.push(a);
                        }
                    }
                }
                _ => {}
            }
        }
        release_at
    }
}
