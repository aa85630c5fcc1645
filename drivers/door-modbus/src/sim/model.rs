//! The simulated module and the doors wired to it: a pure, time-injected model (milliseconds on a monotonic
//! clock passed to every call).
//!
//! The module has `channels` relay coils and `channels` discrete inputs, plus the pulse registers the map names
//! (writing `n` runs the register's lock relay for `n × unit_ms`, then switches it off; switching the coil off
//! ends the pulse). The doors follow the map: a door opens only while its lock is released and someone pushes
//! it, or when forced; a door closer shuts it `close_after_ms` after it opened (or after someone stops holding it).

use gate::{DoorId, Side};
use tokio_modbus::ExceptionCode;

use crate::map::{IoMap, Pulse, Signal};

/// The simulator's physical settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimConfig {
    /// Relay coils and discrete inputs on the module (an 8- or 16-channel board).
    pub channels: u16,
    /// The door closer: an opened door shuts this long after it opened, unless held.
    pub close_after_ms: u32,
    /// How long an exit-button press lasts.
    pub button_press_ms: u32,
}

impl Default for SimConfig {
    /// 16 channels, a 3 s door closer, 300 ms button presses.
    fn default() -> Self {
        SimConfig {
            channels: 16,
            close_after_ms: 3_000,
            button_press_ms: 300,
        }
    }
}

/// Where a door is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaf {
    /// Shut.
    Closed,
    /// Open; the closer shuts it at `close_at` unless it is held.
    Open {
        /// When the closer shuts it (ms).
        close_at: u64,
    },
}

#[derive(Debug, Clone)]
struct SimDoor {
    leaf: Leaf,
    held: bool,
    tamper: bool,
    button_until: [Option<u64>; 2],
}

/// The module and its doors.
#[derive(Debug, Clone)]
pub struct DoorModule {
    map: IoMap,
    cfg: SimConfig,
    now: u64,
    coils: Vec<bool>,
    pulse_until: Vec<Option<u64>>,
    doors: Vec<SimDoor>,
    fire: bool,
    silent: bool,
    requests: u64,
}

fn side_index(side: Side) -> usize {
    match side {
        Side::Vestibule => 0,
        Side::Outer => 1,
    }
}

impl DoorModule {
    /// A module wired as `map` says, every door closed, every relay off, at time 0.
    pub fn new(map: IoMap, cfg: SimConfig) -> DoorModule {
        let n = usize::from(cfg.channels);
        let doors = vec![
            SimDoor {
                leaf: Leaf::Closed,
                held: false,
                tamper: false,
                button_until: [None; 2]
            };
            map.doors.len()
        ];
        DoorModule {
            map,
            cfg,
            now: 0,
            coils: vec![false; n],
            pulse_until: vec![None; n],
            doors,
            fire: false,
            silent: false,
            requests: 0,
        }
    }

    /// The map the module is wired by.
    pub fn map(&self) -> &IoMap {
        &self.map
    }

    /// Lets time pass to `now` (earlier times are ignored): pulses end, closers shut doors, presses end.
    pub fn advance(&mut self, now: u64) {
        if now < self.now {
            return;
        }
        self.now = now;
        for (coil, until) in self.coils.iter_mut().zip(&mut self.pulse_until) {
            if until.is_some_and(|u| u <= now) {
                *until = None;
                *coil = false;
            }
        }
        for d in &mut self.doors {
            if let Leaf::Open { close_at } = d.leaf
                && !d.held
                && close_at <= now
            {
                d.leaf = Leaf::Closed;
            }
            for b in &mut d.button_until {
                if b.is_some_and(|u| u <= now) {
                    *b = None;
                }
            }
        }
    }

    fn door_mut(&mut self, door: DoorId) -> Option<&mut SimDoor> {
        self.doors.get_mut(door.index())
    }

    /// Whether the door's lock relay is on (released).
    pub fn released(&self, door: DoorId) -> bool {
        self.map
            .door(door)
            .and_then(|d| self.coils.get(usize::from(d.lock.coil)))
            .copied()
            .unwrap_or(false)
    }

    /// Where the door is.
    pub fn leaf(&self, door: DoorId) -> Option<Leaf> {
        self.doors.get(door.index()).map(|d| d.leaf)
    }

    /// Whether the door is open.
    pub fn is_open(&self, door: DoorId) -> bool {
        matches!(self.leaf(door), Some(Leaf::Open { .. }))
    }

    /// Someone pushes the door: it opens if its lock is released. Returns whether it is open now.
    pub fn push(&mut self, now: u64, door: DoorId) -> bool {
        self.advance(now);
        let released = self.released(door);
        let close_at = now + u64::from(self.cfg.close_after_ms);
        let Some(d) = self.door_mut(door) else {
            return false;
        };
        if released && d.leaf == Leaf::Closed {
            d.leaf = Leaf::Open { close_at };
        }
        matches!(d.leaf, Leaf::Open { .. })
    }

    /// Someone forces the door open, lock or not.
    pub fn force(&mut self, now: u64, door: DoorId) {
        self.advance(now);
        let close_at = now + u64::from(self.cfg.close_after_ms);
        if let Some(d) = self.door_mut(door) {
            d.leaf = Leaf::Open { close_at };
        }
    }

    /// Someone holds the door open (`true`; only an open door can be held) or lets go (`false`: the closer shuts
    /// it `close_after_ms` later).
    pub fn hold(&mut self, now: u64, door: DoorId, held: bool) {
        self.advance(now);
        let close_at = now + u64::from(self.cfg.close_after_ms);
        if let Some(d) = self.door_mut(door) {
            if let Leaf::Open { .. } = d.leaf {
                d.held = held;
                if !held {
                    d.leaf = Leaf::Open { close_at };
                }
            } else {
                d.held = false;
            }
        }
    }

    /// Someone shuts the door at once.
    pub fn shut(&mut self, now: u64, door: DoorId) {
        self.advance(now);
        if let Some(d) = self.door_mut(door) {
            d.leaf = Leaf::Closed;
            d.held = false;
        }
    }

    /// Someone presses an exit button (for `button_press_ms`).
    pub fn press_exit(&mut self, now: u64, door: DoorId, side: Side) {
        self.advance(now);
        let until = now + u64::from(self.cfg.button_press_ms);
        if let Some(d) = self.door_mut(door) {
            d.button_until[side_index(side)] = Some(until);
        }
    }

    /// The fire alarm contact.
    pub fn set_fire(&mut self, active: bool) {
        self.fire = active;
    }

    /// A tamper switch.
    pub fn set_tamper(&mut self, door: DoorId, active: bool) {
        if let Some(d) = self.door_mut(door) {
            d.tamper = active;
        }
    }

    /// A silent module does not answer at all (power cut, bus cut).
    pub fn set_silent(&mut self, silent: bool) {
        self.silent = silent;
    }

    /// Whether the module is silent.
    pub fn silent(&self) -> bool {
        self.silent
    }

    /// Requests served so far.
    pub fn requests(&self) -> u64 {
        self.requests
    }

    fn signal_active(&self, signal: Signal) -> bool {
        let door = |d: DoorId| &self.doors[d.index()];
        match signal {
            Signal::Contact(d) => self.is_open(d),
            // No separate bolt model: the lock reads unlocked while its relay is on.
            Signal::LockSensor(d) => self.released(d),
            Signal::ExitButton(d, side) => door(d).button_until[side_index(side)].is_some(),
            Signal::Tamper(d) => door(d).tamper,
            Signal::Fire => self.fire,
        }
    }

    fn check_range(
        &self,
        addr: u16,
        qty: u16,
        max_qty: u16,
    ) -> Result<std::ops::Range<usize>, ExceptionCode> {
        if qty == 0 || qty > max_qty {
            return Err(ExceptionCode::IllegalDataValue);
        }
        let end = usize::from(addr) + usize::from(qty);
        if end > usize::from(self.cfg.channels) {
            return Err(ExceptionCode::IllegalDataAddress);
        }
        Ok(usize::from(addr)..end)
    }

    /// FC01.
    pub fn read_coils(
        &mut self,
        now: u64,
        addr: u16,
        qty: u16,
    ) -> Result<Vec<bool>, ExceptionCode> {
        self.advance(now);
        self.requests += 1;
        let r = self.check_range(addr, qty, 2000)?;
        Ok(self.coils[r].to_vec())
    }

    /// FC02: the raw bits as wired (NO/NC applied); unwired inputs read 0.
    pub fn read_discrete_inputs(
        &mut self,
        now: u64,
        addr: u16,
        qty: u16,
    ) -> Result<Vec<bool>, ExceptionCode> {
        self.advance(now);
        self.requests += 1;
        let r = self.check_range(addr, qty, 2000)?;
        let mut bits = vec![false; usize::from(self.cfg.channels)];
        for (signal, point) in self.map.signals() {
            if let Some(b) = bits.get_mut(usize::from(point.input)) {
                *b = point.wiring.raw(self.signal_active(signal));
            }
        }
        Ok(bits[r].to_vec())
    }

    /// FC05 (and FC0F per coil). Switching a coil off ends its pulse.
    pub fn write_coil(&mut self, now: u64, addr: u16, on: bool) -> Result<(), ExceptionCode> {
        self.write_coils(now, addr, &[on])
    }

    /// FC0F.
    pub fn write_coils(
        &mut self,
        now: u64,
        addr: u16,
        values: &[bool],
    ) -> Result<(), ExceptionCode> {
        self.advance(now);
        self.requests += 1;
        let r = self.check_range(addr, values.len() as u16, 1968)?;
        for (i, &on) in r.zip(values) {
            self.coils[i] = on;
            self.pulse_until[i] = None;
        }
        Ok(())
    }

    fn pulse_register(&self, reg: u16) -> Option<(usize, u32)> {
        self.map.doors.iter().find_map(|d| match d.lock.pulse {
            Pulse::Register { register, unit_ms } if register == reg => {
                Some((usize::from(d.lock.coil), unit_ms))
            }
            _ => None,
        })
    }

    /// FC06 on a pulse register: `n` > 0 starts an `n × unit` pulse on its relay, 0 ends it.
    pub fn write_register(&mut self, now: u64, reg: u16, value: u16) -> Result<(), ExceptionCode> {
        self.advance(now);
        self.requests += 1;
        let (coil, unit_ms) = self
            .pulse_register(reg)
            .ok_or(ExceptionCode::IllegalDataAddress)?;
        if coil >= self.coils.len() {
            return Err(ExceptionCode::ServerDeviceFailure);
        }
        if value == 0 {
            self.coils[coil] = false;
            self.pulse_until[coil] = None;
        } else {
            self.coils[coil] = true;
            self.pulse_until[coil] = Some(now + u64::from(value) * u64::from(unit_ms));
        }
        Ok(())
    }

    /// FC03 on pulse registers: the units left of the running pulse (0 when none).
    pub fn read_registers(
        &mut self,
        now: u64,
        reg: u16,
        qty: u16,
    ) -> Result<Vec<u16>, ExceptionCode> {
        self.advance(now);
        self.requests += 1;
        if qty == 0 || qty > 125 {
            return Err(ExceptionCode::IllegalDataValue);
        }
        (reg..reg.saturating_add(qty))
            .map(|r| {
                let (coil, unit_ms) = self
                    .pulse_register(r)
                    .ok_or(ExceptionCode::IllegalDataAddress)?;
                let left = self
                    .pulse_until
                    .get(coil)
                    .copied()
                    .flatten()
                    .map_or(0, |u| u - now);
                Ok(left.div_ceil(u64::from(unit_ms)).min(u64::from(u16::MAX)) as u16)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map::{InputPoint, Wiring};

    const A: DoorId = DoorId::A;
    const B: DoorId = DoorId::B;

    fn module() -> DoorModule {
        let mut map = IoMap::two_door_default();
        map.doors[1].lock.pulse = Pulse::Register {
            register: 0x100,
            unit_ms: 100,
        };
        DoorModule::new(map, SimConfig::default())
    }

    #[test]
    fn a_door_opens_only_while_released_and_pushed() {
        let mut m = module();
        assert!(!m.push(0, A), "locked door stays shut");
        m.write_coil(10, 0, true).unwrap();
        assert!(m.released(A));
        assert!(m.push(20, A));
        m.write_coil(30, 0, false).unwrap();
        assert!(m.is_open(A), "relocking does not shut an open door");
        m.advance(20 + 2_999);
        assert!(m.is_open(A));
        m.advance(20 + 3_000);
        assert!(!m.is_open(A), "the closer shut it");
    }

    #[test]
    fn held_door_stays_open_until_let_go() {
        let mut m = module();
        m.force(0, A);
        m.hold(10, A, true);
        m.advance(60_000);
        assert!(m.is_open(A));
        m.hold(60_000, A, false);
        m.advance(62_999);
        assert!(m.is_open(A));
        m.advance(63_000);
        assert!(!m.is_open(A));
    }

    #[test]
    fn module_timed_pulse_ends_by_itself_or_on_coil_off() {
        let mut m = module();
        m.write_register(0, 0x100, 7).unwrap();
        assert!(m.released(B));
        assert_eq!(m.read_registers(250, 0x100, 1).unwrap(), vec![5]);
        m.advance(699);
        assert!(m.released(B));
        m.advance(700);
        assert!(!m.released(B), "the module switched it off");
        m.write_register(800, 0x100, 50).unwrap();
        m.write_coil(900, 1, false).unwrap();
        assert!(!m.released(B));
        m.advance(10_000);
        assert!(!m.read_coils(10_000, 0, 2).unwrap()[1]);
        assert_eq!(
            m.write_register(0, 0x101, 1),
            Err(ExceptionCode::IllegalDataAddress)
        );
    }

    #[test]
    fn discrete_inputs_follow_the_wiring() {
        let mut map = IoMap::two_door_default();
        map.doors[1].contact = InputPoint {
            input: 1,
            wiring: Wiring::NormallyOpen,
        };
        let mut m = DoorModule::new(map, SimConfig::default());
        // Rest: NC inputs read 1, the NO contact reads 0, unwired input 6 reads 0.
        assert_eq!(
            m.read_discrete_inputs(0, 0, 8).unwrap(),
            vec![true, false, true, true, true, true, false, true]
        );
        m.force(0, A);
        m.force(0, B);
        m.set_fire(true);
        m.set_tamper(B, true);
        m.press_exit(0, A, Side::Outer);
        assert_eq!(
            m.read_discrete_inputs(1, 0, 8).unwrap(),
            vec![false, true, false, true, true, false, false, false]
        );
        // The press ends by itself.
        assert!(m.read_discrete_inputs(300, 2, 1).unwrap()[0]);
    }

    #[test]
    fn out_of_range_requests_are_exceptions() {
        let mut m = module();
        assert_eq!(
            m.read_coils(0, 15, 2),
            Err(ExceptionCode::IllegalDataAddress)
        );
        assert_eq!(
            m.read_discrete_inputs(0, 0, 0),
            Err(ExceptionCode::IllegalDataValue)
        );
        assert_eq!(
            m.read_registers(0, 0x100, 2),
            Err(ExceptionCode::IllegalDataAddress)
        );
        assert_eq!(m.requests(), 3);
    }

    #[test]
    fn time_never_goes_backwards() {
        let mut m = module();
        m.write_register(1_000, 0x100, 1).unwrap();
        m.advance(500);
        assert!(m.released(B));
        m.advance(1_100);
        assert!(!m.released(B));
    }
}
