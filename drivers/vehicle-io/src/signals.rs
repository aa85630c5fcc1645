//! What the collector reports: the gear, engine speed, road speed and the boolean signals of GA/T 1028
//! (DESIGN.md §3.2, exam-rules §4). Pure.

use serde::{Deserialize, Serialize};

/// The selected gear, as the telemetry stream spells it (`"R"`, `"N"`, `"P"`, `"D"`, `"1"`…`"6"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Gear {
    /// Reverse.
    #[serde(rename = "R")]
    Reverse,
    /// Neutral.
    #[serde(rename = "N")]
    Neutral,
    /// Park (automatic).
    #[serde(rename = "P")]
    Park,
    /// Drive (automatic).
    #[serde(rename = "D")]
    Drive,
    /// First.
    #[serde(rename = "1")]
    First,
    /// Second.
    #[serde(rename = "2")]
    Second,
    /// Third.
    #[serde(rename = "3")]
    Third,
    /// Fourth.
    #[serde(rename = "4")]
    Fourth,
    /// Fifth.
    #[serde(rename = "5")]
    Fifth,
    /// Sixth.
    #[serde(rename = "6")]
    Sixth,
}

impl Gear {
    /// Every gear.
    pub const ALL: [Gear; 10] = [
        Gear::Reverse,
        Gear::Neutral,
        Gear::Park,
        Gear::Drive,
        Gear::First,
        Gear::Second,
        Gear::Third,
        Gear::Fourth,
        Gear::Fifth,
        Gear::Sixth,
    ];

    /// The telemetry spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Gear::Reverse => "R",
            Gear::Neutral => "N",
            Gear::Park => "P",
            Gear::Drive => "D",
            Gear::First => "1",
            Gear::Second => "2",
            Gear::Third => "3",
            Gear::Fourth => "4",
            Gear::Fifth => "5",
            Gear::Sixth => "6",
        }
    }

    /// The collector's register code: 0 N, 1–6 the forward gears, 7 R, 8 P, 9 D.
    pub fn code(self) -> u16 {
        match self {
            Gear::Neutral => 0,
            Gear::First => 1,
            Gear::Second => 2,
            Gear::Third => 3,
            Gear::Fourth => 4,
            Gear::Fifth => 5,
            Gear::Sixth => 6,
            Gear::Reverse => 7,
            Gear::Park => 8,
            Gear::Drive => 9,
        }
    }

    /// The gear for a register code.
    pub fn from_code(code: u16) -> Option<Gear> {
        Gear::ALL.into_iter().find(|g| g.code() == code)
    }
}

/// The boolean signals, each wired to one discrete input of the collector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// Ignition / engine running.
    EngineOn,
    /// Driver's seat belt fastened.
    Seatbelt,
    /// All doors closed.
    DoorsClosed,
    /// Parking brake applied.
    ParkingBrake,
    /// Foot brake pressed.
    FootBrake,
    /// Clutch pedal pressed.
    Clutch,
    /// Left indicator on.
    LeftSignal,
    /// Right indicator on.
    RightSignal,
    /// Dipped (low) beam on.
    LowBeam,
    /// Main (high) beam on.
    HighBeam,
    /// Horn sounding.
    Horn,
    /// Hazard lights on.
    Hazard,
}

impl Flag {
    /// Every flag, in the standard map's input order.
    pub const ALL: [Flag; 12] = [
        Flag::EngineOn,
        Flag::Seatbelt,
        Flag::DoorsClosed,
        Flag::ParkingBrake,
        Flag::FootBrake,
        Flag::Clutch,
        Flag::LeftSignal,
        Flag::RightSignal,
        Flag::LowBeam,
        Flag::HighBeam,
        Flag::Horn,
        Flag::Hazard,
    ];
}

/// One reading of the collector. The field names are the telemetry stream's (DESIGN.md §3.2), so the daemon
/// copies them one to one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Signals {
    /// Selected gear.
    pub gear: Gear,
    /// Engine speed, rpm.
    pub rpm: u16,
    /// Road speed from the vehicle (odometer pulses / CAN), km/h.
    pub speed_kmh: f64,
    /// See [`Flag::EngineOn`].
    pub engine_on: bool,
    /// See [`Flag::Seatbelt`].
    pub seatbelt: bool,
    /// See [`Flag::DoorsClosed`].
    pub doors_closed: bool,
    /// See [`Flag::ParkingBrake`].
    pub parking_brake: bool,
    /// See [`Flag::FootBrake`].
    pub foot_brake: bool,
    /// See [`Flag::Clutch`].
    pub clutch: bool,
    /// See [`Flag::LeftSignal`].
    pub left_signal: bool,
    /// See [`Flag::RightSignal`].
    pub right_signal: bool,
    /// See [`Flag::LowBeam`].
    pub low_beam: bool,
    /// See [`Flag::HighBeam`].
    pub high_beam: bool,
    /// See [`Flag::Horn`].
    pub horn: bool,
    /// See [`Flag::Hazard`].
    pub hazard: bool,
}

impl Default for Signals {
    /// A parked car, engine off: neutral, parking brake on, doors closed.
    fn default() -> Signals {
        Signals {
            gear: Gear::Neutral,
            rpm: 0,
            speed_kmh: 0.0,
            engine_on: false,
            seatbelt: false,
            doors_closed: true,
            parking_brake: true,
            foot_brake: false,
            clutch: false,
            left_signal: false,
            right_signal: false,
            low_beam: false,
            high_beam: false,
            horn: false,
            hazard: false,
        }
    }
}

impl Signals {
    /// One boolean signal.
    pub fn flag(&self, f: Flag) -> bool {
        match f {
            Flag::EngineOn => self.engine_on,
            Flag::Seatbelt => self.seatbelt,
            Flag::DoorsClosed => self.doors_closed,
            Flag::ParkingBrake => self.parking_brake,
            Flag::FootBrake => self.foot_brake,
            Flag::Clutch => self.clutch,
            Flag::LeftSignal => self.left_signal,
            Flag::RightSignal => self.right_signal,
            Flag::LowBeam => self.low_beam,
            Flag::HighBeam => self.high_beam,
            Flag::Horn => self.horn,
            Flag::Hazard => self.hazard,
        }
    }

    /// Sets one boolean signal.
    pub fn set_flag(&mut self, f: Flag, on: bool) {
        let slot = match f {
            Flag::EngineOn => &mut self.engine_on,
            Flag::Seatbelt => &mut self.seatbelt,
            Flag::DoorsClosed => &mut self.doors_closed,
            Flag::ParkingBrake => &mut self.parking_brake,
            Flag::FootBrake => &mut self.foot_brake,
            Flag::Clutch => &mut self.clutch,
            Flag::LeftSignal => &mut self.left_signal,
            Flag::RightSignal => &mut self.right_signal,
            Flag::LowBeam => &mut self.low_beam,
            Flag::HighBeam => &mut self.high_beam,
            Flag::Horn => &mut self.horn,
            Flag::Hazard => &mut self.hazard,
        };
        *slot = on;
    }
}

/// A partial update of [`Signals`] (the simulator's script steps).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignalPatch {
    /// New gear.
    pub gear: Option<Gear>,
    /// New engine speed.
    pub rpm: Option<u16>,
    /// New road speed.
    pub speed_kmh: Option<f64>,
    /// New engine state.
    pub engine_on: Option<bool>,
    /// New belt state.
    pub seatbelt: Option<bool>,
    /// New door state.
    pub doors_closed: Option<bool>,
    /// New parking brake state.
    pub parking_brake: Option<bool>,
    /// New foot brake state.
    pub foot_brake: Option<bool>,
    /// New clutch state.
    pub clutch: Option<bool>,
    /// New left indicator state.
    pub left_signal: Option<bool>,
    /// New right indicator state.
    pub right_signal: Option<bool>,
    /// New low beam state.
    pub low_beam: Option<bool>,
    /// New high beam state.
    pub high_beam: Option<bool>,
    /// New horn state.
    pub horn: Option<bool>,
    /// New hazard state.
    pub hazard: Option<bool>,
}

impl SignalPatch {
    /// Applies the set fields.
    pub fn apply(&self, s: &mut Signals) {
        if let Some(g) = self.gear {
            s.gear = g;
        }
        if let Some(r) = self.rpm {
            s.rpm = r;
        }
        if let Some(v) = self.speed_kmh {
            s.speed_kmh = v;
        }
        let flags = [
            (Flag::EngineOn, self.engine_on),
            (Flag::Seatbelt, self.seatbelt),
            (Flag::DoorsClosed, self.doors_closed),
            (Flag::ParkingBrake, self.parking_brake),
            (Flag::FootBrake, self.foot_brake),
            (Flag::Clutch, self.clutch),
            (Flag::LeftSignal, self.left_signal),
            (Flag::RightSignal, self.right_signal),
            (Flag::LowBeam, self.low_beam),
            (Flag::HighBeam, self.high_beam),
            (Flag::Horn, self.horn),
            (Flag::Hazard, self.hazard),
        ];
        for (f, v) in flags {
            if let Some(v) = v {
                s.set_flag(f, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gear_codes_and_spellings_are_one_to_one() {
        for g in Gear::ALL {
            assert_eq!(Gear::from_code(g.code()), Some(g));
            let json = serde_json::to_string(&g).unwrap();
            assert_eq!(json, format!("\"{}\"", g.as_str()));
        }
        assert_eq!(Gear::from_code(10), None);
    }

    #[test]
    fn signals_serialise_with_the_telemetry_field_names() {
        let v = serde_json::to_value(Signals::default()).unwrap();
        for key in [
            "gear",
            "rpm",
            "speed_kmh",
            "engine_on",
            "seatbelt",
            "doors_closed",
            "parking_brake",
            "foot_brake",
            "clutch",
            "left_signal",
            "right_signal",
            "low_beam",
            "high_beam",
            "horn",
            "hazard",
        ] {
            assert!(v.get(key).is_some(), "{key}");
        }
        assert_eq!(v["gear"], "N");
    }

    #[test]
    fn every_flag_reads_back_what_was_set_and_patches_apply() {
        let mut s = Signals::default();
        for f in Flag::ALL {
            s.set_flag(f, !s.flag(f));
        }
        assert!(s.engine_on && !s.doors_closed && !s.parking_brake && s.hazard);
        let p: SignalPatch = serde_json::from_str(r#"{"gear":"2","left_signal":true}"#).unwrap();
        p.apply(&mut s);
        assert_eq!((s.gear, s.left_signal, s.rpm), (Gear::Second, true, 0));
    }
}
