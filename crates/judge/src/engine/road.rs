//! Subject 3 (道路驾驶技能): the general rules and the items measurable from the car.

use super::measure::{body_over, right_edge_gap, wheel_on};
use super::site::heading_delta;
use super::state::{Frame, Out, check_signal, cm_text};
use crate::catalogue::{Fault, LightsExpect, Scope};
use crate::course::{Course, LineKind, Side};
use crate::geom::{Vec2, point_in_polygon, segments_intersect};
use crate::telemetry::{Command, Light};

#[derive(Debug)]
struct Manoeuvre {
    cmd: Command,
    pos: Vec2,
    left: Vec2,
    heading: f64,
    stage: u8,
    max_left: f64,
    brake_seen: bool,
    scope: Scope,
    label: &'static str,
    /// Lateral move (m) and heading change (°) that start the manoeuvre; indicator minimum (s).
    onset_m: f64,
    onset_deg: f64,
    min_s: f64,
    /// Distance travelled since the command, where the last sample was, the allowed distance.
    travelled: f64,
    last: Vec2,
    max_m: f64,
    far: bool,
}

/// A lane-change command being watched for crossing more than one lane line.
#[derive(Debug)]
struct LaneWatch {
    from: Vec2,
    last: Vec2,
    travelled: f64,
}

#[derive(Debug)]
struct Night {
    next_end: u64,
    idx: usize,
    toggles: u32,
    prev_high: bool,
}

/// Subject 3 state.
#[derive(Debug, Default)]
pub(crate) struct Road {
    man: Option<Manoeuvre>,
    lanes: Option<LaneWatch>,
    /// Distance (m) after a lane-change command within which lane lines crossed are counted.
    lanes_window: f64,
    night: Option<Night>,
    light: Option<Light>,
    green_since: Option<u64>,
    brake_moving_since: Option<u64>,
    brake_major: bool,
    straddle_since: Option<u64>,
    straddle_charged: bool,
    solid_on: bool,
    in_area: Vec<bool>,
    last_pose: Option<(Vec2, f64)>,
    /// Front bumper centre at the previous sample.
    last_bumper: Option<Vec2>,
    prev_doors_closed: bool,
    /// Catalogue parameters read once: overspeed tolerance per area, wheel-on-line distance, straddle time.
    tol: Vec<f64>,
    touch: f64,
    straddle_max: f64,
}

const L: &str = "general";

impl Road {
    /// The item in progress: the commanded manoeuvre's name, or the night-lights sequence.
    pub fn item(&self) -> Option<&'static str> {
        match (&self.man, &self.night) {
            (Some(m), _) => Some(m.label),
            (None, Some(_)) => Some("night_lights"),
            (None, None) => None,
        }
    }

    pub fn new(course: &Course, out: &Out<'_>) -> Self {
        let tol = course
            .areas
            .iter()
            .map(|a| out.param(Scope::Area(a.kind), Fault::Overspeed, "tolerance_kmh", 0.0))
            .collect();
        Self {
            in_area: vec![false; course.areas.len()],
            prev_doors_closed: true,
            tol,
            touch: out.param(Scope::General, Fault::WheelOnSolidLine, "touch_cm", 10.0) / 100.0,
            straddle_max: out.param(Scope::General, Fault::StraddleLane, "max_s", 15.0),
            lanes_window: out.param(Scope::General, Fault::MultiLaneChange, "max_m", 100.0),
            ..Default::default()
        }
    }

    pub fn command(&mut self, out: &mut Out<'_>, t: u64, cmd: &Command) {
        if let (Command::LaneChange, Some((pos, _))) = (cmd, self.last_pose) {
            self.lanes = Some(LaneWatch {
                from: pos,
                last: pos,
                travelled: 0.0,
            });
        }
        match cmd {
            Command::NightLights => {
                if let Some(p) = out.cat.night_prompts.first() {
                    self.night = Some(Night {
                        next_end: t + (p.window_s * 1000.0) as u64,
                        idx: 0,
                        toggles: 0,
                        prev_high: false,
                    });
                }
            }
            Command::Straight | Command::Other(_) => {}
            _ => {
                if let Some((pos, heading)) = self.last_pose {
                    let fwd = Vec2::from_heading_deg(heading);
                    let (scope, label) = match cmd {
                        Command::LaneChange => (Scope::LaneChange, "lane_change"),
                        Command::Overtake => (Scope::Overtake, "overtake"),
                        Command::PullOver => (Scope::PullOver, "pull_over"),
                        Command::UTurn => (Scope::UTurn, "u_turn"),
                        _ => (Scope::Turn, "turn"),
                    };
                    self.man = Some(Manoeuvre {
                        scope,
                        label,
                        onset_m: out.param(scope, Fault::SignalMissing, "onset_cm", 50.0) / 100.0,
                        onset_deg: out.param(scope, Fault::SignalMissing, "onset_deg", 15.0),
                        min_s: out.param(scope, Fault::SignalShort, "min_s", 3.0),
                        travelled: 0.0,
                        far: false,
                        last: pos,
                        max_m: out.param(scope, Fault::PullOverDistance, "max_m", f64::INFINITY),
                        cmd: cmd.clone(),
                        pos,
                        left: fwd.perp(),
                        heading,
                        stage: 0,
                        max_left: 0.0,
                        brake_seen: false,
                    });
                }
            }
        }
    }

    pub fn traffic_light(&mut self, t: u64, light: Light, moving: bool) {
        self.light = Some(light);
        self.green_since = (light == Light::Green && !moving).then_some(t);
    }

    pub fn step(&mut self, course: &Course, out: &mut Out<'_>, f: &Frame<'_>) {
        let (t, s, moving) = (f.t, f.s, f.motion.moving);
        self.last_pose = Some((s.pos, s.heading_deg));
        let min_s = |out: &Out<'_>, scope| out.param(scope, Fault::SignalShort, "min_s", 3.0);
        if let Some(m) = f.move_off.filter(|m| m.first) {
            if let Some((fault, d)) =
                check_signal(f.motion, t, Side::Left, min_s(out, Scope::MovingOff))
            {
                out.fault(t, Scope::MovingOff, "moving_off", fault, d);
            }
            let _ = m;
        }
        // Doors and parking brake while moving.
        if moving && !s.signals.doors_closed {
            out.fault(
                t,
                Scope::MovingOff,
                "moving_off",
                Fault::DoorOpen,
                String::new(),
            );
        }
        if moving && s.signals.parking_brake {
            let since = *self.brake_moving_since.get_or_insert(t);
            let correct = out.param(
                Scope::MovingOff,
                Fault::ParkingBrakeOnMoving,
                "correct_s",
                3.0,
            );
            if !self.brake_major && (t - since) as f64 / 1000.0 > correct {
                self.brake_major = true;
                out.fault(
                    t,
                    Scope::MovingOff,
                    "moving_off",
                    Fault::ParkingBrakeOnMoving,
                    String::new(),
                );
            }
        } else if let Some(since) = self
            .brake_moving_since
            .take_if(|_| !s.signals.parking_brake)
        {
            if !self.brake_major {
                let d = format!("released after {:.1} s", (t - since) as f64 / 1000.0);
                out.fault(
                    t,
                    Scope::MovingOff,
                    "moving_off",
                    Fault::ParkingBrakeCorrected,
                    d,
                );
            }
            self.brake_major = false;
        }
        // Speed limits by area.
        for (i, a) in course.areas.iter().enumerate() {
            let inside = a.bbox.contains(s.pos) && point_in_polygon(s.pos, &a.ring);
            if let (true, Some(limit)) = (inside, a.speed_limit_kmh) {
                let scope = Scope::Area(a.kind);
                let tol = self.tol[i];
                if !self.in_area[i] && s.speed_kmh > limit + tol {
                    self.in_area[i] = true;
                    let d = format!("{:.0} km/h, limit {limit:.0} km/h", s.speed_kmh);
                    out.fault(t, scope, scope.as_str(), Fault::Overspeed, d);
                }
            } else if !inside {
                self.in_area[i] = false;
            }
        }
        // Lane markings.
        let touch = self.touch;
        let solid = [LineKind::LaneSolid, LineKind::CentreSolid, LineKind::Edge];
        let on = wheel_on(&f.fp, course.lines.iter(), &solid, touch);
        if on && !self.solid_on && moving {
            out.fault(t, Scope::General, L, Fault::WheelOnSolidLine, String::new());
        }
        self.solid_on = on && (moving || self.solid_on);
        if moving
            && body_over(
                &f.fp,
                course.lines.iter(),
                &[LineKind::LaneDashed, LineKind::CentreDashed],
            )
        {
            let since = *self.straddle_since.get_or_insert(t);
            let max = self.straddle_max;
            if !self.straddle_charged && (t - since) as f64 / 1000.0 > max {
                self.straddle_charged = true;
                out.fault(
                    t,
                    Scope::General,
                    L,
                    Fault::StraddleLane,
                    format!("over {max:.0} s"),
                );
            }
        } else if !moving && self.straddle_since.is_some() {
            // A stop on the line does not end the straddle.
        } else {
            self.straddle_since = None;
            self.straddle_charged = false;
        }
        // Green light: moving off within the limit.
        if moving {
            self.green_since = None;
        } else if let (Some(since), Some(Light::Green)) = (self.green_since, self.light) {
            let max = out.param(Scope::General, Fault::GreenStartTimeout, "max_s", 10.0);
            if (t - since) as f64 / 1000.0 > max {
                self.green_since = None;
                out.fault(
                    t,
                    Scope::General,
                    L,
                    Fault::GreenStartTimeout,
                    format!("not moving {max:.0} s after green"),
                );
            }
        }
        self.lane_lines_crossed(course, out, f);
        self.red_light(course, out, f);
        self.manoeuvre(course, out, f);
        self.night_lights(out, f);
        self.prev_doors_closed = s.signals.doors_closed;
    }

    /// Two or more lanes at once: the straight path from where the lane change was commanded to
    /// the antenna now crosses two lane lines of the map within the window.
    fn lane_lines_crossed(&mut self, course: &Course, out: &mut Out<'_>, f: &Frame<'_>) {
        let Some(w) = &mut self.lanes else { return };
        let pos = f.s.pos;
        w.travelled += (pos - w.last).len();
        w.last = pos;
        let crossed = course
            .lines
            .iter()
            .filter(|l| matches!(l.kind, LineKind::LaneDashed | LineKind::LaneSolid))
            .filter(|l| {
                l.pts
                    .windows(2)
                    .any(|p| segments_intersect(w.from, pos, p[0], p[1]))
            })
            .count();
        if crossed >= 2 {
            self.lanes = None;
            let d = format!("crossed {crossed} lane lines");
            out.fault(f.t, Scope::General, L, Fault::MultiLaneChange, d);
        } else if w.travelled > self.lanes_window {
            self.lanes = None;
        }
    }

    /// Red light: the front bumper moves across a stop line of the map while the last
    /// traffic-light event was red.
    fn red_light(&mut self, course: &Course, out: &mut Out<'_>, f: &Frame<'_>) {
        let now = f.fp.front_bumper;
        let Some(prev) = self.last_bumper.replace(now) else {
            return;
        };
        if self.light != Some(Light::Red) || !f.motion.moving {
            return;
        }
        let crossed = course
            .lines
            .iter()
            .filter(|l| l.kind == LineKind::Stop)
            .any(|l| {
                l.pts
                    .windows(2)
                    .any(|p| segments_intersect(prev, now, p[0], p[1]))
            });
        if crossed {
            let d = "crossed the stop line on red".to_owned();
            out.fault(f.t, Scope::General, L, Fault::RedLight, d);
        }
    }

    fn manoeuvre(&mut self, course: &Course, out: &mut Out<'_>, f: &Frame<'_>) {
        let Some(m) = &mut self.man else { return };
        let t = f.t;
        let lateral = (f.s.pos - m.pos).dot(m.left);
        m.travelled += (f.s.pos - m.last).len();
        m.last = f.s.pos;
        let (scope, label, onset, min_s) = (m.scope, m.label, m.onset_m, m.min_s);
        if m.cmd == Command::PullOver && m.stage < 2 && !m.far && m.travelled > m.max_m {
            m.far = true;
            let d = format!("not stopped within {:.0} m", m.max_m);
            out.fault(t, scope, label, Fault::PullOverDistance, d);
        }
        let signal = |side, out: &mut Out<'_>| {
            if let Some((fault, d)) = check_signal(f.motion, t, side, min_s) {
                out.fault(t, scope, label, fault, d);
            }
        };
        let mut done = false;
        match m.cmd {
            Command::LaneChange if lateral.abs() > onset => {
                signal(
                    if lateral > 0.0 {
                        Side::Left
                    } else {
                        Side::Right
                    },
                    out,
                );
                done = true;
            }
            Command::Overtake => {
                m.max_left = m.max_left.max(lateral);
                if m.stage == 0 && lateral > onset {
                    signal(Side::Left, out);
                    m.stage = 1;
                } else if m.stage == 1 && m.max_left - lateral > onset {
                    signal(Side::Right, out);
                    done = true;
                }
            }
            Command::PullOver => match m.stage {
                0 | 1
                    if m.stage == 0 && (lateral < -onset || f.just_stopped)
                        || m.stage == 1 && f.just_stopped =>
                {
                    if m.stage == 0 {
                        signal(Side::Right, out);
                        m.stage = 1;
                    }
                    if !f.just_stopped {
                        return;
                    }
                    m.stage = 2;
                    if body_over(&f.fp, course.lines.iter(), &[LineKind::Edge]) {
                        out.fault(t, scope, label, Fault::PullOverOverLine, String::new());
                    } else if let Some(gap) = right_edge_gap(&f.fp, course.lines.iter()) {
                        let far = out.param(scope, Fault::EdgeGapFar, "max_cm", 50.0) / 100.0;
                        let near = out.param(scope, Fault::EdgeGapNear, "max_cm", 30.0) / 100.0;
                        let d = format!("{} from the edge line", cm_text(gap));
                        if gap > far {
                            out.fault(t, scope, label, Fault::EdgeGapFar, d);
                        } else if gap > near {
                            out.fault(t, scope, label, Fault::EdgeGapNear, d);
                        }
                    }
                }
                2 => {
                    m.brake_seen |= f.s.signals.parking_brake;
                    if !f.s.signals.doors_closed && f.s.signals.engine_on {
                        out.fault(t, scope, label, Fault::EngineOnLeaving, String::new());
                    }
                    let leaving =
                        !f.s.signals.engine_on || !f.s.signals.doors_closed || f.motion.moving;
                    if leaving {
                        if !m.brake_seen {
                            out.fault(
                                t,
                                scope,
                                label,
                                Fault::ParkingBrakeNotApplied,
                                String::new(),
                            );
                        }
                        done = true;
                    }
                }
                _ => {}
            },
            Command::TurnLeft | Command::TurnRight | Command::UTurn => {
                let d = heading_delta(m.heading, f.s.heading_deg);
                if d.abs() > m.onset_deg {
                    signal(
                        if m.cmd == Command::TurnRight {
                            Side::Right
                        } else {
                            Side::Left
                        },
                        out,
                    );
                    done = true;
                }
            }
            _ => {}
        }
        if done {
            self.man = None;
        }
    }

    fn night_lights(&mut self, out: &mut Out<'_>, f: &Frame<'_>) {
        let Some(n) = &mut self.night else { return };
        let sig = &f.s.signals;
        if sig.high_beam != n.prev_high {
            n.toggles += 1;
            n.prev_high = sig.high_beam;
        }
        if f.t < n.next_end {
            return;
        }
        let prompts = &out.cat.night_prompts;
        let p = &prompts[n.idx];
        let ok = match p.expect {
            LightsExpect::HighBeam => sig.high_beam,
            LightsExpect::LowBeam => sig.low_beam && !sig.high_beam,
            LightsExpect::Alternate => n.toggles >= 2,
            LightsExpect::Hazard => sig.hazard,
        };
        let detail = p.en.clone();
        n.idx += 1;
        n.toggles = 0;
        match prompts.get(n.idx) {
            Some(next) => n.next_end += (next.window_s * 1000.0) as u64,
            None => self.night = None,
        }
        if !ok {
            out.fault(
                f.t,
                Scope::NightLights,
                "night_lights",
                Fault::NightLightsWrong,
                detail,
            );
        }
    }

    /// End of the drive: a pull-over still waiting for its parking brake is judged now.
    pub fn finish(&mut self, out: &mut Out<'_>, t: u64) {
        if let Some(m) = self
            .man
            .take()
            .filter(|m| m.cmd == Command::PullOver && m.stage == 2 && !m.brake_seen)
        {
            let _ = m;
            out.fault(
                t,
                Scope::PullOver,
                "pull_over",
                Fault::ParkingBrakeNotApplied,
                String::new(),
            );
        }
    }
}
