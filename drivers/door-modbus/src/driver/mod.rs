//! The polling driver: reads the module's inputs, debounces them into `gate::Input`s, executes `gate::Command`s
//! and keeps the lock relays asserted.
//!
//! One [`DoorDriver::poll`] is one cycle: end host-timed pulses that are due, re-assert every relay when due,
//! then read every mapped input in one FC02 request. A request that gets no answer within the timeout (or an
//! exception) counts as a failed exchange; `lost_after` of them in a row emit [`gate::Input::CommsLost`] and make
//! every input unknown; the next answer emits [`gate::Input::CommsRestored`], and the inputs are reported again
//! once they are debounced.

mod config;
mod inputs;
mod link;

pub use config::DriverConfig;
pub use link::LinkState;

use gate::{Command, DoorId, Input};
use tokio::sync::mpsc;
use tokio::time::{Duration, Instant, timeout};
use tokio_modbus::client::{Context, Reader, Writer};

use crate::error::{DriverError, MapError};
use crate::map::{IoMap, Pulse, Signal};
use inputs::InputBank;
use link::Link;

/// The relay state the driver wants for one door.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelayIntent {
    /// Lock (coil off).
    Locked,
    /// A release pulse until the given instant (timed by the module or, for [`Pulse::Host`], by the driver).
    Pulse {
        /// When the pulse ends.
        until: Instant,
    },
    /// Held released under the fire override (coil on).
    Held,
}

/// The driver for one Modbus door module.
///
/// Generic over the tokio-modbus client, so the same code runs over RTU (serial) and TCP (an RS-485 gateway).
pub struct DoorDriver<C = Context> {
    ctx: C,
    map: IoMap,
    cfg: DriverConfig,
    span: (u16, u16),
    inputs: InputBank,
    link: Link,
    relays: Vec<RelayIntent>,
    next_reassert: Instant,
    pending: Vec<Input>,
}

impl<C> std::fmt::Debug for DoorDriver<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DoorDriver")
            .field("unit", &self.map.unit)
            .field("link", &self.link.state())
            .field("relays", &self.relays)
            .finish_non_exhaustive()
    }
}

impl<C: Reader + Writer + Send> DoorDriver<C> {
    /// A driver for the module behind `ctx` (already addressed to `map.unit`). Every relay starts as "locked" and
    /// is asserted on the first poll.
    pub fn new(ctx: C, map: IoMap, cfg: DriverConfig) -> Result<Self, MapError> {
        map.validate()?;
        let span = map.input_span().unwrap_or((0, 1));
        let inputs = InputBank::new(&map, cfg.debounce_reads);
        let relays = vec![RelayIntent::Locked; map.doors.len()];
        Ok(DoorDriver {
            ctx,
            span,
            inputs,
            link: Link::new(cfg.lost_after),
            relays,
            next_reassert: Instant::now(),
            pending: Vec::new(),
            map,
            cfg,
        })
    }

    /// The map.
    pub fn map(&self) -> &IoMap {
        &self.map
    }

    /// The link's state.
    pub fn link(&self) -> LinkState {
        self.link.state()
    }

    /// Whether the door's contact reads closed; `None` while unknown (before the first reads, after a link loss).
    pub fn contact_closed(&self, door: DoorId) -> Option<bool> {
        if self.link.state() == LinkState::Lost {
            return None;
        }
        self.inputs.contact_closed(door)
    }

    /// The debounced state of any mapped input: `Some(true)` while active (door open, button pressed, fire,
    /// tampered, lock unlocked); `None` while unknown.
    pub fn input_active(&self, signal: Signal) -> Option<bool> {
        if self.link.state() == LinkState::Lost {
            return None;
        }
        self.inputs.active(signal)
    }

    /// The relay state the driver holds for a door.
    pub fn relay(&self, door: DoorId) -> Option<RelayIntent> {
        self.relays.get(door.index()).copied()
    }

    /// The underlying client (e.g. for a diagnostic read).
    pub fn context_mut(&mut self) -> &mut C {
        &mut self.ctx
    }

    /// Records the outcome of one exchange (run under [`tokio::time::timeout`]) on the link.
    fn record<T>(
        &mut self,
        r: Result<tokio_modbus::Result<T>, tokio::time::error::Elapsed>,
    ) -> Result<T, DriverError> {
        let r = match r {
            Ok(r) => DriverError::flatten(r),
            Err(_) => Err(DriverError::Timeout(u64::from(self.cfg.timeout_ms))),
        };
        if let Err(e) = &r {
            tracing::debug!(unit = self.map.unit.get(), error = %e, "door module exchange failed");
        }
        if let Some(change) = self.link.record(r.is_ok()) {
            if change == Input::CommsLost {
                tracing::warn!(unit = self.map.unit.get(), "door module stopped answering");
                self.inputs.forget();
            } else {
                tracing::info!(unit = self.map.unit.get(), "door module answers again");
            }
            self.pending.push(change);
        }
        r
    }

    async fn write_coil(&mut self, coil: u16, on: bool) -> Result<(), DriverError> {
        let r = timeout(self.cfg.timeout(), self.ctx.write_single_coil(coil, on)).await;
        self.record(r)
    }

    /// Executes one interlock command.
    ///
    /// A failed release leaves the door locked (the driver never retries a release); a failed relock or hold is
    /// retried by the next re-assertion.
    pub async fn execute(&mut self, cmd: Command) -> Result<(), DriverError> {
        let door = match cmd {
            Command::Release { door, .. }
            | Command::Relock { door }
            | Command::HoldReleased { door } => door,
        };
        let d = *self.map.door(door).ok_or(DriverError::UnknownDoor(door))?;
        let coil = d.lock.coil;
        match cmd {
            Command::Release { pulse_ms, .. } => {
                let until = Instant::now() + Duration::from_millis(u64::from(pulse_ms));
                let r = match d.lock.pulse.register_value(pulse_ms) {
                    None => self.write_coil(coil, true).await,
                    Some((reg, units)) => {
                        let r = timeout(
                            self.cfg.timeout(),
                            self.ctx.write_single_register(reg, units),
                        )
                        .await;
                        self.record(r)
                    }
                };
                self.relays[door.index()] = match r {
                    Ok(()) => RelayIntent::Pulse { until },
                    Err(_) => RelayIntent::Locked,
                };
                r
            }
            Command::Relock { .. } => {
                self.relays[door.index()] = RelayIntent::Locked;
                self.write_coil(coil, false).await
            }
            Command::HoldReleased { .. } => {
                self.relays[door.index()] = RelayIntent::Held;
                self.write_coil(coil, true).await
            }
        }
    }

    /// Ends the pulses that are due (switching host-timed ones off), then re-asserts every relay if due.
    async fn maintain_outputs(&mut self, now: Instant) {
        for i in 0..self.relays.len() {
            if let RelayIntent::Pulse { until } = self.relays[i]
                && until <= now
            {
                self.relays[i] = RelayIntent::Locked;
                if self.map.doors[i].lock.pulse == Pulse::Host {
                    let _ = self.write_coil(self.map.doors[i].lock.coil, false).await;
                }
            }
        }
        if now < self.next_reassert {
            return;
        }
        self.next_reassert = now + self.cfg.reassert();
        for i in 0..self.relays.len() {
            let lock = self.map.doors[i].lock;
            let on = match (self.relays[i], lock.pulse) {
                (RelayIntent::Locked, _) => false,
                (RelayIntent::Held, _) | (RelayIntent::Pulse { .. }, Pulse::Host) => true,
                // The module times it: leave it alone.
                (RelayIntent::Pulse { .. }, Pulse::Register { .. }) => continue,
            };
            if self.write_coil(lock.coil, on).await.is_err() && self.link.state() == LinkState::Lost
            {
                break;
            }
        }
    }

    /// One poll cycle; returns the inputs for the interlock (link changes first, then debounced input changes).
    pub async fn poll(&mut self) -> Vec<Input> {
        self.maintain_outputs(Instant::now()).await;
        let (first, count) = self.span;
        let r = timeout(
            self.cfg.timeout(),
            self.ctx.read_discrete_inputs(first, count),
        )
        .await;
        if let Ok(bits) = self.record(r) {
            let changes = self.inputs.feed(&bits);
            self.pending.extend(changes);
        }
        std::mem::take(&mut self.pending)
    }

    /// Polls every `poll_ms` and executes commands as they come, until `commands` is closed or `inputs` is
    /// dropped. Commands take precedence over a due poll.
    pub async fn run(mut self, mut commands: mpsc::Receiver<Command>, inputs: mpsc::Sender<Input>) {
        let mut tick = tokio::time::interval(self.cfg.poll());
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let out = tokio::select! {
                biased;
                cmd = commands.recv() => match cmd {
                    Some(cmd) => {
                        if let Err(e) = self.execute(cmd).await {
                            tracing::warn!(?cmd, error = %e, "door command failed");
                        }
                        std::mem::take(&mut self.pending)
                    }
                    None => break,
                },
                _ = tick.tick() => self.poll().await,
            };
            for input in out {
                if inputs.send(input).await.is_err() {
                    return;
                }
            }
        }
    }
}
