//! Test support: an oracle of the door hardware, rebuilt from inputs and commands only.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::config::{Config, LockFeedback};
use crate::ids::MonoMs;
use crate::io::{Alarm, Command, Input, Notice, Output};

/// What the module's relay for one door is doing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Relay {
    Locked,
    Pulse { until: MonoMs },
    Held,
}

/// The oracle: the hardware as the commands and inputs describe it.
#[derive(Debug)]
pub(crate) struct Shadow {
    pub(crate) sensor: Vec<bool>,
    pub(crate) contact: Vec<Option<bool>>,
    pub(crate) lock: Vec<Option<bool>>,
    pub(crate) relay: Vec<Relay>,
    pub(crate) comms_up: bool,
    pub(crate) fire: bool,
}

impl Shadow {
    pub(crate) fn new(cfg: &Config) -> Shadow {
        let n = cfg.doors.len();
        Shadow {
            sensor: cfg
                .doors
                .iter()
                .map(|d| d.lock_feedback == LockFeedback::Sensor)
                .collect(),
            contact: vec![None; n],
            lock: vec![None; n],
            relay: vec![Relay::Locked; n],
            comms_up: true,
            fire: false,
        }
    }

    pub(crate) fn active(&self, i: usize, now: MonoMs) -> bool {
        match self.relay[i] {
            Relay::Locked => false,
            Relay::Pulse { until } => now < until,
            Relay::Held => true,
        }
    }

    pub(crate) fn known(&self, i: usize) -> bool {
        self.contact[i].is_some() && (!self.sensor[i] || self.lock[i].is_some())
    }

    pub(crate) fn input(&mut self, input: Input) {
        match input {
            Input::Contact { door, closed } if self.comms_up => {
                self.contact[door.index()] = Some(closed)
            }
            Input::Lock { door, locked } if self.comms_up => self.lock[door.index()] = Some(locked),
            Input::CommsLost => {
                self.comms_up = false;
                self.contact.iter_mut().for_each(|c| *c = None);
                self.lock.iter_mut().for_each(|c| *c = None);
            }
            Input::CommsRestored => self.comms_up = true,
            _ => {}
        }
    }

    /// Check one output against the rules, then apply it.
    pub(crate) fn output(&mut self, now: MonoMs, out: &Output) -> Result<(), TestCaseError> {
        match *out {
            Output::Command(Command::Release { door, pulse_ms }) => {
                let i = door.index();
                prop_assert!(!self.fire, "pulse release during fire override");
                prop_assert!(self.comms_up, "release while the link is down");
                for j in 0..self.relay.len() {
                    prop_assert!(self.known(j), "release of {door} while door {j} is unknown");
                    if j != i {
                        prop_assert_eq!(
                            self.contact[j],
                            Some(true),
                            "release of {} while door {} open",
                            door,
                            j
                        );
                        prop_assert!(
                            !self.sensor[j] || self.lock[j] == Some(true),
                            "other lock not locked"
                        );
                        prop_assert!(
                            !self.active(j, now),
                            "release of {door} while door {j} released"
                        );
                    }
                }
                prop_assert!(
                    !self.active(i, now),
                    "release of an already released door {door}"
                );
                self.relay[i] = Relay::Pulse {
                    until: now.plus(pulse_ms),
                };
            }
            Output::Command(Command::Relock { door }) => {
                prop_assert!(!self.fire, "relock during fire override");
                self.relay[door.index()] = Relay::Locked;
            }
            Output::Command(Command::HoldReleased { door }) => {
                prop_assert!(self.fire, "hold outside fire override");
                self.relay[door.index()] = Relay::Held;
            }
            Output::Alarm(Alarm::FireOverride) => self.fire = true,
            Output::Notice(Notice::FireReset) => self.fire = false,
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn invariants(&self, now: MonoMs) -> Result<(), TestCaseError> {
        let active = (0..self.relay.len())
            .filter(|&i| self.active(i, now))
            .count();
        if self.fire {
            prop_assert_eq!(
                active,
                self.relay.len(),
                "fire override must hold every door released"
            );
        } else {
            prop_assert!(active <= 1, "{} doors released at once", active);
        }
        Ok(())
    }
}
