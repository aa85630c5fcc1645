//! What arrives on the service's channel, and the dispatch of each request.

use std::sync::Arc;
use std::time::Instant;

use gate::{CandidateId, DoorId, ExaminerId, MatchScore};
use model::EventKind;
use serde_json::json;
use store::Draft;
use tokio::sync::oneshot;

use super::{ScanOutcome, StatusView};
use super::{Service, events, seat_plan};
use crate::identity::gallery::{Gallery, threshold};

/// A scored scan handed to the service.
#[derive(Debug)]
pub struct ScanIn {
    /// The door the terminal stands at.
    pub door: DoorId,
    /// Who the candidate says they are (required at door A; at door B the candidate inside is the claim).
    pub claim: Option<CandidateId>,
    /// 1:N scores against every roster candidate; empty for an unusable scan.
    pub scores: Vec<(CandidateId, MatchScore)>,
    /// Whether a template could be had from the scan.
    pub usable: bool,
    /// When the image (or template) became available: the latency clock's start.
    pub received: Instant,
    /// The terminal that sent it.
    pub device: String,
    /// The watch-list entry the finger matched, if any (entry is then refused at any door).
    pub watchlist: Option<crate::watchlist::GateHit>,
    /// Why the claimed candidate may not come in by door A now (on none of the rosters open now,
    /// `crate::gate::day_roster`); `None` when they may.
    pub not_admitted: Option<Box<crate::gate::day_roster::NotAdmitted>>,
}

/// Requests to the service.
#[derive(Debug)]
pub enum Request {
    /// A scored scan.
    Scan(ScanIn, oneshot::Sender<ScanOutcome>),
    /// An examiner decides an attempt that awaits them, proven by their own finger's score.
    Override {
        /// The door.
        door: DoorId,
        /// The examiner.
        examiner: ExaminerId,
        /// Their own finger's best score against their enrolled templates.
        score: MatchScore,
        /// Admit or refuse.
        admit: bool,
        /// The answer.
        reply: oneshot::Sender<ScanOutcome>,
    },
    /// An examiner (proven by finger) checked the vestibule and clears the occupancy record.
    Clear {
        /// The examiner.
        examiner: ExaminerId,
        /// Their own finger's score.
        score: MatchScore,
        /// Whether it was accepted.
        reply: oneshot::Sender<bool>,
    },
    /// An examiner acknowledges an alarm.
    Ack {
        /// Alarm id.
        id: u64,
        /// Who.
        by: String,
        /// Whether there was such an alarm.
        reply: oneshot::Sender<bool>,
    },
    /// An examiner resets the fire override (rule 5: only once the fire input has cleared).
    FireReset {
        /// Who (their console account).
        by: String,
        /// `Ok` once the reset is durable, or why it was refused (`no_override`, `fire_input_active`).
        reply: oneshot::Sender<Result<(), &'static str>>,
    },
    /// The roster or the examiners' templates changed.
    Reload(Arc<Gallery>),
    /// The current state.
    Status(oneshot::Sender<StatusView>),
}

impl Service {
    pub(super) async fn request(&mut self, r: Request) {
        match r {
            Request::Scan(scan, reply) => {
                let (outcome, drafts) = self.scan(scan).await;
                self.finish(outcome, drafts, reply).await;
            }
            Request::Override {
                door,
                examiner,
                score,
                admit,
                reply,
            } => {
                let (outcome, drafts) = self.examiner_override(door, examiner, score, admit).await;
                self.finish(outcome, drafts, reply).await;
            }
            Request::Clear {
                examiner,
                score,
                reply,
            } => {
                let mut drafts = Vec::new();
                let ok = threshold().accepts(score);
                drafts.push(events::draft(
                    EventKind::GateDecision,
                    vec![events::user(examiner.as_str())],
                    json!({ "decision": if ok { "clear_vestibule" } else { "clear_rejected" }, "examiner_score": score.0 }),
                ));
                if ok {
                    let now = self.now();
                    let out = self
                        .mantrap
                        .examiner_clear(now, examiner)
                        .unwrap_or_default();
                    self.apply(out, &mut drafts, None).await;
                }
                let (tx, rx) = oneshot::channel();
                self.send(drafts, Some(tx));
                tokio::spawn(async move {
                    let _ = rx.await;
                    let _ = reply.send(ok);
                });
            }
            Request::Ack { id, by, reply } => self.acknowledge(id, by, reply),
            Request::Reload(g) => {
                self.seats = seat_plan(&self.seat_list, &g);
                self.gallery = g;
                self.attempts.clear();
            }
            Request::Status(reply) => {
                let _ = reply.send(self.status());
            }
            Request::FireReset { by, reply } => self.fire_reset(by, reply).await,
        }
    }

    /// Logs the drafts and answers once they are durable.
    pub(super) async fn finish(
        &mut self,
        mut outcome: ScanOutcome,
        drafts: Vec<Draft>,
        reply: oneshot::Sender<ScanOutcome>,
    ) {
        let (tx, rx) = oneshot::channel();
        self.send(drafts, Some(tx));
        tokio::spawn(async move {
            outcome.seq = rx.await.ok().flatten();
            let _ = reply.send(outcome);
        });
    }
}
