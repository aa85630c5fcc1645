//! The typed I/O map: which coil locks which door, which discrete input is which contact, and how each is wired.
//!
//! A map is plain data, read from the site's configuration (TOML or JSON through serde), then checked with
//! [`IoMap::validate`]. Addresses are the zero-based wire addresses of the Modbus PDU (mbpoll's `-r` is one-based).
//!
//! ```
//! let map: door_modbus::IoMap = serde_json::from_str(r#"{
//!   "unit": 1,
//!   "doors": [
//!     {"lock": {"coil": 0, "pulse": {"kind": "register", "register": 256, "unit_ms": 100}},
//!      "contact": {"input": 0, "wiring": "nc"}, "exit_outer": {"input": 2}},
//!     {"lock": {"coil": 1}, "contact": {"input": 1, "wiring": "nc"}}
//!   ],
//!   "fire": {"input": 7, "wiring": "nc"}
//! }"#).unwrap();
//! map.validate().unwrap();
//! assert_eq!(map.input_span(), Some((0, 8)));
//! ```

use std::collections::BTreeMap;

use gate::DoorId;
use serde::Deserialize;

use crate::error::MapError;

pub use hw::modbus::UnitId;

/// How an input is wired: what the opto input reads while the thing it watches is at rest
/// (door closed, button not pressed, no fire, enclosure shut).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize)]
pub enum Wiring {
    /// Normally open: the circuit is open (input reads 0) at rest and closes (reads 1) when active.
    #[serde(rename = "no")]
    NormallyOpen,
    /// Normally closed: the circuit is closed (input reads 1) at rest and opens (reads 0) when active.
    /// A cut wire then reads as active (door open, fire, tamper): fail-secure supervision (hardware.md §5.4).
    #[default]
    #[serde(rename = "nc")]
    NormallyClosed,
}

impl Wiring {
    /// Whether the watched thing is active (door open, pressed, fire, tampered) given the raw input bit.
    pub fn active(self, raw: bool) -> bool {
        match self {
            Wiring::NormallyOpen => raw,
            Wiring::NormallyClosed => !raw,
        }
    }

    /// The raw input bit that reports `active` (what a simulator drives).
    pub fn raw(self, active: bool) -> bool {
        match self {
            Wiring::NormallyOpen => active,
            Wiring::NormallyClosed => !active,
        }
    }
}

/// One discrete input (function code 0x02) and its wiring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputPoint {
    /// The discrete input's zero-based address.
    pub input: u16,
    /// NO or NC (default NC).
    #[serde(default)]
    pub wiring: Wiring,
}

/// How a release pulse is timed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Pulse {
    /// The module has no timer: the driver switches the coil on, then off when the pulse ends, and re-asserts
    /// "off" periodically. A daemon that dies mid-pulse leaves the relay on until someone relocks it.
    #[default]
    Host,
    /// The module times the pulse: writing `n` (function code 0x06) to `register` switches the lock relay on for
    /// `n × unit_ms` and then off by itself; writing 0 or switching the coil off ends it early. A crashed daemon
    /// cannot leave the door released. (Relay boards with on-board delay modes work this way; the driver rounds the
    /// pulse up to whole units.)
    Register {
        /// The holding register that starts the pulse.
        register: u16,
        /// The timer's unit in milliseconds (e.g. 100).
        unit_ms: u32,
    },
}

/// The lock relay of one door. Coil on = lock released (strike energised, or maglock power cut by the relay's
/// NC contact).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockOutput {
    /// The relay coil's zero-based address (function codes 0x01/0x05).
    pub coil: u16,
    /// Who times a release pulse.
    #[serde(default)]
    pub pulse: Pulse,
}

/// The points of one door.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoorMap {
    /// The lock relay.
    pub lock: LockOutput,
    /// The door contact (active = door open).
    pub contact: InputPoint,
    /// A lock-status sensor (active = unlocked), for doors with `gate::LockFeedback::Sensor`.
    #[serde(default)]
    pub lock_sensor: Option<InputPoint>,
    /// The exit button on the vestibule side.
    #[serde(default)]
    pub exit_vestibule: Option<InputPoint>,
    /// The exit button on the outer side (waiting area for door A, exam hall for door B).
    #[serde(default)]
    pub exit_outer: Option<InputPoint>,
    /// The reader's or lock's tamper switch (active = tampered).
    #[serde(default)]
    pub tamper: Option<InputPoint>,
}

/// The whole module: one unit id, doors in [`DoorId`] order, the fire input.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IoMap {
    /// The module's unit id (default 1).
    #[serde(default)]
    pub unit: UnitId,
    /// The doors; index 0 is door A.
    pub doors: Vec<DoorMap>,
    /// The fire-alarm dry contact (active = fire).
    #[serde(default)]
    pub fire: Option<InputPoint>,
}

/// What a discrete input means, once the map is resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Signal {
    /// A door contact.
    Contact(DoorId),
    /// A lock-status sensor.
    LockSensor(DoorId),
    /// An exit button.
    ExitButton(DoorId, gate::Side),
    /// A tamper switch.
    Tamper(DoorId),
    /// The fire input.
    Fire,
}

impl IoMap {
    /// The usual two-door gate on an 8-in/8-out module: door A lock = coil 0, door B lock = coil 1 (host-timed);
    /// contacts on inputs 0 and 1, exit buttons (outer side of A, hall side of B) on 2 and 3, tampers on 4 and 5,
    /// fire on 7; all NC.
    pub fn two_door_default() -> IoMap {
        let nc = |input| {
            Some(InputPoint {
                input,
                wiring: Wiring::NormallyClosed,
            })
        };
        let door = |i: u16| DoorMap {
            lock: LockOutput {
                coil: i,
                pulse: Pulse::Host,
            },
            contact: InputPoint {
                input: i,
                wiring: Wiring::NormallyClosed,
            },
            lock_sensor: None,
            exit_vestibule: None,
            exit_outer: nc(2 + i),
            tamper: nc(4 + i),
        };
        IoMap {
            unit: UnitId::default(),
            doors: vec![door(0), door(1)],
            fire: nc(7),
        }
    }

    /// Every mapped input with its meaning, in address order.
    pub fn signals(&self) -> Vec<(Signal, InputPoint)> {
        let mut out = Vec::new();
        for (i, d) in self.doors.iter().enumerate() {
            let door = DoorId(i as u8);
            out.push((Signal::Contact(door), d.contact));
            let optional = [
                (Signal::LockSensor(door), d.lock_sensor),
                (
                    Signal::ExitButton(door, gate::Side::Vestibule),
                    d.exit_vestibule,
                ),
                (Signal::ExitButton(door, gate::Side::Outer), d.exit_outer),
                (Signal::Tamper(door), d.tamper),
            ];
            out.extend(optional.into_iter().filter_map(|(s, p)| p.map(|p| (s, p))));
        }
        if let Some(p) = self.fire {
            out.push((Signal::Fire, p));
        }
        out.sort_by_key(|(_, p)| p.input);
        out
    }

    /// The one block of discrete inputs that covers every mapped input: `(first address, count)`.
    pub fn input_span(&self) -> Option<(u16, u16)> {
        let signals = self.signals();
        let first = signals.iter().map(|(_, p)| p.input).min()?;
        let last = signals.iter().map(|(_, p)| p.input).max()?;
        Some((first, last - first + 1))
    }

    /// Checks the map: 2..=256 doors (as `gate` needs), no input or coil used twice, one FC02 read covers every
    /// input (at most 2000), pulse units above zero.
    pub fn validate(&self) -> Result<(), MapError> {
        if !(2..=256).contains(&self.doors.len()) {
            return Err(MapError::DoorCount(self.doors.len()));
        }
        let mut inputs = BTreeMap::new();
        for (signal, p) in self.signals() {
            if let Some(first) = inputs.insert(p.input, signal) {
                return Err(MapError::InputTwice {
                    input: p.input,
                    first,
                    second: signal,
                });
            }
        }
        if let Some((_, count)) = self.input_span()
            && count > 2000
        {
            return Err(MapError::InputSpan(count));
        }
        let mut coils = BTreeMap::new();
        let mut registers = BTreeMap::new();
        for (i, d) in self.doors.iter().enumerate() {
            let door = DoorId(i as u8);
            if let Some(first) = coils.insert(d.lock.coil, door) {
                return Err(MapError::CoilTwice {
                    coil: d.lock.coil,
                    first,
                    second: door,
                });
            }
            if let Pulse::Register { register, unit_ms } = d.lock.pulse {
                if unit_ms == 0 {
                    return Err(MapError::ZeroPulseUnit(door));
                }
                if let Some(first) = registers.insert(register, door) {
                    return Err(MapError::RegisterTwice {
                        register,
                        first,
                        second: door,
                    });
                }
            }
        }
        Ok(())
    }

    /// The door's map.
    pub fn door(&self, door: DoorId) -> Option<&DoorMap> {
        self.doors.get(door.index())
    }
}

impl Pulse {
    /// The register value that asks the module for a pulse of at least `pulse_ms` (rounded up to whole units,
    /// at least 1, at most `u16::MAX`); `None` for a host-timed pulse.
    pub fn register_value(self, pulse_ms: u32) -> Option<(u16, u16)> {
        match self {
            Pulse::Host => None,
            Pulse::Register { register, unit_ms } => {
                let units = pulse_ms
                    .div_ceil(unit_ms.max(1))
                    .clamp(1, u32::from(u16::MAX));
                Some((register, units as u16))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wiring_maps_raw_bits_both_ways() {
        // NO: open circuit at rest.
        assert!(!Wiring::NormallyOpen.active(false));
        assert!(Wiring::NormallyOpen.active(true));
        // NC: closed circuit at rest; a cut wire (reads 0) is active.
        assert!(!Wiring::NormallyClosed.active(true));
        assert!(Wiring::NormallyClosed.active(false));
        for w in [Wiring::NormallyOpen, Wiring::NormallyClosed] {
            for a in [false, true] {
                assert_eq!(w.active(w.raw(a)), a);
            }
        }
    }

    #[test]
    fn toml_map_with_defaults_parses() {
        let map: IoMap = toml::from_str(
            r#"
            [[doors]]
            lock = { coil = 0, pulse = { kind = "register", register = 0x100, unit_ms = 100 } }
            contact = { input = 0, wiring = "no" }
            [[doors]]
            lock = { coil = 1 }
            contact = { input = 1 }
            exit_vestibule = { input = 5 }
            "#,
        )
        .unwrap();
        assert_eq!(map.unit, UnitId::default());
        assert_eq!(map.doors[0].contact.wiring, Wiring::NormallyOpen);
        assert_eq!(map.doors[1].contact.wiring, Wiring::NormallyClosed);
        assert_eq!(map.doors[1].lock.pulse, Pulse::Host);
        assert_eq!(map.fire, None);
        assert_eq!(map.input_span(), Some((0, 6)));
        map.validate().unwrap();
    }

    #[test]
    fn unit_id_zero_and_unknown_fields_are_rejected() {
        let bad = r#"{"unit": 0, "doors": []}"#;
        assert!(serde_json::from_str::<IoMap>(bad).is_err());
        let bad = r#"{"doors": [], "fier": {"input": 1}}"#;
        assert!(serde_json::from_str::<IoMap>(bad).is_err());
    }

    #[test]
    fn validate_rejects_reused_points_and_bad_sizes() {
        assert!(IoMap::two_door_default().validate().is_ok());
        let mut m = IoMap::two_door_default();
        m.doors[1].contact.input = 0;
        assert!(matches!(
            m.validate(),
            Err(MapError::InputTwice { input: 0, .. })
        ));
        let mut m = IoMap::two_door_default();
        m.doors[1].lock.coil = 0;
        assert!(matches!(
            m.validate(),
            Err(MapError::CoilTwice { coil: 0, .. })
        ));
        let mut m = IoMap::two_door_default();
        m.doors.pop();
        assert_eq!(m.validate(), Err(MapError::DoorCount(1)));
        let mut m = IoMap::two_door_default();
        m.fire = Some(InputPoint {
            input: 3000,
            wiring: Wiring::NormallyOpen,
        });
        assert_eq!(m.validate(), Err(MapError::InputSpan(3001)));
        let mut m = IoMap::two_door_default();
        m.doors[0].lock.pulse = Pulse::Register {
            register: 1,
            unit_ms: 0,
        };
        assert_eq!(m.validate(), Err(MapError::ZeroPulseUnit(DoorId::A)));
    }

    #[test]
    fn register_pulse_rounds_up_to_whole_units() {
        let p = Pulse::Register {
            register: 0x100,
            unit_ms: 100,
        };
        assert_eq!(p.register_value(5_000), Some((0x100, 50)));
        assert_eq!(p.register_value(5_001), Some((0x100, 51)));
        assert_eq!(p.register_value(1), Some((0x100, 1)));
        assert_eq!(p.register_value(0), Some((0x100, 1)));
        assert_eq!(p.register_value(u32::MAX), Some((0x100, u16::MAX)));
        assert_eq!(Pulse::Host.register_value(5_000), None);
    }

    #[test]
    fn signals_are_listed_in_address_order() {
        let m = IoMap::two_door_default();
        let addrs: Vec<u16> = m.signals().iter().map(|(_, p)| p.input).collect();
        assert_eq!(addrs, vec![0, 1, 2, 3, 4, 5, 7]);
        assert_eq!(m.signals()[6].0, Signal::Fire);
        assert_eq!(m.input_span(), Some((0, 8)));
    }
}
