//! The gate service: one task owning the two-door [`gate::Mantrap`], the door driver and the entry attempts.
//!
//! Requests (scans already scored against the gallery, overrides, clears, acknowledgements) arrive on a
//! channel; every poll cycle feeds the driver's inputs to the mantrap; every command the mantrap emits is
//! executed at once, before anything is logged. Events go to a logger task in order; a scan is answered only
//! once its decision is durable.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use door_modbus::DoorDriver;
use gate::{
    Admission, Alarm, AttemptState, CandidateId, Decision, DoorId, EntryAttempt, EntryPolicy,
    ExaminerId, ExaminerOverride, Input, Mantrap, MantrapConfig, MatchScore, MonoMs, Notice,
    Output, ScanResult, SeatPlan,
};
use model::{EventKind, UnixMs};
use serde_json::{Value, json};
use store::Draft;
use tokio::sync::{mpsc, oneshot};

use super::events::{self, LogItem};
pub use super::views::{AlarmView, ScanOutcome, ScanView, StatusView};
use crate::identity::gallery::{Gallery, threshold};
use crate::state::Clock;

/// How the service is set up.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// The mantrap (pulse, held-open time, doors).
    pub mantrap: MantrapConfig,
    /// The Subject 1 hall's seats, in assignment order.
    pub seats: Vec<gate::SeatId>,
    /// How often the door module is polled.
    pub poll: Duration,
    /// A label for the door module in events (the endpoint).
    pub module: String,
}

impl ServiceConfig {
    /// Two doors (5 s pulse, 15 s held open), 100 numbered seats, 50 ms polls.
    pub fn new(module: impl Into<String>) -> ServiceConfig {
        ServiceConfig {
            mantrap: MantrapConfig::default(),
            seats: (1..=100)
                .map(|n| format!("H1-{n:03}").parse().expect("valid seat id"))
                .collect(),
            poll: Duration::from_millis(50),
            module: module.into(),
        }
    }
}

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

/// The service's state. Pure apart from the driver and the logger channel.
pub struct Service {
    mantrap: Mantrap,
    driver: DoorDriver,
    policy: EntryPolicy,
    gallery: Arc<Gallery>,
    seats: SeatPlan,
    seat_list: Vec<gate::SeatId>,
    attempts: Vec<(DoorId, EntryAttempt)>,
    alarms: Vec<AlarmView>,
    next_alarm: u64,
    scans: VecDeque<ScanView>,
    log: mpsc::UnboundedSender<LogItem>,
    clock: Clock,
    start: tokio::time::Instant,
    cfg: ServiceConfig,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("module", &self.cfg.module)
            .finish_non_exhaustive()
    }
}

fn seat_plan(seats: &[gate::SeatId], g: &Gallery) -> SeatPlan {
    let reserved: Vec<_> = g
        .candidates
        .iter()
        .filter_map(|(c, e)| Some((c.clone(), e.seat.clone()?)))
        .collect();
    SeatPlan::new(seats.to_vec(), reserved.clone())
        .or_else(|e| {
            tracing::warn!(error = %e, "roster seat reservations ignored");
            SeatPlan::new(seats.to_vec(), vec![])
        })
        .unwrap_or_default()
}

impl Service {
    /// A service over an opened driver.
    pub fn new(
        cfg: ServiceConfig,
        driver: DoorDriver,
        gallery: Arc<Gallery>,
        log: mpsc::UnboundedSender<LogItem>,
        clock: Clock,
    ) -> anyhow::Result<Service> {
        let mantrap = Mantrap::new(cfg.mantrap.clone())
            .map_err(|e| anyhow::anyhow!("gate configuration: {e}"))?;
        let seats = seat_plan(&cfg.seats, &gallery);
        Ok(Service {
            mantrap,
            driver,
            policy: EntryPolicy::new(threshold()),
            seat_list: cfg.seats.clone(),
            seats,
            gallery,
            attempts: Vec::new(),
            alarms: Vec::new(),
            next_alarm: 1,
            scans: VecDeque::new(),
            log,
            clock,
            start: tokio::time::Instant::now(),
            cfg,
        })
    }

    fn now(&self) -> MonoMs {
        MonoMs(self.start.elapsed().as_millis() as u64)
    }

    fn wall(&self) -> UnixMs {
        (self.clock)()
    }

    fn send(&self, drafts: Vec<Draft>, ack: Option<oneshot::Sender<Option<u64>>>) {
        if drafts.is_empty() && ack.is_none() {
            return;
        }
        if self.log.send((drafts, ack)).is_err() {
            tracing::error!("gate logger stopped");
        }
    }

    /// Runs until the request channel closes.
    pub async fn run(mut self, mut rx: mpsc::Receiver<Request>) {
        let started = events::draft(
            EventKind::GateStarted,
            vec![],
            json!({
                "module": self.cfg.module,
                "sitting": self.gallery.sitting,
                "roster_size": self.gallery.candidates.len(),
                "threshold": threshold().score().0,
                "pulse_ms": self.cfg.mantrap.interlock.release_pulse_ms,
                "held_open_ms": self.cfg.mantrap.interlock.held_open_ms,
            }),
        );
        self.send(vec![started], None);
        let startup = self.mantrap.interlock().startup_commands();
        let mut drafts = Vec::new();
        self.apply(startup, &mut drafts, None).await;
        self.send(drafts, None);
        let mut tick = tokio::time::interval(self.cfg.poll);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                req = rx.recv() => match req {
                    Some(r) => self.request(r).await,
                    None => break,
                },
                _ = tick.tick() => self.cycle().await,
            }
        }
        // Leave every door locked.
        for door in [DoorId::A, DoorId::B] {
            let _ = self.driver.execute(gate::Command::Relock { door }).await;
        }
    }

    /// One poll: inputs to the mantrap, commands to the driver, events to the log.
    async fn cycle(&mut self) {
        let inputs = self.driver.poll().await;
        let mut drafts = Vec::new();
        let mut out = self.handle(Input::Tick);
        for i in inputs {
            drafts.extend(events::input(&i));
            out.extend(self.handle(i));
        }
        self.apply(out, &mut drafts, None).await;
        self.send(drafts, None);
    }

    fn handle(&mut self, input: Input) -> Vec<Output> {
        let now = self.now();
        self.mantrap.handle(now, input).unwrap_or_else(|e| {
            tracing::error!(error = %e, "gate state machine refused an input");
            Vec::new()
        })
    }

    /// Executes the commands (first, all of them), then turns every output into events and alarm records.
    /// Returns when the first release command was acknowledged, if any.
    async fn apply(
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

    fn raise(&mut self, a: Alarm) {
        let (kind, door, detail) = events::alarm(&a);
        let condition = matches!(
            a,
            Alarm::HeldOpen { .. }
                | Alarm::ForcedOpen { .. }
                | Alarm::FireOverride
                | Alarm::CommsLost
        );
        let v = AlarmView {
            id: self.next_alarm,
            kind: kind.into(),
            door: door.map(events::door),
            detail,
            raised_ms: self.wall().0,
            active: condition,
            acked_by: None,
            alarm: Some(a),
        };
        self.next_alarm += 1;
        self.alarms.push(v);
    }

    /// Records an alarm the policy raised (not the interlock) and returns its event.
    fn raise_other(
        &mut self,
        kind: &str,
        door: Option<DoorId>,
        detail: Value,
        _active: bool,
    ) -> Draft {
        let v = AlarmView {
            id: self.next_alarm,
            kind: kind.into(),
            door: door.map(events::door),
            detail: detail.clone(),
            raised_ms: self.wall().0,
            active: false,
            acked_by: None,
            alarm: None,
        };
        self.next_alarm += 1;
        self.alarms.push(v);
        events::draft(
            EventKind::GateAlarm,
            vec![],
            json!({ "alarm": kind, "door": door.map(events::door), "detail": detail }),
        )
    }

    async fn request(&mut self, r: Request) {
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
            Request::Ack { id, by, reply } => {
                let found = self
                    .alarms
                    .iter_mut()
                    .find(|a| a.id == id && a.acked_by.is_none());
                let ok = found.is_some();
                if let Some(a) = found {
                    a.acked_by = Some(by.clone());
                    let d = events::draft(
                        EventKind::GateAlarmAcknowledged,
                        vec![events::user(&by)],
                        json!({ "alarm": a.kind, "door": a.door, "raised_ms": a.raised_ms, "detail": a.detail }),
                    );
                    let (tx, rx) = oneshot::channel();
                    self.send(vec![d], Some(tx));
                    tokio::spawn(async move {
                        let _ = rx.await;
                        let _ = reply.send(true);
                    });
                    return;
                }
                let _ = reply.send(ok);
            }
            Request::Reload(g) => {
                self.seats = seat_plan(&self.seat_list, &g);
                self.gallery = g;
                self.attempts.clear();
            }
            Request::Status(reply) => {
                let _ = reply.send(self.status());
            }
            Request::FireReset { by, reply } => {
                let out = self.handle(Input::ExaminerReset);
                let refused = out.iter().find_map(|o| match o {
                    Output::Notice(Notice::ResetRefused { reason }) => Some(match reason {
                        gate::ResetRefusal::NoOverride => "no_override",
                        gate::ResetRefusal::FireInputActive => "fire_input_active",
                    }),
                    _ => None,
                });
                let mut drafts = vec![events::draft(
                    EventKind::GateDecision,
                    vec![events::user(&by)],
                    json!({ "decision": if refused.is_none() { "fire_reset" } else { "fire_reset_refused" }, "reason": refused, "by": by }),
                )];
                self.apply(out, &mut drafts, None).await;
                let (tx, rx) = oneshot::channel();
                self.send(drafts, Some(tx));
                tokio::spawn(async move {
                    let _ = rx.await;
                    let _ = reply.send(refused.map_or(Ok(()), Err));
                });
            }
        }
    }

    /// Logs the drafts and answers once they are durable.
    async fn finish(
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

    fn outcome(decision: &str, candidate: Option<&CandidateId>) -> ScanOutcome {
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

    fn remember(
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

    async fn scan(&mut self, s: ScanIn) -> (ScanOutcome, Vec<Draft>) {
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
        if s.door == self.cfg.mantrap.entry && !self.gallery.candidates.contains_key(&claim) {
            drafts.push(decide("not_on_roster", json!({})));
            self.remember(s.door, Some(&claim), "not_on_roster", None);
            return (Self::outcome("not_on_roster", Some(&claim)), drafts);
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

    /// Acts on a policy decision: releases the door on admission, raises the stand-in alarm, keeps attempts.
    async fn after_decision(
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

    async fn examiner_override(
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

    fn status(&self) -> StatusView {
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
