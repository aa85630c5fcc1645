//! The service's state as the API and console show it.

use gate::{AttemptState, CandidateId};
use serde_json::json;

use super::{AlarmView, Service, StatusView, events};

impl Service {
    pub(super) fn status(&self) -> StatusView {
        let il = self.mantrap.interlock();
        let doors = il
            .doors()
            .map(|d| {
                json!({
                    "door": events::door(d),
                    "state": il.door_state(d).map(events::door_state).unwrap_or("unknown"),
                    "released": il.release_active(d).unwrap_or(false),
                })
            })
            .collect();
        let name = |c: &CandidateId| self.gallery.candidates.get(c).map(|e| e.name.clone());
        let vestibule = self
            .mantrap
            .occupants()
            .iter()
            .map(|o| match o {
                gate::Occupant::Candidate(c) => json!({ "candidate": c.as_str(), "name": name(c) }),
                gate::Occupant::Unidentified => json!({ "unidentified": true }),
            })
            .collect();
        let attempts = self
            .attempts
            .iter()
            .map(|(d, a)| {
                let state = match a.state() {
                    AttemptState::Scanning { tries_used } => json!({ "scanning": tries_used }),
                    AttemptState::StandIn { matched, .. } => json!({ "stand_in": matched.as_str() }),
                    AttemptState::AwaitingOverride => json!("awaiting_override"),
                    AttemptState::Admitted(_) => json!("admitted"),
                    AttemptState::Refused { .. } => json!("refused"),
                };
                json!({ "door": events::door(*d), "candidate": a.claim().as_str(), "name": name(a.claim()), "state": state })
            })
            .collect();
        let mut alarms: Vec<AlarmView> = self
            .alarms
            .iter()
            .filter(|a| a.active || a.acked_by.is_none())
            .cloned()
            .collect();
        alarms.reverse();
        let seats = self
            .gallery
            .candidates
            .keys()
            .filter_map(|c| {
                Some(json!({ "candidate": c.as_str(), "seat": self.seats.seat_of(c)?.as_str() }))
            })
            .collect();
        StatusView {
            module: self.cfg.module.clone(),
            sitting: self.gallery.sitting.clone(),
            roster_size: self.gallery.candidates.len(),
            comms_up: il.comms_up(),
            fire_override: il.fire_override(),
            doors,
            vestibule,
            attempts,
            alarms,
            scans: self.scans.iter().cloned().collect(),
            seats,
        }
    }
}
