//! The admission decision: acting on the entry policy's answer (release, retry, stand-in alarm, refusal) and
//! examiners' overrides.

use std::time::Instant;

use gate::{
    Admission, CandidateId, Decision, DoorId, ExaminerId, ExaminerOverride, MatchScore, Output,
};
use model::EventKind;
use serde_json::{Value, json};
use store::Draft;

use super::{ScanOutcome, Service, events};

impl Service {
    /// Acts on a policy decision: releases the door on admission, raises the stand-in alarm, keeps attempts.
    pub(super) async fn after_decision(
        &mut self,
        door: DoorId,
        claim: &CandidateId,
        decision: Decision,
        since: Option<Instant>,
        decide: &(dyn Fn(&str, Value) -> Draft + Sync),
    ) -> (ScanOutcome, Vec<Draft>) {
        let mut drafts = Vec::new();
        let mut outcome = Self::outcome("", Some(claim));
        match decision {
            Decision::Admit(how) => {
                self.attempts.retain(|(d, _)| *d != door);
                let how = match how {
                    Admission::Scan { score } => json!({ "how": "scan", "score": score.0 }),
                    Admission::Override {
                        examiner,
                        examiner_score,
                    } => {
                        json!({ "how": "override", "examiner": examiner.as_str(), "examiner_score": examiner_score.0 })
                    }
                };
                outcome.decision = "admit".into();
                drafts.push(decide("admit", json!({ "admission": how })));
                let now = self.now();
                let out = if door == self.cfg.mantrap.entry {
                    self.mantrap.request_entry(now, claim)
                } else {
                    self.mantrap.request_exit(now, claim)
                }
                .unwrap_or_default();
                outcome.released = out.iter().any(|o| matches!(o, Output::Command(gate::Command::Release { door: d, .. }) if *d == door));
                outcome.denied = out
                    .iter()
                    .find_map(|o| match o {
                        Output::Denied { .. } => Some(events::output(o)),
                        _ => None,
                    })
                    .and_then(|d| serde_json::from_slice::<Value>(&d.payload).ok())
                    .and_then(|v| v.get("reason").cloned());
                let took = self.apply(out, &mut drafts, since).await;
                outcome.release_us = took.map(|t| t.as_micros() as u64);
            }
            Decision::Retry { tries_left } => {
                outcome.decision = "retry".into();
                outcome.tries_left = Some(tries_left);
                drafts.push(decide("retry", json!({ "tries_left": tries_left })));
            }
            Decision::StandInAlarm { matched_other } => {
                outcome.decision = "stand_in_alarm".into();
                drafts.push(decide(
                    "stand_in_alarm",
                    json!({ "matched_other": matched_other.as_str() }),
                ));
                let detail =
                    json!({ "claim": claim.as_str(), "matched_other": matched_other.as_str() });
                drafts.push(self.raise_other("stand_in", Some(door), detail, false));
            }
            Decision::NeedsExaminerOverride => {
                outcome.decision = "needs_override".into();
                drafts.push(decide("needs_override", json!({})));
            }
            Decision::OverrideRejected => {
                outcome.decision = "override_rejected".into();
                drafts.push(decide("override_rejected", json!({})));
            }
            Decision::Refuse { examiner } => {
                self.attempts.retain(|(d, _)| *d != door);
                outcome.decision = "refused".into();
                drafts.push(decide("refused", json!({ "examiner": examiner.as_str() })));
            }
        }
        (outcome, drafts)
    }

    pub(super) async fn examiner_override(
        &mut self,
        door: DoorId,
        examiner: ExaminerId,
        score: MatchScore,
        admit: bool,
    ) -> (ScanOutcome, Vec<Draft>) {
        let Some(idx) = self.attempts.iter().position(|(d, _)| *d == door) else {
            return (Self::outcome("no_attempt", None), Vec::new());
        };
        let claim = self.attempts[idx].1.claim().clone();
        let subjects = vec![events::candidate(&claim), events::user(examiner.as_str())];
        let mut drafts = vec![events::draft(
            EventKind::GateDecision,
            subjects.clone(),
            json!({ "door": events::door(door), "decision": "examiner_override", "admit": admit, "examiner_score": score.0 }),
        )];
        let policy = self.policy;
        let o = ExaminerOverride {
            examiner,
            examiner_score: score,
            admit,
        };
        let decision = match self.attempts[idx].1.examiner_override(&policy, o) {
            Ok(d) => d,
            Err(_) => return (Self::outcome("no_attempt", Some(&claim)), drafts),
        };
        let decide = |decision: &str, extra: Value| {
            let mut p = json!({ "door": events::door(door), "decision": decision });
            if let (Some(m), Value::Object(e)) = (p.as_object_mut(), extra) {
                m.extend(e);
            }
            events::draft(EventKind::GateDecision, subjects.clone(), p)
        };
        let (outcome, more) = self
            .after_decision(door, &claim, decision, Some(Instant::now()), &decide)
            .await;
        self.remember(door, Some(&claim), &outcome.decision, None);
        drafts.extend(more);
        (outcome, drafts)
    }
}
