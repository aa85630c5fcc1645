//! What the simulated receiver "sees": a path of poses in the site frame over time. Pure.

use serde::Deserialize;

use crate::fix::FixQuality;
use crate::geo::normalise_deg;

/// The simulated antenna's state at one instant, in the site frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimPose {
    /// Milliseconds since the simulation started.
    pub t_ms: u64,
    /// East, metres.
    pub x: f64,
    /// North, metres.
    pub y: f64,
    /// Up, metres.
    pub up: f64,
    /// Heading in the frame, degrees clockwise from north.
    pub heading_deg: f64,
    /// Speed, km/h.
    pub speed_kmh: f64,
    /// The solution type to report.
    pub quality: FixQuality,
}

/// One waypoint of a scripted path.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Waypoint {
    /// Milliseconds since the start; strictly increasing along the script.
    pub t_ms: u64,
    /// East, metres.
    pub x: f64,
    /// North, metres.
    pub y: f64,
    /// Up, metres.
    #[serde(default)]
    pub up: f64,
    /// Heading, degrees clockwise from north.
    pub heading_deg: f64,
    /// Speed, km/h; by default the straight-line speed towards the next waypoint.
    #[serde(default)]
    pub speed_kmh: Option<f64>,
    /// From this waypoint on.
    #[serde(default = "rtk_fixed")]
    pub quality: FixQuality,
}

fn rtk_fixed() -> FixQuality {
    FixQuality::RtkFixed
}

/// A path: a script of waypoints (linear in between, headings along the shorter arc) or a circle.
/// Loaded from JSON or TOML with a `kind` tag.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Trajectory {
    /// Scripted waypoints; the pose holds at the last one.
    Waypoints {
        /// At least one, by increasing time.
        points: Vec<Waypoint>,
    },
    /// Driving anticlockwise round a circle for ever, starting due east of the centre heading north.
    Circle {
        /// Centre, east, metres.
        centre_x: f64,
        /// Centre, north, metres.
        centre_y: f64,
        /// Radius, metres.
        radius_m: f64,
        /// Speed, km/h.
        speed_kmh: f64,
    },
}

/// A script that cannot be run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrajectoryError {
    /// No waypoints.
    #[error("the script has no waypoints")]
    Empty,
    /// Times must increase.
    #[error("waypoint {index}: time {t_ms} ms does not come after the previous waypoint")]
    TimeNotIncreasing {
        /// 0-based index.
        index: usize,
        /// Its time.
        t_ms: u64,
    },
    /// A radius of zero or less, or a value that is not finite.
    #[error("the circle needs a positive radius and finite values")]
    BadCircle,
}

impl Trajectory {
    /// Checks the script.
    pub fn validate(&self) -> Result<(), TrajectoryError> {
        match self {
            Trajectory::Waypoints { points } => {
                if points.is_empty() {
                    return Err(TrajectoryError::Empty);
                }
                for (i, w) in points.windows(2).enumerate() {
                    if w[1].t_ms <= w[0].t_ms {
                        return Err(TrajectoryError::TimeNotIncreasing {
                            index: i + 1,
                            t_ms: w[1].t_ms,
                        });
                    }
                }
                Ok(())
            }
            Trajectory::Circle {
                centre_x,
                centre_y,
                radius_m,
                speed_kmh,
            } => {
                let finite = [centre_x, centre_y, radius_m, speed_kmh]
                    .iter()
                    .all(|v| v.is_finite());
                if finite && *radius_m > 0.0 {
                    Ok(())
                } else {
                    Err(TrajectoryError::BadCircle)
                }
            }
        }
    }

    /// When the script ends (`None`: never).
    pub fn end_ms(&self) -> Option<u64> {
        match self {
            Trajectory::Waypoints { points } => points.last().map(|p| p.t_ms),
            Trajectory::Circle { .. } => None,
        }
    }

    /// The pose at `t_ms`. Call [`Trajectory::validate`] first: an empty script yields a pose at the origin.
    pub fn at(&self, t_ms: u64) -> SimPose {
        match self {
            Trajectory::Waypoints { points } => waypoints_at(points, t_ms),
            Trajectory::Circle {
                centre_x,
                centre_y,
                radius_m,
                speed_kmh,
            } => {
                let v = speed_kmh / 3.6;
                let a = v * (t_ms as f64 / 1000.0) / radius_m;
                SimPose {
                    t_ms,
                    x: centre_x + radius_m * a.cos(),
                    y: centre_y + radius_m * a.sin(),
                    up: 0.0,
                    // Anticlockwise travel: the tangent at angle a points to a + 90° (maths), i.e. heading −a.
                    heading_deg: normalise_deg(-a.to_degrees()),
                    speed_kmh: *speed_kmh,
                    quality: FixQuality::RtkFixed,
                }
            }
        }
    }
}

fn waypoints_at(points: &[Waypoint], t_ms: u64) -> SimPose {
    let pose = |w: &Waypoint, speed_kmh: f64| SimPose {
        t_ms,
        x: w.x,
        y: w.y,
        up: w.up,
        heading_deg: normalise_deg(w.heading_deg),
        speed_kmh,
        quality: w.quality,
    };
    let Some(first) = points.first() else {
        return pose(
            &Waypoint {
                t_ms: 0,
                x: 0.0,
                y: 0.0,
                up: 0.0,
                heading_deg: 0.0,
                speed_kmh: None,
                quality: FixQuality::Invalid,
            },
            0.0,
        );
    };
    if t_ms <= first.t_ms {
        return pose(first, first.speed_kmh.unwrap_or(0.0));
    }
    let i = points.partition_point(|w| w.t_ms <= t_ms);
    let Some(b) = points.get(i) else {
        let last = &points[points.len() - 1];
        return pose(last, last.speed_kmh.unwrap_or(0.0));
    };
    let a = &points[i - 1];
    let dt = (b.t_ms - a.t_ms) as f64;
    let f = (t_ms - a.t_ms) as f64 / dt;
    let lerp = |p: f64, q: f64| p + (q - p) * f;
    let dh = (b.heading_deg - a.heading_deg + 540.0).rem_euclid(360.0) - 180.0;
    let straight = (b.x - a.x).hypot(b.y - a.y) / (dt / 1000.0) * 3.6;
    SimPose {
        t_ms,
        x: lerp(a.x, b.x),
        y: lerp(a.y, b.y),
        up: lerp(a.up, b.up),
        heading_deg: normalise_deg(a.heading_deg + dh * f),
        speed_kmh: a.speed_kmh.unwrap_or(straight),
        quality: a.quality,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wp(t_ms: u64, x: f64, y: f64, heading_deg: f64) -> Waypoint {
        Waypoint {
            t_ms,
            x,
            y,
            up: 0.0,
            heading_deg,
            speed_kmh: None,
            quality: FixQuality::RtkFixed,
        }
    }

    #[test]
    fn waypoints_interpolate_and_hold() {
        let t = Trajectory::Waypoints {
            points: vec![wp(0, 0.0, 0.0, 350.0), wp(1000, 10.0, 0.0, 10.0)],
        };
        t.validate().unwrap();
        let p = t.at(500);
        assert_eq!((p.x, p.y), (5.0, 0.0));
        assert!(
            p.heading_deg.abs() < 1e-9,
            "through north, not round: {p:?}"
        );
        assert!((p.speed_kmh - 36.0).abs() < 1e-9);
        assert_eq!(t.at(5000).x, 10.0);
        assert_eq!(t.end_ms(), Some(1000));
    }

    #[test]
    fn bad_scripts_are_refused() {
        let t = Trajectory::Waypoints {
            points: vec![wp(0, 0.0, 0.0, 0.0), wp(0, 1.0, 0.0, 0.0)],
        };
        assert_eq!(
            t.validate(),
            Err(TrajectoryError::TimeNotIncreasing { index: 1, t_ms: 0 })
        );
        assert_eq!(
            Trajectory::Waypoints { points: vec![] }.validate(),
            Err(TrajectoryError::Empty)
        );
    }

    #[test]
    fn a_circle_heads_along_its_tangent() {
        let t = Trajectory::Circle {
            centre_x: 0.0,
            centre_y: 0.0,
            radius_m: 10.0,
            speed_kmh: 36.0,
        };
        assert_eq!(t.at(0).heading_deg, 0.0);
        // The chord from 0 to 200 ms is parallel to the tangent at 100 ms.
        let (p0, p1) = (t.at(0), t.at(200));
        let chord = normalise_deg((p1.x - p0.x).atan2(p1.y - p0.y).to_degrees());
        assert!((chord - t.at(100).heading_deg).abs() < 1e-9, "{chord}");
        assert!(t.at(100).heading_deg > 350.0, "anticlockwise turns left");
    }

    #[test]
    fn scripts_load_from_json() {
        let t: Trajectory = serde_json::from_str(
            r#"{"kind":"waypoints","points":[{"t_ms":0,"x":1,"y":2,"heading_deg":90},
                {"t_ms":2000,"x":3,"y":2,"heading_deg":90,"quality":"rtk_float"}]}"#,
        )
        .unwrap();
        assert_eq!(t.at(2000).quality, FixQuality::RtkFloat);
        assert_eq!(t.at(0).quality, FixQuality::RtkFixed);
    }
}
