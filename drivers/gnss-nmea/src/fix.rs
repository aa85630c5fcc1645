//! One epoch's solution ([`Fix`]), its quality, and its pose in the site frame ([`Pose`]). Pure.

use crate::geo::{Geodetic, LocalFrame};

/// GGA field 6, the solution type. RTK receivers report 4 (fixed integer ambiguities, centimetres) or 5 (float,
/// decimetres); only [`FixQuality::RtkFixed`] is good enough to judge wheel-on-line faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FixQuality {
    /// 0: no fix.
    Invalid,
    /// 1: autonomous GNSS.
    Autonomous,
    /// 2: differential (SBAS, DGPS).
    Differential,
    /// 3: PPS / precise service.
    Pps,
    /// 4: RTK with fixed integer ambiguities.
    RtkFixed,
    /// 5: RTK float.
    RtkFloat,
    /// 6: dead reckoning (estimated).
    DeadReckoning,
    /// 7: manual input.
    Manual,
    /// 8: simulator mode.
    Simulation,
}

impl FixQuality {
    /// The GGA digit.
    pub fn gga_digit(self) -> u8 {
        match self {
            FixQuality::Invalid => 0,
            FixQuality::Autonomous => 1,
            FixQuality::Differential => 2,
            FixQuality::Pps => 3,
            FixQuality::RtkFixed => 4,
            FixQuality::RtkFloat => 5,
            FixQuality::DeadReckoning => 6,
            FixQuality::Manual => 7,
            FixQuality::Simulation => 8,
        }
    }

    /// Whether the position is a measured one (not invalid, estimated, manual or simulated).
    pub fn is_measured(self) -> bool {
        matches!(
            self,
            FixQuality::Autonomous
                | FixQuality::Differential
                | FixQuality::Pps
                | FixQuality::RtkFixed
                | FixQuality::RtkFloat
        )
    }
}

impl From<nmea::sentences::FixType> for FixQuality {
    fn from(t: nmea::sentences::FixType) -> FixQuality {
        use nmea::sentences::FixType as T;
        match t {
            T::Invalid => FixQuality::Invalid,
            T::Gps => FixQuality::Autonomous,
            T::DGps => FixQuality::Differential,
            T::Pps => FixQuality::Pps,
            T::Rtk => FixQuality::RtkFixed,
            T::FloatRtk => FixQuality::RtkFloat,
            T::Estimated => FixQuality::DeadReckoning,
            T::Manual => FixQuality::Manual,
            T::Simulation => FixQuality::Simulation,
        }
    }
}

/// The receiver's solution for one epoch, combined from the epoch's GGA, RMC, HDT and VTG sentences.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    /// UTC time of day of the epoch, milliseconds since midnight.
    pub time_of_day_ms: u32,
    /// UTC Unix time in milliseconds, when a date is known (from RMC, this epoch or an earlier one).
    pub unix_ms: Option<i64>,
    /// Position (height above the ellipsoid: GGA altitude + geoid separation); `None` without a fix.
    pub position: Option<Geodetic>,
    /// The solution type (GGA; RMC's status when there is no GGA).
    pub quality: FixQuality,
    /// Satellites used (GGA).
    pub satellites: Option<u32>,
    /// Horizontal dilution of precision (GGA).
    pub hdop: Option<f32>,
    /// Age of the differential corrections, seconds (GGA field 13).
    pub age_s: Option<f32>,
    /// True heading of the dual-antenna baseline, degrees clockwise from true north (HDT).
    pub heading_deg: Option<f64>,
    /// Course over ground, degrees true (VTG, else RMC).
    pub course_deg: Option<f64>,
    /// Speed over ground, km/h (VTG, else RMC).
    pub speed_kmh: Option<f64>,
}

/// A fix placed in the site frame: what the telemetry stream's position fields are made from
/// (`t_ms` ← `unix_ms` minus the exam's start, `x`, `y`, `heading_deg`, `speed_kmh`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pose {
    /// UTC time of day of the epoch, milliseconds since midnight.
    pub time_of_day_ms: u32,
    /// UTC Unix time in milliseconds, when known.
    pub unix_ms: Option<i64>,
    /// East, metres.
    pub x: f64,
    /// North, metres.
    pub y: f64,
    /// Up, metres.
    pub up: f64,
    /// The dual-antenna heading in the frame (clockwise from the frame's north), degrees. The antenna
    /// baseline's offset from the car's axis, if any, is the vehicle profile's business.
    pub heading_deg: Option<f64>,
    /// Course over ground in the frame, degrees. Not the car's heading: reversing turns it round.
    pub course_deg: Option<f64>,
    /// Speed over ground, km/h.
    pub speed_kmh: Option<f64>,
    /// The solution type.
    pub quality: FixQuality,
}

impl LocalFrame {
    /// Places a fix in the frame; `None` when the fix has no position.
    pub fn pose(&self, fix: &Fix) -> Option<Pose> {
        let at = fix.position?;
        let p = self.to_enu(&at);
        Some(Pose {
            time_of_day_ms: fix.time_of_day_ms,
            unix_ms: fix.unix_ms,
            x: p.east,
            y: p.north,
            up: p.up,
            heading_deg: fix.heading_deg.map(|h| self.heading_to_frame(&at, h)),
            course_deg: fix.course_deg.map(|h| self.heading_to_frame(&at, h)),
            speed_kmh: fix.speed_kmh,
            quality: fix.quality,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_gga_digit_maps_to_its_quality_and_back() {
        for d in 0u8..=8 {
            let q = FixQuality::from(nmea::sentences::FixType::from(char::from(b'0' + d)));
            assert_eq!(q.gga_digit(), d, "{q:?}");
        }
        assert_eq!(
            FixQuality::from(nmea::sentences::FixType::from('4')),
            FixQuality::RtkFixed
        );
        assert_eq!(
            FixQuality::from(nmea::sentences::FixType::from('5')),
            FixQuality::RtkFloat
        );
        assert!(FixQuality::RtkFloat.is_measured());
        assert!(!FixQuality::DeadReckoning.is_measured());
    }
}
