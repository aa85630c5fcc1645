//! Vehicle profile (DESIGN §3.3) and the body outline and wheel contact points placed from one pose.

use serde::{Deserialize, Serialize};

use crate::error::VehicleError;
use crate::geom::Vec2;

/// Licence classes the judge knows items for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VehicleClass {
    /// 小型汽车 (manual car).
    C1,
    /// 小型自动挡汽车 (automatic car).
    C2,
}

impl VehicleClass {
    /// Parses `"C1"` or `"C2"`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "C1" => Some(Self::C1),
            "C2" => Some(Self::C2),
            _ => None,
        }
    }
    /// The class code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::C1 => "C1",
            Self::C2 => "C2",
        }
    }
}

/// Dimensions and antenna offset of an exam car. Lengths are metres.
#[derive(Debug, Clone, PartialEq)]
pub struct VehicleProfile {
    /// Licence class.
    pub class: VehicleClass,
    /// Overall length.
    pub length: f64,
    /// Overall width.
    pub width: f64,
    /// Wheelbase.
    pub wheelbase: f64,
    /// Track (centre-to-centre of the tyres on one axle).
    pub track: f64,
    /// Front axle to front bumper.
    pub front_overhang: f64,
    /// Antenna forward of the rear-axle centre.
    pub antenna_forward: f64,
    /// Antenna left of the rear-axle centre.
    pub antenna_left: f64,
}

/// Wire form of the profile.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct VehicleProfileDto {
    pub class: String,
    pub length_m: f64,
    pub width_m: f64,
    pub wheelbase_m: f64,
    pub track_m: f64,
    pub front_overhang_m: f64,
    pub antenna: AntennaDto,
}

/// Wire form of the antenna offset.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct AntennaDto {
    pub forward_m: f64,
    pub left_m: f64,
}

impl VehicleProfile {
    /// Parses and checks the JSON profile.
    pub fn from_json(text: &str) -> Result<Self, VehicleError> {
        let d: VehicleProfileDto =
            serde_json::from_str(text).map_err(|e| VehicleError::Json(e.to_string()))?;
        Self::from_dto(&d)
    }

    /// Checks a wire profile.
    pub fn from_dto(d: &VehicleProfileDto) -> Result<Self, VehicleError> {
        let class =
            VehicleClass::parse(&d.class).ok_or_else(|| VehicleError::Class(d.class.clone()))?;
        let p = VehicleProfile {
            class,
            length: d.length_m,
            width: d.width_m,
            wheelbase: d.wheelbase_m,
            track: d.track_m,
            front_overhang: d.front_overhang_m,
            antenna_forward: d.antenna.forward_m,
            antenna_left: d.antenna.left_m,
        };
        let all = [
            p.length,
            p.width,
            p.wheelbase,
            p.track,
            p.front_overhang,
            p.antenna_forward,
            p.antenna_left,
        ];
        if all.iter().any(|v| !v.is_finite())
            || p.length <= 0.0
            || p.width <= 0.0
            || p.wheelbase <= 0.0
        {
            return Err(VehicleError::Dimensions(
                "lengths must be finite and positive",
            ));
        }
        if p.track <= 0.0 || p.track > p.width {
            return Err(VehicleError::Dimensions(
                "track must be positive and not wider than the body",
            ));
        }
        if p.front_overhang < 0.0 || p.rear_overhang() < 0.0 {
            return Err(VehicleError::Dimensions(
                "overhangs must not be negative (length ≥ wheelbase + front overhang)",
            ));
        }
        Ok(p)
    }

    /// The wire form.
    pub fn to_dto(&self) -> VehicleProfileDto {
        VehicleProfileDto {
            class: self.class.as_str().into(),
            length_m: self.length,
            width_m: self.width,
            wheelbase_m: self.wheelbase,
            track_m: self.track,
            front_overhang_m: self.front_overhang,
            antenna: AntennaDto {
                forward_m: self.antenna_forward,
                left_m: self.antenna_left,
            },
        }
    }

    /// Rear axle to rear bumper.
    pub fn rear_overhang(&self) -> f64 {
        self.length - self.wheelbase - self.front_overhang
    }

    /// The rear-axle centre for an antenna position and heading.
    pub fn rear_axle(&self, antenna: Vec2, heading_deg: f64) -> Vec2 {
        let f = Vec2::from_heading_deg(heading_deg);
        antenna - f * self.antenna_forward - f.perp() * self.antenna_left
    }

    /// Places the body and wheels from an antenna position and heading.
    pub fn footprint(&self, antenna: Vec2, heading_deg: f64) -> Footprint {
        let f = Vec2::from_heading_deg(heading_deg);
        let l = f.perp();
        let rear = antenna - f * self.antenna_forward - l * self.antenna_left;
        let front_axle = rear + f * self.wheelbase;
        let bumper_f = front_axle + f * self.front_overhang;
        let bumper_r = rear - f * self.rear_overhang();
        let (hw, ht) = (l * (self.width / 2.0), l * (self.track / 2.0));
        Footprint {
            // Counter-clockwise: front-left, rear-left, rear-right, front-right.
            body: [bumper_f + hw, bumper_r + hw, bumper_r - hw, bumper_f - hw],
            wheels: [front_axle + ht, front_axle - ht, rear + ht, rear - ht],
            rear_axle: rear,
            front_bumper: bumper_f,
            forward: f,
        }
    }
}

/// The car placed on the plane.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Footprint {
    /// Body outline, counter-clockwise: front-left, rear-left, rear-right, front-right.
    pub body: [Vec2; 4],
    /// Wheel contact points: front-left, front-right, rear-left, rear-right.
    pub wheels: [Vec2; 4],
    /// Rear-axle centre.
    pub rear_axle: Vec2,
    /// Centre of the front bumper.
    pub front_bumper: Vec2,
    /// Unit vector of the heading.
    pub forward: Vec2,
}

impl Footprint {
    /// Front wheel contact points.
    pub fn front_wheels(&self) -> [Vec2; 2] {
        [self.wheels[0], self.wheels[1]]
    }
    /// The right side of the body: front-right and rear-right corners.
    pub fn right_side(&self) -> [Vec2; 2] {
        [self.body[3], self.body[2]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geom::cm;

    pub(crate) const C1: &str = r#"{"class":"C1","length_m":4.6,"width_m":1.8,"wheelbase_m":2.6,"track_m":1.55,
        "front_overhang_m":0.9,"antenna":{"forward_m":1.2,"left_m":0.0}}"#;

    #[test]
    fn footprint_heading_east() {
        let v = VehicleProfile::from_json(C1).unwrap();
        assert_eq!(cm(v.rear_overhang()), 110);
        let fp = v.footprint(Vec2::new(1.2, 0.0), 90.0);
        let c = |p: Vec2| (cm(p.x), cm(p.y));
        assert_eq!(c(fp.rear_axle), (0, 0));
        assert_eq!(c(fp.front_bumper), (350, 0));
        assert_eq!(c(fp.body[0]), (350, 90));
        assert_eq!(c(fp.body[2]), (-110, -90));
        assert_eq!(c(fp.wheels[0]), (260, 78));
        assert_eq!(c(fp.wheels[3]), (0, -78));
    }

    #[test]
    fn rejects_impossible_profiles() {
        assert!(matches!(
            VehicleProfile::from_json(&C1.replace("4.6", "3.0")),
            Err(VehicleError::Dimensions(_))
        ));
        assert!(matches!(
            VehicleProfile::from_json(&C1.replace("\"C1\"", "\"Z9\"")),
            Err(VehicleError::Class(_))
        ));
        assert!(matches!(
            VehicleProfile::from_json("{}"),
            Err(VehicleError::Json(_))
        ));
    }
}
