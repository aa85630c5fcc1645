//! Subject 2 (场地驾驶技能): items started and ended by trigger areas, and their detectors.

use super::measure::{body_over, right_edge_gap, wheel_on};
use super::state::{Dir, Frame, Out, check_signal, cm_text};
use crate::catalogue::{Fault, Scope};
use crate::course::{Course, Item, ItemKind, LineKind, Side};
use crate::geom::{
    dist_point_polyline, point_in_polygon, polygon_crosses_polyline, polygon_inside,
};
use crate::telemetry::{Gear, Sample};

#[derive(Debug, Default)]
struct Reverse {
    parks: u8,
    reversing: bool,
    last_side: Option<Side>,
}

#[derive(Debug, Default)]
struct Parallel {
    reversed: bool,
    touching: bool,
}

#[derive(Debug, Default)]
struct Hill {
    fixed_stop: bool,
    restarted: bool,
}

#[derive(Debug, Default)]
struct Turn {
    start_heading: f64,
    turned: bool,
}

#[derive(Debug)]
enum Run {
    Reverse(Reverse),
    Parallel(Parallel),
    Hill(Hill),
    Turn(Turn),
    SCurve,
}

#[derive(Debug)]
struct Active {
    idx: usize,
    started: u64,
    left_start: bool,
    timed_out: bool,
    wheel_on: bool,
    run: Run,
    /// Wheel-on-line distance and time limit of this item, read from the catalogue at the start.
    touch: f64,
    limit_s: Option<f64>,
}

/// Subject 2 state.
#[derive(Debug)]
pub(crate) struct Site {
    done: Vec<bool>,
    active: Option<Active>,
}

fn wheel_touch(out: &Out<'_>, scope: Scope) -> f64 {
    out.param(scope, Fault::WheelOnEdgeLine, "touch_cm", 10.0) / 100.0
}

impl Site {
    pub fn new(course: &Course) -> Self {
        Self {
            done: vec![false; course.items.len()],
            active: None,
        }
    }

    /// The deduction label: the active item's id, or `general`.
    pub fn label<'c>(&self, course: &'c Course) -> &'c str {
        self.active
            .as_ref()
            .map_or("general", |a| &course.items[a.idx].id)
    }

    /// The active item's id.
    pub fn item<'c>(&self, course: &'c Course) -> Option<&'c str> {
        self.active
            .as_ref()
            .map(|a| course.items[a.idx].id.as_str())
    }

    /// The scope of the active item.
    pub fn scope(&self, course: &Course) -> Scope {
        self.active
            .as_ref()
            .map_or(Scope::General, |a| Scope::Item(course.items[a.idx].kind))
    }

    pub fn step(&mut self, course: &Course, out: &mut Out<'_>, f: &Frame<'_>) {
        if self.active.is_none() {
            self.try_start(course, out, f);
        }
        let Some(a) = &mut self.active else { return };
        let item = &course.items[a.idx];
        let scope = Scope::Item(item.kind);
        let label = item.id.as_str();
        let inside = |areas: &[Vec<_>]| areas.iter().any(|r| point_in_polygon(f.s.pos, r));
        if !inside(&item.start) {
            a.left_start = true;
        }
        match a.limit_s {
            Some(limit) if !a.timed_out && (f.t - a.started) as f64 / 1000.0 > limit => {
                a.timed_out = true;
                out.fault(f.t, scope, label, Fault::ItemTimeout, format!("{limit} s"));
            }
            _ => {}
        }
        // Mid-way stops: a stop longer than the limit followed by travel in the same direction.
        if let Some(m) = f.move_off {
            let exempt = matches!(&a.run, Run::Hill(h) if h.fixed_stop && !h.restarted);
            let max_s = out.param(scope, Fault::MidStop, "max_s", 2.0);
            if !exempt && m.dir_before == Some(m.dir) && m.stopped_ms as f64 / 1000.0 > max_s {
                out.fault(
                    f.t,
                    scope,
                    label,
                    Fault::MidStop,
                    format!("stopped {:.1} s", m.stopped_ms as f64 / 1000.0),
                );
            }
        }
        // Wheels on edge lines (reverse parking judges the body instead).
        if item.kind != ItemKind::ReverseParking {
            let on = wheel_on(&f.fp, item.lines.iter(), &[LineKind::Edge], a.touch);
            if on && !a.wheel_on {
                out.fault(f.t, scope, label, Fault::WheelOnEdgeLine, String::new());
            }
            a.wheel_on = on;
        }
        match &mut a.run {
            Run::Reverse(r) => reverse(item, r, out, f, label),
            Run::Parallel(p) => parallel(item, p, out, f, label),
            Run::Hill(h) => hill(item, h, out, f, label),
            Run::Turn(t) => turn(t, out, f, label, scope),
            Run::SCurve => {
                if f.motion.moving && f.s.gear == Gear::Manual(1) {
                    out.fault(f.t, scope, label, Fault::LowGear, "1st gear".into());
                }
            }
        }
        if a.left_start && inside(&item.end) {
            self.end(course, out, f.t, f.s);
        }
    }

    fn try_start(&mut self, course: &Course, out: &Out<'_>, f: &Frame<'_>) {
        for (idx, item) in course.items.iter().enumerate() {
            if self.done[idx] || !item.start.iter().any(|r| point_in_polygon(f.s.pos, r)) {
                continue;
            }
            let run = match item.kind {
                ItemKind::ReverseParking => Run::Reverse(Reverse::default()),
                ItemKind::ParallelParking => Run::Parallel(Parallel::default()),
                ItemKind::HillStart => Run::Hill(Hill::default()),
                ItemKind::RightAngleTurn => Run::Turn(Turn {
                    start_heading: f.s.heading_deg,
                    turned: false,
                }),
                ItemKind::SCurve | ItemKind::Route => Run::SCurve,
            };
            self.active = Some(Active {
                idx,
                started: f.t,
                left_start: false,
                timed_out: false,
                wheel_on: false,
                run,
                touch: wheel_touch(out, Scope::Item(item.kind)),
                limit_s: out
                    .priced(Scope::Item(item.kind), Fault::ItemTimeout)
                    .then(|| {
                        out.param(
                            Scope::Item(item.kind),
                            Fault::ItemTimeout,
                            "limit_s",
                            f64::INFINITY,
                        )
                    }),
            });
            return;
        }
    }

    /// Ends the active item (at its end trigger, or when the drive ends inside it).
    pub fn end(&mut self, course: &Course, out: &mut Out<'_>, t: u64, s: &Sample) {
        let Some(a) = self.active.take() else { return };
        self.done[a.idx] = true;
        let item = &course.items[a.idx];
        let scope = Scope::Item(item.kind);
        match a.run {
            Run::Reverse(r) if r.parks < 2 => {
                out.fault(
                    t,
                    scope,
                    &item.id,
                    Fault::WrongSequence,
                    format!("{} of 2 parkings", r.parks),
                );
            }
            Run::Turn(tr) if tr.turned && (s.signals.left_signal || s.signals.right_signal) => {
                out.fault(t, scope, &item.id, Fault::SignalNotCancelled, String::new());
            }
            _ => {}
        }
    }
}

fn reverse(item: &Item, r: &mut Reverse, out: &mut Out<'_>, f: &Frame<'_>, label: &str) {
    let scope = Scope::Item(ItemKind::ReverseParking);
    if body_over(
        &f.fp,
        item.lines.iter(),
        &[LineKind::Garage, LineKind::Edge],
    ) {
        out.fault(f.t, scope, label, Fault::BodyOverLine, String::new());
    }
    let Some(m) = f.move_off else { return };
    let garage = item.garage.as_deref().unwrap_or_default();
    if m.dir == Dir::Backward && !r.reversing {
        // Which control line: the one nearest the front wheels.
        let [fl, fr] = f.fp.front_wheels();
        let mid = (fl + fr) * 0.5;
        let ctl = item
            .lines
            .iter()
            .filter_map(|l| match l.kind {
                LineKind::Control(side) => Some((side, l, dist_point_polyline(mid, &l.pts))),
                _ => None,
            })
            .min_by(|a, b| a.2.total_cmp(&b.2));
        if let Some((side, line, _)) = ctl {
            let centroid = garage
                .iter()
                .fold(crate::geom::Vec2::default(), |acc, &p| acc + p)
                * (1.0 / garage.len().max(1) as f64);
            let (a, b) = (line.pts[0], line.pts[line.pts.len() - 1]);
            let sgn = |p| (b - a).cross(p - a).signum();
            let g = sgn(centroid);
            if sgn(fl) == g || sgn(fr) == g {
                out.fault(
                    f.t,
                    scope,
                    label,
                    Fault::ControlLineNotPassed,
                    format!("{side:?} control line").to_lowercase(),
                );
            }
            if r.last_side == Some(side) {
                out.fault(
                    f.t,
                    scope,
                    label,
                    Fault::WrongSequence,
                    "reversed in twice from the same side".into(),
                );
            }
            r.last_side = Some(side);
        }
        r.reversing = true;
    } else if m.dir == Dir::Forward && r.reversing {
        r.reversing = false;
        if polygon_inside(&f.fp.body, garage) {
            r.parks += 1;
        } else {
            out.fault(f.t, scope, label, Fault::NotInGarage, String::new());
        }
    }
}

fn parallel(item: &Item, p: &mut Parallel, out: &mut Out<'_>, f: &Frame<'_>, label: &str) {
    let scope = Scope::Item(ItemKind::ParallelParking);
    let touch = body_over(&f.fp, item.lines.iter(), &[LineKind::Garage]);
    if touch && !p.touching && f.motion.moving {
        out.fault(f.t, scope, label, Fault::BodyTouchLine, String::new());
    }
    p.touching = touch;
    let Some(m) = f.move_off else { return };
    if m.dir == Dir::Backward {
        p.reversed = true;
    } else if p.reversed {
        p.reversed = false;
        let garage = item.garage.as_deref().unwrap_or_default();
        let crosses = item
            .lines_of(LineKind::Garage)
            .any(|l| polygon_crosses_polyline(&f.fp.body, &l.pts));
        if crosses || !polygon_inside(&f.fp.body, garage) {
            out.fault(
                f.t,
                scope,
                label,
                Fault::BodyOverLine,
                "after stopping in the bay".into(),
            );
        }
        if let Some((fault, detail)) = check_signal(
            f.motion,
            f.t,
            Side::Left,
            out.param(scope, Fault::SignalShort, "min_s", 3.0),
        ) {
            out.fault(f.t, scope, label, fault, detail);
        }
    }
}

fn hill(item: &Item, h: &mut Hill, out: &mut Out<'_>, f: &Frame<'_>, label: &str) {
    let scope = Scope::Item(ItemKind::HillStart);
    if f.just_stopped && !h.fixed_stop {
        h.fixed_stop = true;
        let d = item
            .lines_of(LineKind::Stop)
            .map(|l| dist_point_polyline(f.fp.front_bumper, &l.pts))
            .fold(f64::INFINITY, f64::min);
        let far = out.param(scope, Fault::StopLineFar, "max_cm", 50.0) / 100.0;
        let ok = out.param(scope, Fault::StopLineNear, "ok_cm", 15.0) / 100.0;
        if d > far {
            out.fault(
                f.t,
                scope,
                label,
                Fault::StopLineFar,
                format!("bumper {} from the line", cm_text(d)),
            );
        } else if d > ok {
            out.fault(
                f.t,
                scope,
                label,
                Fault::StopLineNear,
                format!("bumper {} from the line", cm_text(d)),
            );
        }
        if let Some(gap) = right_edge_gap(&f.fp, item.lines.iter()) {
            let far = out.param(scope, Fault::EdgeGapFar, "max_cm", 50.0) / 100.0;
            let near = out.param(scope, Fault::EdgeGapNear, "max_cm", 30.0) / 100.0;
            if gap > far {
                out.fault(
                    f.t,
                    scope,
                    label,
                    Fault::EdgeGapFar,
                    format!("{} from the edge line", cm_text(gap)),
                );
            } else if gap > near {
                out.fault(
                    f.t,
                    scope,
                    label,
                    Fault::EdgeGapNear,
                    format!("{} from the edge line", cm_text(gap)),
                );
            }
        }
    }
    if let Some(m) = f.move_off.filter(|_| h.fixed_stop && !h.restarted) {
        h.restarted = true;
        let max_s = out.param(scope, Fault::RestartTimeout, "max_s", 30.0);
        if m.stopped_ms as f64 / 1000.0 > max_s {
            out.fault(
                f.t,
                scope,
                label,
                Fault::RestartTimeout,
                format!("{:.1} s", m.stopped_ms as f64 / 1000.0),
            );
        }
        if !m.parking_brake_seen {
            out.fault(
                f.t,
                scope,
                label,
                Fault::ParkingBrakeNotApplied,
                String::new(),
            );
        }
        if let Some((fault, detail)) = check_signal(
            f.motion,
            f.t,
            Side::Left,
            out.param(scope, Fault::SignalShort, "min_s", 3.0),
        ) {
            out.fault(f.t, scope, label, fault, detail);
        }
    }
}

/// Signed heading change in degrees, in (-180, 180]; negative is a left turn.
pub(crate) fn heading_delta(from: f64, to: f64) -> f64 {
    let d = (to - from).rem_euclid(360.0);
    if d > 180.0 { d - 360.0 } else { d }
}

fn turn(t: &mut Turn, out: &mut Out<'_>, f: &Frame<'_>, label: &str, scope: Scope) {
    if t.turned {
        return;
    }
    let d = heading_delta(t.start_heading, f.s.heading_deg);
    let onset = out.param(scope, Fault::SignalMissing, "onset_deg", 10.0);
    if d.abs() > onset {
        t.turned = true;
        let side = if d < 0.0 { Side::Left } else { Side::Right };
        if let Some((fault, detail)) = check_signal(
            f.motion,
            f.t,
            side,
            out.param(scope, Fault::SignalShort, "min_s", 3.0),
        ) {
            out.fault(f.t, scope, label, fault, detail);
        }
    }
}
