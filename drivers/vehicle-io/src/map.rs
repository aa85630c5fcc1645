//! The collector's register map: which discrete input carries which boolean signal (and how it is wired), which
//! input registers carry gear, rpm and speed. Loaded with serde (TOML or JSON); decoding and encoding are pure.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::signals::{Flag, Gear, Signals};

pub use hw::modbus::UnitId;

/// How a switch is wired to its input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Wiring {
    /// Normally open: the input reads 1 while the signal is active.
    #[default]
    No,
    /// Normally closed: the input reads 0 while the signal is active.
    Nc,
}

/// One discrete input (FC02).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputPoint {
    /// The input's address.
    pub input: u16,
    /// Its wiring.
    #[serde(default)]
    pub wiring: Wiring,
}

/// One input register (FC04) holding an unsigned count.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScaledRegister {
    /// The register's address.
    pub register: u16,
    /// Units per count (e.g. 0.01 km/h).
    pub scale: f64,
}

/// The map of one collector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalMap {
    /// The collector's unit id.
    pub unit: UnitId,
    /// Every boolean signal's input (all of [`Flag::ALL`] are required).
    pub inputs: BTreeMap<Flag, InputPoint>,
    /// The register holding the gear code ([`Gear::code`]).
    pub gear_register: u16,
    /// Engine speed (scale: rpm per count).
    pub rpm: ScaledRegister,
    /// Road speed (scale: km/h per count).
    pub speed: ScaledRegister,
}

/// The map cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MapError {
    /// Unit ids on a bus are 1..=247.
    #[error("unit id {0} is not in 1..=247")]
    UnitId(u8),
    /// A signal has no input.
    #[error("signal {0:?} has no input")]
    Missing(Flag),
    /// One input carries two signals.
    #[error("discrete input {input} is mapped twice: {first:?} and {second:?}")]
    InputTwice {
        /// The address.
        input: u16,
        /// The first use.
        first: Flag,
        /// The second use.
        second: Flag,
    },
    /// Gear, rpm and speed need three different registers.
    #[error("register {0} is used twice")]
    RegisterTwice(u16),
    /// A scale that is zero, negative or not finite.
    #[error("register {0}: the scale must be a positive number")]
    Scale(u16),
    /// The inputs or registers span more than one read allows (2000 inputs, 125 registers).
    #[error("the mapped {what} span {span} addresses; one read covers at most {max}")]
    Span {
        /// `inputs` or `registers`.
        what: &'static str,
        /// The span.
        span: u32,
        /// The protocol's limit.
        max: u32,
    },
}

/// A reading that cannot be turned into [`Signals`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The gear register holds a code that is no gear.
    #[error(
        "gear register {register} holds {code}, which is no gear code (0 N, 1-6, 7 R, 8 P, 9 D)"
    )]
    GearCode {
        /// The register.
        register: u16,
        /// The value.
        code: u16,
    },
    /// The answer is shorter than the request.
    #[error("the collector answered {got} {what} for {want}")]
    Short {
        /// `inputs` or `registers`.
        what: &'static str,
        /// How many came.
        got: usize,
        /// How many were asked for.
        want: usize,
    },
}

/// An address span: first address and count.
pub type Span = (u16, u16);

impl SignalMap {
    /// The standard layout: unit 1, the flags on inputs 0–11 in [`Flag::ALL`] order (normally open), gear on
    /// register 0, rpm on 1 (1 rpm per count), speed on 2 (0.01 km/h per count).
    pub fn standard() -> SignalMap {
        SignalMap {
            unit: UnitId::default(),
            inputs: Flag::ALL
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    (
                        *f,
                        InputPoint {
                            input: i as u16,
                            wiring: Wiring::No,
                        },
                    )
                })
                .collect(),
            gear_register: 0,
            rpm: ScaledRegister {
                register: 1,
                scale: 1.0,
            },
            speed: ScaledRegister {
                register: 2,
                scale: 0.01,
            },
        }
    }

    /// Checks the map.
    pub fn validate(&self) -> Result<(), MapError> {
        let mut used: BTreeMap<u16, Flag> = BTreeMap::new();
        for f in Flag::ALL {
            let p = self.inputs.get(&f).ok_or(MapError::Missing(f))?;
            if let Some(first) = used.insert(p.input, f) {
                return Err(MapError::InputTwice {
                    input: p.input,
                    first,
                    second: f,
                });
            }
        }
        let regs = [self.gear_register, self.rpm.register, self.speed.register];
        for (i, r) in regs.iter().enumerate() {
            if regs[..i].contains(r) {
                return Err(MapError::RegisterTwice(*r));
            }
        }
        for s in [self.rpm, self.speed] {
            if !(s.scale.is_finite() && s.scale > 0.0) {
                return Err(MapError::Scale(s.register));
            }
        }
        let (_, n) = self.input_span();
        if n > 2000 {
            return Err(MapError::Span {
                what: "inputs",
                span: u32::from(n),
                max: 2000,
            });
        }
        let (_, n) = self.register_span();
        if n > 125 {
            return Err(MapError::Span {
                what: "registers",
                span: u32::from(n),
                max: 125,
            });
        }
        Ok(())
    }

    /// The discrete inputs to read in one FC02 request.
    pub fn input_span(&self) -> Span {
        span(self.inputs.values().map(|p| p.input))
    }

    /// The input registers to read in one FC04 request.
    pub fn register_span(&self) -> Span {
        span([self.gear_register, self.rpm.register, self.speed.register].into_iter())
    }

    /// Decodes one reading: `inputs` from [`SignalMap::input_span`], `registers` from
    /// [`SignalMap::register_span`].
    pub fn decode(&self, inputs: &[bool], registers: &[u16]) -> Result<Signals, DecodeError> {
        let (ib, icount) = self.input_span();
        let (rb, rcount) = self.register_span();
        if inputs.len() < usize::from(icount) {
            return Err(DecodeError::Short {
                what: "inputs",
                got: inputs.len(),
                want: usize::from(icount),
            });
        }
        if registers.len() < usize::from(rcount) {
            return Err(DecodeError::Short {
                what: "registers",
                got: registers.len(),
                want: usize::from(rcount),
            });
        }
        let reg = |r: u16| registers[usize::from(r - rb)];
        let code = reg(self.gear_register);
        let gear = Gear::from_code(code).ok_or(DecodeError::GearCode {
            register: self.gear_register,
            code,
        })?;
        let mut s = Signals {
            gear,
            rpm: (f64::from(reg(self.rpm.register)) * self.rpm.scale)
                .round()
                .min(f64::from(u16::MAX)) as u16,
            speed_kmh: f64::from(reg(self.speed.register)) * self.speed.scale,
            ..Signals::default()
        };
        for (f, p) in &self.inputs {
            let raw = inputs[usize::from(p.input - ib)];
            s.set_flag(*f, raw ^ (p.wiring == Wiring::Nc));
        }
        Ok(s)
    }

    /// What a collector wired by this map shows on discrete input `input` (`None`: not mapped).
    pub fn encode_input(&self, s: &Signals, input: u16) -> Option<bool> {
        self.inputs
            .iter()
            .find(|(_, p)| p.input == input)
            .map(|(f, p)| s.flag(*f) ^ (p.wiring == Wiring::Nc))
    }

    /// What such a collector shows in input register `register` (`None`: not mapped). Values saturate.
    pub fn encode_register(&self, s: &Signals, register: u16) -> Option<u16> {
        let count = |v: f64, scale: f64| (v / scale).round().clamp(0.0, f64::from(u16::MAX)) as u16;
        if register == self.gear_register {
            Some(s.gear.code())
        } else if register == self.rpm.register {
            Some(count(f64::from(s.rpm), self.rpm.scale))
        } else if register == self.speed.register {
            Some(count(s.speed_kmh, self.speed.scale))
        } else {
            None
        }
    }
}

fn span(addrs: impl Iterator<Item = u16>) -> Span {
    let (lo, hi) = addrs.fold((u16::MAX, 0u16), |(lo, hi), a| (lo.min(a), hi.max(a)));
    if lo > hi { (0, 0) } else { (lo, hi - lo + 1) }
}

impl From<hw::modbus::UnitIdError> for MapError {
    fn from(e: hw::modbus::UnitIdError) -> MapError {
        MapError::UnitId(e.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode_all(map: &SignalMap, s: &Signals) -> (Vec<bool>, Vec<u16>) {
        let (ib, ic) = map.input_span();
        let (rb, rc) = map.register_span();
        (
            (ib..ib + ic)
                .map(|a| map.encode_input(s, a).unwrap_or(false))
                .collect(),
            (rb..rb + rc)
                .map(|a| map.encode_register(s, a).unwrap_or(0))
                .collect(),
        )
    }

    #[test]
    fn the_standard_map_is_valid_and_round_trips_every_signal() {
        let map = SignalMap::standard();
        map.validate().unwrap();
        assert_eq!(map.input_span(), (0, 12));
        assert_eq!(map.register_span(), (0, 3));
        for f in Flag::ALL {
            let mut s = Signals::default();
            s.set_flag(f, !s.flag(f));
            let (i, r) = encode_all(&map, &s);
            assert_eq!(map.decode(&i, &r).unwrap(), s, "{f:?}");
        }
        let s = Signals {
            gear: Gear::Reverse,
            rpm: 1100,
            speed_kmh: 23.45,
            ..Signals::default()
        };
        let (i, r) = encode_all(&map, &s);
        assert_eq!(r, [7, 1100, 2345]);
        let back = map.decode(&i, &r).unwrap();
        assert!((back.speed_kmh - 23.45).abs() < 1e-9);
        assert_eq!((back.gear, back.rpm), (Gear::Reverse, 1100));
    }

    #[test]
    fn nc_wiring_inverts_and_offsets_are_honoured() {
        let toml = r#"
            unit = 7
            gear_register = 100
            rpm = { register = 102, scale = 10.0 }
            speed = { register = 101, scale = 0.1 }
            [inputs]
            engine_on = { input = 16 }
            seatbelt = { input = 17, wiring = "nc" }
            doors_closed = { input = 18, wiring = "nc" }
            parking_brake = { input = 19 }
            foot_brake = { input = 20 }
            clutch = { input = 21 }
            left_signal = { input = 22 }
            right_signal = { input = 23 }
            low_beam = { input = 24 }
            high_beam = { input = 25 }
            horn = { input = 26 }
            hazard = { input = 27 }
        "#;
        let map: SignalMap = toml::from_str(toml).unwrap();
        map.validate().unwrap();
        assert_eq!(map.unit.get(), 7);
        let mut inputs = vec![false; 12];
        inputs[1] = true; // seatbelt input high = belt NOT fastened (NC)
        let s = map.decode(&inputs, &[3, 1250, 120]).unwrap();
        assert!(!s.seatbelt && s.doors_closed && !s.engine_on);
        assert_eq!((s.gear, s.rpm), (Gear::Third, 1200));
        assert!((s.speed_kmh - 125.0).abs() < 1e-9);
    }

    #[test]
    fn bad_maps_and_readings_are_refused() {
        let mut m = SignalMap::standard();
        m.inputs.remove(&Flag::Horn);
        assert_eq!(m.validate(), Err(MapError::Missing(Flag::Horn)));
        let mut m = SignalMap::standard();
        m.inputs.get_mut(&Flag::Horn).unwrap().input = 0;
        assert!(matches!(
            m.validate(),
            Err(MapError::InputTwice { input: 0, .. })
        ));
        let mut m = SignalMap::standard();
        m.speed.register = 0;
        assert_eq!(m.validate(), Err(MapError::RegisterTwice(0)));
        let mut m = SignalMap::standard();
        m.speed.scale = 0.0;
        assert_eq!(m.validate(), Err(MapError::Scale(2)));
        let mut m = SignalMap::standard();
        m.speed.register = 300;
        assert!(matches!(
            m.validate(),
            Err(MapError::Span {
                what: "registers",
                ..
            })
        ));

        let map = SignalMap::standard();
        assert_eq!(
            map.decode(&[false; 12], &[12, 0, 0]),
            Err(DecodeError::GearCode {
                register: 0,
                code: 12
            })
        );
        assert!(matches!(
            map.decode(&[false; 4], &[0, 0, 0]),
            Err(DecodeError::Short { what: "inputs", .. })
        ));
    }
}
