//! The polling driver: one FC02 read of the mapped discrete inputs and one FC04 read of the mapped input
//! registers per poll, decoded into [`Signals`], with the link's state. The two requests are a few
//! milliseconds apart, so a change that lands between them shows in the next poll's other half.

use std::time::Duration;

use tokio::sync::watch;
use tokio::time::timeout;
use tokio_modbus::client::{Context, Reader};

use crate::error::DriverError;
use crate::map::{MapError, SignalMap};
use crate::signals::Signals;

/// Poll timings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollConfig {
    /// How long one request may take.
    pub timeout: Duration,
    /// Failed polls in a row before the link is [`LinkState::Lost`] (0 is taken as 1).
    pub lost_after: u8,
    /// The period of [`VehicleIo::run`]: 50 ms, twice the telemetry's 10 Hz.
    pub period: Duration,
}

impl Default for PollConfig {
    fn default() -> PollConfig {
        PollConfig {
            timeout: Duration::from_millis(200),
            lost_after: 3,
            period: Duration::from_millis(50),
        }
    }
}

/// What the driver knows about the collector's link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// No poll has succeeded yet.
    Starting,
    /// The collector answers.
    Up,
    /// The collector stopped answering (or answers nonsense): the signals are unknown.
    Lost,
}

impl LinkState {
    /// The state after one poll, given the failures in a row so far (counting this one).
    fn after(self, ok: bool, failures: u8, lost_after: u8) -> LinkState {
        if ok {
            LinkState::Up
        } else if failures >= lost_after.max(1) {
            LinkState::Lost
        } else {
            self
        }
    }
}

/// What [`VehicleIo::run`] publishes after every poll.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VehicleState {
    /// The link.
    pub link: LinkState,
    /// The latest good reading; `None` before the first one and while the link is lost.
    pub signals: Option<Signals>,
}

/// The driver for one signal collector, generic over the tokio-modbus client (RTU or TCP).
pub struct VehicleIo<C = Context> {
    ctx: C,
    map: SignalMap,
    cfg: PollConfig,
    link: LinkState,
    failures: u8,
    last: Option<Signals>,
}

impl<C> std::fmt::Debug for VehicleIo<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VehicleIo")
            .field("unit", &self.map.unit)
            .field("link", &self.link)
            .finish_non_exhaustive()
    }
}

impl<C: Reader + Send> VehicleIo<C> {
    /// A driver for the collector behind `ctx` (already addressed to `map.unit`).
    pub fn new(ctx: C, map: SignalMap, cfg: PollConfig) -> Result<VehicleIo<C>, MapError> {
        map.validate()?;
        Ok(VehicleIo {
            ctx,
            map,
            cfg,
            link: LinkState::Starting,
            failures: 0,
            last: None,
        })
    }

    /// The map.
    pub fn map(&self) -> &SignalMap {
        &self.map
    }

    /// The link's state.
    pub fn link(&self) -> LinkState {
        self.link
    }

    /// The state as [`VehicleIo::run`] publishes it.
    pub fn state(&self) -> VehicleState {
        VehicleState {
            link: self.link,
            signals: if self.link == LinkState::Lost {
                None
            } else {
                self.last
            },
        }
    }

    /// Polls once.
    pub async fn read(&mut self) -> Result<Signals, DriverError> {
        let r = self.exchange().await;
        let ok = r.is_ok();
        self.failures = if ok {
            0
        } else {
            self.failures.saturating_add(1)
        };
        let was = self.link;
        self.link = self.link.after(ok, self.failures, self.cfg.lost_after);
        match &r {
            Ok(s) => self.last = Some(*s),
            Err(e) if self.link == LinkState::Lost && was != LinkState::Lost => {
                tracing::warn!(unit = self.map.unit.get(), error = %e, "vehicle signal collector lost");
            }
            Err(e) => tracing::debug!(error = %e, "vehicle signal poll failed"),
        }
        if ok && was == LinkState::Lost {
            tracing::info!(unit = self.map.unit.get(), "vehicle signal collector back");
        }
        r
    }

    async fn exchange(&mut self) -> Result<Signals, DriverError> {
        let ms = self.cfg.timeout.as_millis() as u64;
        let (ib, ic) = self.map.input_span();
        let (rb, rc) = self.map.register_span();
        let inputs = timeout(self.cfg.timeout, self.ctx.read_discrete_inputs(ib, ic))
            .await
            .map_err(|_| DriverError::Timeout(ms))?;
        let inputs = DriverError::flatten(inputs)?;
        let regs = timeout(self.cfg.timeout, self.ctx.read_input_registers(rb, rc))
            .await
            .map_err(|_| DriverError::Timeout(ms))?;
        let regs = DriverError::flatten(regs)?;
        Ok(self.map.decode(&inputs, &regs)?)
    }

    /// Polls every `period` for ever, publishing the state after each poll (only when it changed), until every
    /// receiver is gone.
    pub async fn run(mut self, tx: watch::Sender<VehicleState>) {
        let mut tick = tokio::time::interval(self.cfg.period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let _ = self.read().await;
            let state = self.state();
            tx.send_if_modified(|s| {
                let changed = *s != state;
                *s = state;
                changed
            });
            if tx.is_closed() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_is_lost_after_n_failures_in_a_row_and_back_on_the_next_answer() {
        let mut s = LinkState::Starting;
        let mut failures = 0;
        let mut step = |ok: bool| {
            failures = if ok { 0 } else { failures + 1 };
            s = s.after(ok, failures, 2);
            s
        };
        assert_eq!(step(false), LinkState::Starting);
        assert_eq!(step(false), LinkState::Lost, "silent from the start");
        assert_eq!(step(true), LinkState::Up);
        assert_eq!(step(false), LinkState::Up, "one failure is forgiven");
        assert_eq!(step(true), LinkState::Up);
        assert_eq!(step(false), LinkState::Up);
        assert_eq!(step(false), LinkState::Lost);
        assert_eq!(step(false), LinkState::Lost);
        assert_eq!(step(true), LinkState::Up);
    }
}
