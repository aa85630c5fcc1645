//! The interlock: N doors of which at most one is released at a time.
//!
//! The rules, in the order they are applied (hardware.md §5, DESIGN.md §5):
//!
//! 1. Every call first lets time pass: pulses that ended relock their door (a grant that was never used
//!    expires), a validly opened door that stands open too long raises the held-open alarm.
//! 2. A release (a verified scan or an exit button) is granted only if there is no fire override, the I/O module
//!    answers, every door's inputs are known, the door itself is closed and not released, and every *other* door
//!    is closed by its contact, has no release active and (if it has a lock sensor) reads locked.
//! 3. A door that opens with no release active raises the forced-open alarm; one that opens a second time on
//!    one grant is a tailgating sign.
//! 4. A door that closes after a passage relocks at once (relock on close) or when its pulse ends.
//! 5. The fire input holds every door released and suspends the interlock until the input clears **and** an
//!    examiner resets.
//! 6. Losing the I/O module makes every input unknown, which denies every release until the link is back and
//!    inputs are read again; readings that arrive while the link is down are ignored.

mod door;
#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;

pub use door::DoorState;

use crate::config::Config;
use crate::error::{ConfigError, GateError};
use crate::ids::{DoorId, GrantId, MonoMs};
use crate::io::{Alarm, Command, DenyReason, Grant, Input, Notice, Output, ResetRefusal};
use door::{Door, Phase, Reading};

/// Whether the fire override is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fire {
    /// Normal operation: the interlock is in force.
    Off,
    /// Every door is held released; `input_active` while the fire input is still on.
    Override { input_active: bool },
}

/// The interlock state machine. Pure: time comes in as an argument; outputs are returned.
///
/// ```
/// use gate::{Command, Config, DoorId, GrantId, Input, Interlock, MonoMs, Output};
/// let mut lock = Interlock::new(Config::two_doors()).unwrap();
/// let t = MonoMs(0);
/// for door in [DoorId::A, DoorId::B] {
///     lock.handle(t, Input::Contact { door, closed: true }).unwrap();
/// }
/// let out = lock.request_release(t, DoorId::A, GrantId(1)).unwrap();
/// assert_eq!(out, vec![Output::Command(Command::Release { door: DoorId::A, pulse_ms: 5_000 })]);
/// // While A is released, B is refused.
/// let out = lock.request_release(t, DoorId::B, GrantId(2)).unwrap();
/// assert!(matches!(out[0], Output::Denied { .. }));
/// ```
#[derive(Debug, Clone)]
pub struct Interlock {
    cfg: Config,
    doors: Vec<Door>,
    comms_up: bool,
    fire: Fire,
    last_now: MonoMs,
}

impl Interlock {
    /// A new interlock: every door unknown (so nothing can be released until the contacts are read), the link
    /// assumed up, no fire. Send [`Interlock::startup_commands`] to the module first.
    pub fn new(cfg: Config) -> Result<Interlock, ConfigError> {
        cfg.validate()?;
        let doors = cfg.doors.iter().map(|d| Door::new(*d)).collect();
        Ok(Interlock {
            cfg,
            doors,
            comms_up: true,
            fire: Fire::Off,
            last_now: MonoMs(0),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Every door of the group.
    pub fn doors(&self) -> impl Iterator<Item = DoorId> + '_ {
        (0..self.doors.len()).map(|i| DoorId(i as u8))
    }

    /// Relock every door: the safe state to assert at start, before anything else.
    pub fn startup_commands(&self) -> Vec<Output> {
        self.doors()
            .map(|door| Output::Command(Command::Relock { door }))
            .collect()
    }

    /// The relay state every door should have now, as idempotent commands to re-send periodically
    /// (hardware.md §5.9): hold released under the fire override, relock where no release is active, and nothing
    /// for a running pulse (the module times it).
    pub fn reassert_commands(&self) -> Vec<Output> {
        self.doors()
            .zip(&self.doors)
            .filter_map(|(door, d)| match d.phase {
                Phase::FireHeld => Some(Output::Command(Command::HoldReleased { door })),
                _ if d.release_active() => None,
                _ => Some(Output::Command(Command::Relock { door })),
            })
            .collect()
    }

    /// A door's state.
    pub fn door_state(&self, door: DoorId) -> Result<DoorState, GateError> {
        Ok(self.door(door)?.state())
    }

    /// Whether a release of the door is active (a pulse runs or the fire override holds it).
    pub fn release_active(&self, door: DoorId) -> Result<bool, GateError> {
        Ok(self.door(door)?.release_active())
    }

    /// Whether the fire override is on (until an examiner resets it).
    pub fn fire_override(&self) -> bool {
        self.fire != Fire::Off
    }

    /// Whether the I/O module answers.
    pub fn comms_up(&self) -> bool {
        self.comms_up
    }

    fn door(&self, door: DoorId) -> Result<&Door, GateError> {
        self.doors
            .get(door.index())
            .ok_or(GateError::UnknownDoor(door))
    }

    /// Check the arguments, then let time pass up to `now`. Errors leave the state untouched.
    fn begin(
        &mut self,
        now: MonoMs,
        door: Option<DoorId>,
        out: &mut Vec<Output>,
    ) -> Result<(), GateError> {
        if let Some(d) = door {
            self.door(d)?;
        }
        if now < self.last_now {
            return Err(GateError::TimeWentBackwards {
                last: self.last_now,
                now,
            });
        }
        self.last_now = now;
        self.expire(now, out);
        Ok(())
    }

    /// Rule 1: pulses end, held-open alarms rise.
    fn expire(&mut self, now: MonoMs, out: &mut Vec<Output>) {
        let held_open_ms = u64::from(self.cfg.held_open_ms);
        for (i, d) in self.doors.iter_mut().enumerate() {
            let door = DoorId(i as u8);
            match &mut d.phase {
                Phase::Released {
                    grant,
                    until,
                    cycles,
                } if now >= *until => {
                    if *cycles == 0 {
                        out.push(Output::Notice(Notice::GrantExpired {
                            door,
                            grant: *grant,
                        }));
                    }
                    out.push(Output::Command(Command::Relock { door }));
                    d.phase = Phase::Secure;
                }
                Phase::Passage {
                    release_until,
                    opened_at,
                    held,
                    ..
                } => {
                    if release_until.is_some_and(|u| now >= u) {
                        *release_until = None;
                        out.push(Output::Command(Command::Relock { door }));
                    }
                    if !*held && now.since(*opened_at) >= held_open_ms {
                        *held = true;
                        out.push(Output::Alarm(Alarm::HeldOpen { door }));
                    }
                }
                Phase::Relocked { window_until, .. } if now >= *window_until => {
                    d.phase = Phase::Secure
                }
                _ => {}
            }
        }
    }

    /// Handle one observation (or a tick) at `now`.
    pub fn handle(&mut self, now: MonoMs, input: Input) -> Result<Vec<Output>, GateError> {
        let mut out = Vec::new();
        self.begin(now, input.door(), &mut out)?;
        match input {
            // Readings while the link is down cannot be trusted: wait for the link, then a fresh reading.
            Input::Contact { .. } | Input::Lock { .. } if !self.comms_up => {}
            Input::Contact { door, closed } => self.contact(now, door, closed, &mut out),
            Input::Lock { door, locked } => {
                self.doors[door.index()].lock = Reading::from_bool(locked)
            }
            Input::ExitButton { door, side } => {
                self.try_release(now, door, Grant::ExitButton(side), &mut out)
            }
            Input::Fire { active } => self.fire_input(active, &mut out),
            Input::Tamper { door } => out.push(Output::Alarm(Alarm::Tamper { door })),
            Input::CommsLost => self.comms_lost(&mut out),
            Input::CommsRestored => self.comms_restored(&mut out),
            Input::Tick => {}
            Input::ExaminerReset => self.examiner_reset(now, &mut out),
        }
        Ok(out)
    }

    /// Ask to release `door` for a verified credential (rule 2). A refusal is an [`Output::Denied`].
    pub fn request_release(
        &mut self,
        now: MonoMs,
        door: DoorId,
        grant: GrantId,
    ) -> Result<Vec<Output>, GateError> {
        let mut out = Vec::new();
        self.begin(now, Some(door), &mut out)?;
        self.try_release(now, door, Grant::Credential(grant), &mut out);
        Ok(out)
    }

    /// Rule 2, the interlock itself: why `door` may not be released now, if it may not.
    pub fn release_refusal(&self, door: DoorId) -> Result<Option<DenyReason>, GateError> {
        let this = self.door(door)?;
        if self.fire != Fire::Off {
            return Ok(Some(DenyReason::FireOverride));
        }
        if !self.comms_up {
            return Ok(Some(DenyReason::CommsLost));
        }
        if let Some(i) = self.doors.iter().position(|d| !d.known()) {
            return Ok(Some(DenyReason::StateUnknown {
                door: DoorId(i as u8),
            }));
        }
        if this.contact == Reading::Off {
            return Ok(Some(DenyReason::DoorOpen));
        }
        if this.release_active() {
            return Ok(Some(DenyReason::AlreadyReleased));
        }
        for (i, other) in self.doors.iter().enumerate() {
            let other_id = DoorId(i as u8);
            if other_id == door {
                continue;
            }
            if other.contact != Reading::On {
                return Ok(Some(DenyReason::OtherDoorOpen { door: other_id }));
            }
            if other.release_active() {
                return Ok(Some(DenyReason::OtherDoorReleased { door: other_id }));
            }
            if other.sensor_unlocked() {
                return Ok(Some(DenyReason::OtherDoorUnlocked { door: other_id }));
            }
        }
        Ok(None)
    }

    fn try_release(&mut self, now: MonoMs, door: DoorId, grant: Grant, out: &mut Vec<Output>) {
        // `door` was checked by `begin`.
        match self.release_refusal(door) {
            Ok(None) => {
                let pulse_ms = self.cfg.release_pulse_ms;
                self.doors[door.index()].phase = Phase::Released {
                    grant,
                    until: now.plus(pulse_ms),
                    cycles: 0,
                };
                out.push(Output::Command(Command::Release { door, pulse_ms }));
            }
            Ok(Some(reason)) => out.push(Output::Denied {
                door,
                grant,
                reason,
            }),
            Err(_) => {}
        }
    }

    /// Rules 3 and 4: a contact reading.
    fn contact(&mut self, now: MonoMs, door: DoorId, closed: bool, out: &mut Vec<Output>) {
        let relock_on_close = self.cfg.relock_on_close;
        let d = &mut self.doors[door.index()];
        d.contact = Reading::from_bool(closed);
        d.phase = match (d.phase, closed) {
            (Phase::FireHeld, _) => Phase::FireHeld,
            // Opened with nothing released: forced (also when found open at start or after a link loss).
            (Phase::Secure, false) => {
                out.push(Output::Alarm(Alarm::ForcedOpen { door }));
                Phase::Forced
            }
            (Phase::Forced, true) => {
                out.push(Output::AlarmCleared(Alarm::ForcedOpen { door }));
                Phase::Secure
            }
            (
                Phase::Released {
                    grant,
                    until,
                    cycles,
                },
                false,
            ) => {
                let cycles = cycles.saturating_add(1);
                if cycles >= 2 {
                    out.push(tailgating(door, grant));
                }
                Phase::Passage {
                    grant: Some(grant),
                    opened_at: now,
                    release_until: Some(until),
                    cycles,
                    held: false,
                }
            }
            (Phase::Relocked { grant, cycles, .. }, false) => {
                let cycles = cycles.saturating_add(1);
                out.push(tailgating(door, grant));
                Phase::Passage {
                    grant: Some(grant),
                    opened_at: now,
                    release_until: None,
                    cycles,
                    held: false,
                }
            }
            (
                Phase::Passage {
                    grant,
                    release_until,
                    cycles,
                    held,
                    ..
                },
                true,
            ) => {
                if held {
                    out.push(Output::AlarmCleared(Alarm::HeldOpen { door }));
                }
                match grant {
                    Some(grant) => {
                        out.push(Output::Notice(Notice::Passed {
                            door,
                            grant,
                            cycle: cycles,
                        }));
                        match release_until {
                            Some(until) if relock_on_close => {
                                out.push(Output::Command(Command::Relock { door }));
                                Phase::Relocked {
                                    grant,
                                    window_until: until,
                                    cycles,
                                }
                            }
                            Some(until) => Phase::Released {
                                grant,
                                until,
                                cycles,
                            },
                            None => Phase::Secure,
                        }
                    }
                    None => Phase::Secure,
                }
            }
            (phase, _) => phase,
        };
    }

    /// Rule 5: the fire input.
    fn fire_input(&mut self, active: bool, out: &mut Vec<Output>) {
        match (self.fire, active) {
            (_, true) => {
                if self.fire == Fire::Off {
                    out.push(Output::Alarm(Alarm::FireOverride));
                }
                self.fire = Fire::Override { input_active: true };
                for (i, d) in self.doors.iter_mut().enumerate() {
                    let door = DoorId(i as u8);
                    match d.phase {
                        Phase::Passage { held: true, .. } => {
                            out.push(Output::AlarmCleared(Alarm::HeldOpen { door }))
                        }
                        Phase::Forced => out.push(Output::AlarmCleared(Alarm::ForcedOpen { door })),
                        _ => {}
                    }
                    d.phase = Phase::FireHeld;
                    out.push(Output::Command(Command::HoldReleased { door }));
                }
            }
            (Fire::Override { input_active: true }, false) => {
                self.fire = Fire::Override {
                    input_active: false,
                };
                out.push(Output::Notice(Notice::FireInputCleared));
            }
            (_, false) => {}
        }
    }

    /// Rule 5: the examiner's reset ends the override once the input has cleared.
    fn examiner_reset(&mut self, now: MonoMs, out: &mut Vec<Output>) {
        match self.fire {
            Fire::Off => out.push(Output::Notice(Notice::ResetRefused {
                reason: ResetRefusal::NoOverride,
            })),
            Fire::Override { input_active: true } => {
                out.push(Output::Notice(Notice::ResetRefused {
                    reason: ResetRefusal::FireInputActive,
                }))
            }
            Fire::Override {
                input_active: false,
            } => {
                self.fire = Fire::Off;
                out.push(Output::AlarmCleared(Alarm::FireOverride));
                out.push(Output::Notice(Notice::FireReset));
                for (i, d) in self.doors.iter_mut().enumerate() {
                    out.push(Output::Command(Command::Relock {
                        door: DoorId(i as u8),
                    }));
                    d.phase = match d.contact {
                        // Still open: it must close within the held-open time.
                        Reading::Off => Phase::Passage {
                            grant: None,
                            opened_at: now,
                            release_until: None,
                            cycles: 0,
                            held: false,
                        },
                        Reading::On | Reading::Unknown => Phase::Secure,
                    };
                }
            }
        }
    }

    /// Rule 6: the link to the I/O module is lost. Running pulses end by themselves in the module.
    fn comms_lost(&mut self, out: &mut Vec<Output>) {
        for d in &mut self.doors {
            d.contact = Reading::Unknown;
            d.lock = Reading::Unknown;
        }
        if self.comms_up {
            self.comms_up = false;
            out.push(Output::Alarm(Alarm::CommsLost));
        }
    }

    /// Rule 6: the link is back. Re-assert every relay; inputs stay unknown until read.
    fn comms_restored(&mut self, out: &mut Vec<Output>) {
        if self.comms_up {
            return;
        }
        self.comms_up = true;
        out.push(Output::AlarmCleared(Alarm::CommsLost));
        for (i, d) in self.doors.iter().enumerate() {
            let door = DoorId(i as u8);
            if d.phase == Phase::FireHeld {
                out.push(Output::Command(Command::HoldReleased { door }));
            } else if !d.release_active() {
                out.push(Output::Command(Command::Relock { door }));
            }
        }
    }
}

fn tailgating(door: DoorId, grant: Grant) -> Output {
    Output::Alarm(Alarm::Tailgating {
        door,
        sign: crate::io::TailgatingSign::DoorCycledTwice { grant },
    })
}
