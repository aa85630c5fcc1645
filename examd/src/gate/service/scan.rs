//! A scan's handling: whose claim it checks at which door, the roster and watch-list refusals, the attempt's
//! tries, up to the entry policy's decision (`admission` acts on it).

use gate::{AttemptState, CandidateId, DoorId, EntryAttempt, ScanResult};
use model::EventKind;
use serde_json::{Value, json};
use store::Draft;

use super::{ScanIn, ScanOutcome, ScanView, Service, events};

impl Service {
    pub(super) fn outcome(decision: &str, candidate: Option<&CandidateId>) -> ScanOutcome {
        ScanOutcome {
            decision: decision.into(),
            candidate: candidate.map(|c| c.to_string()),
            tries_left: None,
            released: false,
            denied: None,
            release_us: None,
            seq: None,
        }
    }

    pub(super) fn remember(
        &mut self,
        door: DoorId,
        claim: Option<&CandidateId>,
        decision: &str,
        score: Option<f32>,
    ) {
        self.scans.push_front(ScanView {
            time_ms: self.wall().0,
            door: events::door(door),
            claim: claim.map(|c| c.to_string()),
            decision: decision.into(),
            score,
        });
        self.scans.truncate(20);
    }

    pub(super) async fn scan(&mut self, s: ScanIn) -> (ScanOutcome, Vec<Draft>) {
        let mut drafts = Vec::new();
        // At door B the claim is whoever entered by A; at door A the candidate names themselves.
        let claim = if s.door == self.cfg.mantrap.exit {
            // The identified candidate inside (the mantrap refuses B while anyone else is inside too).
            self.mantrap.occupants().iter().find_map(|o| match o {
                gate::Occupant::Candidate(c) => Some(c.clone()),
                gate::Occupant::Unidentified => None,
            })
        } else {
            s.claim.clone()
        };
        let claimed = claim
            .as_ref()
            .and_then(|c| s.scores.iter().find(|(id, _)| id == c).map(|(_, sc)| *sc));
        let best_other = s
            .scores
            .iter()
            .filter(|(id, _)| Some(id) != claim.as_ref())
            .max_by(|a, b| a.1.0.total_cmp(&b.1.0))
            .map(|(id, sc)| json!({ "candidate": id.as_str(), "score": sc.0 }));
        let mut subjects = vec![model::SubjectRef::new(
            model::SubjectKind::Device,
            s.device.as_str(),
        )];
        subjects.extend(claim.as_ref().map(events::candidate));
        drafts.push(events::draft(
            EventKind::GateScan,
            subjects.clone(),
            json!({
                "door": events::door(s.door),
                "claim": s.claim.as_ref().map(|c| c.as_str()),
                "checked_as": claim.as_ref().map(|c| c.as_str()),
                "usable": s.usable,
                "claimed_score": claimed.map(|x| x.0),
                "best_other": best_other,
                "roster_size": s.scores.len(),
            }),
        ));
        let decide = |decision: &str, extra: Value| {
            let mut p = json!({ "door": events::door(s.door), "decision": decision });
            if let (Some(m), Value::Object(e)) = (p.as_object_mut(), extra) {
                m.extend(e);
            }
            events::draft(EventKind::GateDecision, subjects.clone(), p)
        };
        // A watch-listed finger is refused at any door, whatever the roster says (crate::watchlist::checks).
        if let Some(hit) = &s.watchlist {
            let c = claim.as_ref().map(|c| c.as_str());
            drafts.push(hit.event(&events::door(s.door), &s.device, c));
            drafts.push(decide(
                "watchlist_hit",
                json!({ "entry": hit.entry.to_string(), "score": hit.score }),
            ));
            drafts.push(self.raise_other("watchlist", Some(s.door), hit.alarm_detail(c), false));
            self.remember(
                s.door,
                claim.as_ref(),
                "watchlist_hit",
                claimed.map(|x| x.0),
            );
            let mut outcome = Self::outcome("watchlist_hit", claim.as_ref());
            outcome.denied = Some(hit.denied());
            return (outcome, drafts);
        }
        let Some(claim) = claim else {
            let d = if s.door == self.cfg.mantrap.exit {
                "nobody_inside"
            } else {
                "no_claim"
            };
            drafts.push(decide(d, json!({})));
            self.remember(s.door, None, d, None);
            return (Self::outcome(d, None), drafts);
        };
        // At door A the claim must be on a roster open now (today's sittings inside their gate
        // window, or the roster imported by hand); the refusal names why (day_roster).
        if s.door == self.cfg.mantrap.entry
            && let Some(why) = &s.not_admitted
        {
            let d = why.decision();
            drafts.push(decide(d, why.detail()));
            self.remember(s.door, Some(&claim), d, None);
            let mut outcome = Self::outcome(d, Some(&claim));
            outcome.denied = Some(why.denied());
            return (outcome, drafts);
        }
        // An attempt at this door that waits for an examiner blocks further scans there.
        if let Some((_, a)) = self.attempts.iter().find(|(d, _)| *d == s.door)
            && matches!(
                a.state(),
                AttemptState::StandIn { .. } | AttemptState::AwaitingOverride
            )
        {
            {
                let waiting = a.claim().clone();
                drafts.push(decide(
                    "awaiting_examiner",
                    json!({ "waiting": waiting.as_str() }),
                ));
                self.remember(
                    s.door,
                    Some(&claim),
                    "awaiting_examiner",
                    claimed.map(|x| x.0),
                );
                return (Self::outcome("awaiting_examiner", Some(&waiting)), drafts);
            }
        }
        // A new claim at this door starts a new attempt (three tries).
        let idx = match self
            .attempts
            .iter()
            .position(|(d, a)| *d == s.door && a.claim() == &claim)
        {
            Some(i) => i,
            None => {
                self.attempts.retain(|(d, _)| *d != s.door);
                self.attempts
                    .push((s.door, EntryAttempt::new(claim.clone())));
                self.attempts.len() - 1
            }
        };
        let hits = if s.door == self.cfg.mantrap.entry {
            s.scores.clone()
        } else {
            Vec::new()
        };
        let result = ScanResult {
            claimed: if s.usable { claimed } else { None },
            roster_hits: hits,
        };
        let policy = self.policy;
        let decision = match self.attempts[idx].1.scan(&policy, result) {
            Ok(d) => d,
            Err(e) => {
                tracing::error!(error = %e, "entry attempt refused a scan");
                drafts.push(decide("awaiting_examiner", json!({})));
                return (Self::outcome("awaiting_examiner", Some(&claim)), drafts);
            }
        };
        let (outcome, more) = self
            .after_decision(s.door, &claim, decision, Some(s.received), &decide)
            .await;
        self.remember(
            s.door,
            Some(&claim),
            &outcome.decision,
            claimed.map(|x| x.0),
        );
        drafts.extend(more);
        (outcome, drafts)
    }
}
