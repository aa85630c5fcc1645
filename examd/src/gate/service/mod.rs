//! The gate service: one task owning the two-door [`gate::Mantrap`], the door driver and the entry attempts.
//!
//! Requests (scans already scored against the gallery, overrides, clears, acknowledgements) arrive on a
//! channel; every poll cycle feeds the driver's inputs to the mantrap; every command the mantrap emits is
//! executed at once, before anything is logged. Events go to a logger task in order; a scan is answered only
//! once its decision is durable.
//!
//! Files: `requests` (what arrives, and the dispatch), `scan` (a scan up to the entry policy's decision),
//! `admission` (acting on a decision, examiner overrides), `outputs` (executing the mantrap's commands, their
//! events and seat assignments), `alarms` (raising and acknowledging alarms, the fire reset) and `status`.

mod admission;
mod alarms;
mod outputs;
mod requests;
mod scan;
mod status;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use door_modbus::DoorDriver;
use gate::{
    DoorId, EntryAttempt, EntryPolicy, Input, Mantrap, MantrapConfig, MonoMs, Output, SeatPlan,
};
use model::{EventKind, UnixMs};
use serde_json::json;
use store::Draft;
use tokio::sync::{mpsc, oneshot};

use super::events::{self, LogItem};
pub use super::views::{AlarmView, ScanOutcome, ScanView, StatusView};
use crate::identity::gallery::{Gallery, threshold};
use crate::state::Clock;
pub use requests::{Request, ScanIn};

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
}
