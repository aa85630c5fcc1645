//! A drive simulator: a kinematic bicycle model following a scripted path with signal timelines.
//!
//! The rear-axle centre moves along straight lines and circular arcs (a bicycle model at constant
//! steering angle traces an exact circle, so each step is integrated in closed form). Every `dt`
//! the simulator emits a telemetry sample at the antenna, rounded as the wire carries it (mm,
//! 0.01°, 0.01 km/h), so a generated drive and its JSON Lines file judge identically.
//! [`layout`] builds the reference courses; [`scenarios`] scripts the drives of every rule.

pub mod fixture;
pub mod layout;
mod road_drives;
pub mod scenarios;
mod site_drives;

use crate::geom::Vec2;
use crate::telemetry::{Event, Gear, Record, RecordBody, Sample, Signals};
use crate::vehicle::VehicleProfile;

/// Steering along one leg.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Steer {
    /// Straight ahead.
    Straight,
    /// Left lock, rear-axle radius in metres.
    Left(f64),
    /// Right lock, rear-axle radius in metres.
    Right(f64),
}

impl Steer {
    fn curvature(self) -> f64 {
        match self {
            Steer::Straight => 0.0,
            Steer::Left(r) => 1.0 / r,
            Steer::Right(r) => -1.0 / r,
        }
    }
}

/// The simulated car and the records it has produced.
#[derive(Debug, Clone)]
pub struct Sim {
    vehicle: VehicleProfile,
    dt_ms: u64,
    t_ms: u64,
    rear: Vec2,
    /// Math angle of the heading, radians, counter-clockwise from east.
    yaw: f64,
    /// Signals as the collector reports them.
    pub signals: Signals,
    /// Selected gear.
    pub gear: Gear,
    /// Engine speed reported while moving with the engine on (800 rpm is reported at rest).
    pub rpm_moving: f64,
    records: Vec<Record>,
}

fn round(v: f64, step: f64) -> f64 {
    let r = (v / step).round() * step;
    // Print-friendly: strip the binary noise the multiplication leaves.
    format!("{r:.4}").parse().unwrap_or(r)
}

impl Sim {
    /// A car with its rear axle at `rear`, heading `heading_deg` (compass), engine on, belt on,
    /// doors closed, parking brake applied, in neutral, sampled every `dt_ms`.
    pub fn new(vehicle: &VehicleProfile, rear: Vec2, heading_deg: f64, dt_ms: u64) -> Self {
        Self {
            vehicle: vehicle.clone(),
            dt_ms: dt_ms.max(1),
            t_ms: 0,
            rear,
            yaw: (90.0 - heading_deg).to_radians(),
            signals: Signals {
                engine_on: true,
                seatbelt: true,
                doors_closed: true,
                parking_brake: true,
                ..Signals::default()
            },
            gear: Gear::N,
            rpm_moving: 1500.0,
            records: Vec::new(),
        }
    }

    /// Current time, ms.
    pub fn t_ms(&self) -> u64 {
        self.t_ms
    }

    /// Rear-axle centre.
    pub fn rear_axle(&self) -> Vec2 {
        self.rear
    }

    /// Compass heading, degrees.
    pub fn heading_deg(&self) -> f64 {
        (90.0 - self.yaw.to_degrees()).rem_euclid(360.0)
    }

    fn emit(&mut self, speed_kmh: f64) {
        let f = Vec2::new(self.yaw.cos(), self.yaw.sin());
        let ant =
            self.rear + f * self.vehicle.antenna_forward + f.perp() * self.vehicle.antenna_left;
        let s = Sample {
            pos: Vec2::new(round(ant.x, 0.001), round(ant.y, 0.001)),
            heading_deg: round(self.heading_deg(), 0.01) % 360.0,
            speed_kmh: round(speed_kmh, 0.01),
            gear: self.gear,
            rpm: match (self.signals.engine_on, speed_kmh > 0.0) {
                (false, _) => 0.0,
                (true, false) => 800.0,
                (true, true) => self.rpm_moving,
            },
            signals: self.signals,
        };
        self.records.push(Record {
            t_ms: self.t_ms,
            body: RecordBody::Sample(s),
        });
    }

    /// Changes signals (takes effect from the next sample).
    pub fn set(&mut self, f: impl FnOnce(&mut Signals)) -> &mut Self {
        f(&mut self.signals);
        self
    }

    /// Selects a gear.
    pub fn shift(&mut self, g: Gear) -> &mut Self {
        self.gear = g;
        self
    }

    /// Stands still for `ms`, sampling.
    pub fn hold(&mut self, ms: u64) -> &mut Self {
        let end = self.t_ms + ms;
        while self.t_ms < end {
            self.t_ms += self.dt_ms;
            self.emit(0.0);
        }
        self
    }

    /// Emits an event at the current time.
    pub fn event(&mut self, e: Event) -> &mut Self {
        self.records.push(Record {
            t_ms: self.t_ms,
            body: RecordBody::Event(e),
        });
        self
    }

    /// Travels `dist_m` along the path (negative: backwards) at `kmh`, steering `steer`.
    pub fn drive(&mut self, dist_m: f64, steer: Steer, kmh: f64) -> &mut Self {
        let k = steer.curvature();
        let step = kmh / 3.6 * self.dt_ms as f64 / 1000.0;
        let sign = dist_m.signum();
        let mut left = dist_m.abs();
        while left > 1e-9 {
            let ds = step.min(left);
            left -= ds;
            let ds = ds * sign;
            let y1 = self.yaw + k * ds;
            if k.abs() < 1e-12 {
                self.rear = self.rear + Vec2::new(self.yaw.cos(), self.yaw.sin()) * ds;
            } else {
                self.rear = self.rear
                    + Vec2::new(
                        (y1.sin() - self.yaw.sin()) / k,
                        (self.yaw.cos() - y1.cos()) / k,
                    );
            }
            self.yaw = y1;
            self.t_ms += self.dt_ms;
            self.emit(kmh);
        }
        self
    }

    /// Forward arc turning `deg` degrees at radius `r` (`left` or right).
    pub fn arc(&mut self, deg: f64, r: f64, left: bool, kmh: f64) -> &mut Self {
        let steer = if left {
            Steer::Left(r)
        } else {
            Steer::Right(r)
        };
        self.drive(deg.to_radians() * r, steer, kmh)
    }

    /// Moves sideways by `lateral` metres (positive left) with two opposite arcs of radius `r`,
    /// forwards (or backwards when `backwards`).
    pub fn sidestep(&mut self, lateral: f64, r: f64, kmh: f64, backwards: bool) -> &mut Self {
        let alpha = (1.0 - lateral.abs() / (2.0 * r)).clamp(-1.0, 1.0).acos();
        let (first, second) = if lateral > 0.0 {
            (Steer::Left(r), Steer::Right(r))
        } else {
            (Steer::Right(r), Steer::Left(r))
        };
        let d = alpha * r * if backwards { -1.0 } else { 1.0 };
        self.drive(d, first, kmh).drive(d, second, kmh)
    }

    /// The usual moving-off: belt on, left indicator for `signal_ms`, brake released, first gear.
    pub fn move_off_prep(&mut self, signal_ms: u64, first: Gear) -> &mut Self {
        self.set(|s| s.left_signal = signal_ms > 0);
        self.hold(signal_ms.saturating_sub(500).max(100));
        self.set(|s| s.parking_brake = false).shift(first).hold(400)
    }

    /// The records so far.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// Takes the records.
    pub fn into_records(self) -> Vec<Record> {
        self.records
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geom::cm;

    #[test]
    fn arcs_and_sidesteps_land_where_geometry_says() {
        let v = VehicleProfile::from_json(layout::C1_PROFILE).unwrap();
        let mut s = Sim::new(&v, Vec2::new(0.0, 0.0), 90.0, 100);
        s.arc(90.0, 5.0, true, 5.0);
        assert_eq!((cm(s.rear_axle().x), cm(s.rear_axle().y)), (500, 500));
        assert!((s.heading_deg() - 0.0).abs() < 1e-6 || (s.heading_deg() - 360.0).abs() < 1e-6);
        let mut s = Sim::new(&v, Vec2::new(0.0, 0.0), 90.0, 100);
        s.sidestep(-3.05, 5.0, 3.0, true);
        assert_eq!(cm(s.rear_axle().y), -305);
        assert!((s.heading_deg() - 90.0).abs() < 1e-6);
    }
}
