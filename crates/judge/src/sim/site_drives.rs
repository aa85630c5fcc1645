//! Subject 2 scripted drives on the reference course.

use std::f64::consts::FRAC_PI_2;

use super::layout::{self, C1_PROFILE, C2_PROFILE};
use super::scenarios::{CourseRef, Scenario};
use super::{Sim, Steer};
use crate::catalogue::Standard;
use crate::geom::Vec2;
use crate::telemetry::{Event, Gear, Record};
use crate::vehicle::VehicleProfile;

const G1: Gear = Gear::Manual(1);
const G2: Gear = Gear::Manual(2);

fn car(c2: bool) -> VehicleProfile {
    VehicleProfile::from_json(if c2 { C2_PROFILE } else { C1_PROFILE }).expect("reference profile")
}

/// A car at rear-axle `(x, y)` heading east that has moved off cleanly (left indicator 3.5 s).
fn start(x: f64, y: f64, gear: Gear, c2: bool) -> Sim {
    let mut s = Sim::new(&car(c2), Vec2::new(x, y), 90.0, 100);
    s.move_off_prep(3500, gear);
    s.drive(2.0, Steer::Straight, 5.0)
        .set(|g| g.left_signal = false);
    s
}

/// Drives straight east (or along the current heading) until the rear axle's x (or y) reaches `to`.
fn to_x(s: &mut Sim, to: f64, kmh: f64) {
    let d = to - s.rear_axle().x;
    s.drive(d, Steer::Straight, kmh);
}

/// Knobs of the reverse-parking script (clean by default).
#[derive(Debug, Clone, Copy)]
struct Rp {
    first_offset: f64,
    depth: f64,
    mid_stop_ms: u64,
    garage_hold_ms: u64,
    same_side: bool,
}

const RP: Rp = Rp {
    first_offset: 0.0,
    depth: 3.05,
    mid_stop_ms: 0,
    garage_hold_ms: 1500,
    same_side: false,
};

fn reverse_parking(s: &mut Sim, k: Rp) {
    let r = 5.0;
    let quarter = FRAC_PI_2 * r;
    to_x(s, layout::RP_X + r + k.first_offset, 6.0);
    s.hold(1000).shift(Gear::R).hold(500);
    s.drive(-quarter, Steer::Right(r), 4.0);
    if k.mid_stop_ms > 0 {
        s.drive(-k.depth / 2.0, Steer::Straight, 3.0)
            .hold(k.mid_stop_ms)
            .drive(-k.depth / 2.0, Steer::Straight, 3.0);
    } else {
        s.drive(-k.depth, Steer::Straight, 3.0);
    }
    s.hold(k.garage_hold_ms).shift(G1).hold(500);
    s.drive(k.depth, Steer::Straight, 4.0);
    let left = !k.same_side;
    s.drive(
        quarter,
        if left {
            Steer::Left(r)
        } else {
            Steer::Right(r)
        },
        4.0,
    );
    s.hold(1000).shift(Gear::R).hold(500);
    s.drive(
        -quarter,
        if left {
            Steer::Left(r)
        } else {
            Steer::Right(r)
        },
        4.0,
    );
    s.drive(-3.05, Steer::Straight, 3.0)
        .hold(1500)
        .shift(G1)
        .hold(500);
    s.drive(3.05, Steer::Straight, 4.0)
        .drive(quarter, Steer::Right(r), 4.0);
    to_x(s, layout::RP_X + layout::RP_HALF + 2.0, 8.0);
}

/// Knobs of the parallel-parking script.
#[derive(Debug, Clone, Copy)]
struct Pp {
    offset: f64,
    drift_left: bool,
    mid_stop_ms: u64,
    bay_hold_ms: u64,
    exit_signal: bool,
}

const PP: Pp = Pp {
    offset: 0.0,
    drift_left: false,
    mid_stop_ms: 0,
    bay_hold_ms: 1500,
    exit_signal: true,
};

fn parallel_parking(s: &mut Sim, k: Pp) {
    let (r, lat) = (5.0, layout::PP_LANE + layout::PP_W / 2.0);
    let along = 2.0 * r * (1.0 - lat / (2.0 * r)).acos().sin();
    if k.drift_left {
        to_x(s, layout::PP_X - 7.0, 6.0);
        s.sidestep(0.9, 10.0, 5.0, false)
            .sidestep(-0.9, 10.0, 5.0, false);
    }
    to_x(s, layout::PP_X + 1.4 + along + k.offset, 6.0);
    s.hold(1000).shift(Gear::R).hold(500);
    let alpha = (1.0 - lat / (2.0 * r)).acos() * r;
    s.drive(-alpha, Steer::Right(r), 3.0);
    if k.mid_stop_ms > 0 {
        s.hold(k.mid_stop_ms);
    }
    s.drive(-alpha, Steer::Left(r), 3.0);
    s.hold(k.bay_hold_ms);
    if k.exit_signal {
        s.set(|g| g.left_signal = true).hold(3000);
    }
    s.shift(G1).hold(500);
    s.sidestep(lat, r, 4.0, false)
        .set(|g| g.left_signal = false);
    to_x(s, layout::PP_X + 20.0, 8.0);
}

/// Knobs of the hill-start script.
#[derive(Debug, Clone, Copy)]
struct Hs {
    short: f64,
    stop_ms: u64,
    brake: bool,
    rollback: f64,
    stall: bool,
    signal_ms: u64,
}

const HS: Hs = Hs {
    short: 0.0,
    stop_ms: 2000,
    brake: true,
    rollback: 0.0,
    stall: false,
    signal_ms: 3500,
};

fn hill_start(s: &mut Sim, k: Hs) {
    to_x(s, layout::HILL_STOP - 3.5 - k.short, 5.0);
    s.hold(500);
    if k.brake {
        s.set(|g| g.parking_brake = true);
    }
    s.hold(k.stop_ms);
    if k.stall {
        s.set(|g| g.engine_on = false)
            .hold(1000)
            .shift(Gear::N)
            .set(|g| g.engine_on = true)
            .hold(1000)
            .shift(G1);
    }
    s.set(|g| g.left_signal = k.signal_ms > 0)
        .hold(k.signal_ms.max(100));
    s.set(|g| g.parking_brake = false).hold(300);
    if k.rollback > 0.0 {
        s.drive(-k.rollback, Steer::Straight, 1.0).hold(300);
    }
    s.drive(3.0, Steer::Straight, 5.0)
        .set(|g| g.left_signal = false);
    to_x(s, layout::HILL.1 - 2.0, 8.0);
}

fn s_curve(s: &mut Sim, lateral: f64, mid_stop_ms: u64, gear: Gear) {
    s.shift(gear);
    to_x(s, layout::SC_X, 8.0);
    let r1 = layout::SC_R - lateral;
    s.arc(90.0, r1, true, 8.0);
    if mid_stop_ms > 0 {
        s.hold(mid_stop_ms);
    }
    s.arc(90.0, r1, true, 8.0);
    let r2 = 2.0 * layout::SC_R - r1;
    s.arc(180.0, r2, false, 8.0);
    to_x(s, layout::SC_X + 10.0, 8.0);
}

/// Knobs of the right-angle-turn script.
#[derive(Debug, Clone, Copy)]
struct Ra {
    signal_lead_m: f64,
    cancel: bool,
    early: f64,
    mid_stop_ms: u64,
}

const RA: Ra = Ra {
    signal_lead_m: 6.0,
    cancel: true,
    early: 0.0,
    mid_stop_ms: 0,
};

fn right_angle(s: &mut Sim, k: Ra) {
    let turn_x = layout::RA_X - k.early;
    to_x(s, turn_x - k.signal_lead_m.max(0.0), 6.0);
    s.set(|g| g.left_signal = k.signal_lead_m > 0.0);
    to_x(s, turn_x, 5.0);
    s.arc(45.0, 5.0, true, 5.0);
    if k.mid_stop_ms > 0 {
        s.hold(k.mid_stop_ms);
    }
    s.arc(45.0, 5.0, true, 5.0).drive(3.0, Steer::Straight, 5.0);
    if k.cancel {
        s.set(|g| g.left_signal = false);
    }
    s.drive(52.0 - s.rear_axle().y, Steer::Straight, 6.0);
}

fn sc(name: &str, about: &'static str, expect: &[&'static str], s: Sim) -> Scenario {
    Scenario::new(name, about, CourseRef::Subject2, expect, s.into_records())
}

fn rp(name: &str, about: &'static str, expect: &[&'static str], k: Rp) -> Scenario {
    let mut s = start(layout::RP_X - 18.0, 0.0, G1, false);
    reverse_parking(&mut s, k);
    sc(name, about, expect, s)
}

fn pp(name: &str, about: &'static str, expect: &[&'static str], k: Pp) -> Scenario {
    let mut s = start(layout::PP_X - 12.0, 0.0, G1, false);
    parallel_parking(&mut s, k);
    sc(name, about, expect, s)
}

fn hs(name: &str, about: &'static str, expect: &[&'static str], lateral: f64, k: Hs) -> Scenario {
    let mut s = start(layout::HILL.0 - 8.0, lateral, G1, false);
    hill_start(&mut s, k);
    sc(name, about, expect, s)
}

fn sct(
    name: &str,
    about: &'static str,
    expect: &[&'static str],
    lateral: f64,
    stop: u64,
    gear: Gear,
    c2: bool,
) -> Scenario {
    let g = if c2 { Gear::D } else { G1 };
    let mut s = start(layout::SC_X - 14.0, lateral, g, c2);
    s_curve(&mut s, lateral, stop, gear);
    sc(name, about, expect, s)
}

fn ra(name: &str, about: &'static str, expect: &[&'static str], k: Ra) -> Scenario {
    let mut s = Sim::new(&car(false), Vec2::new(layout::SC_X + 2.0, 30.0), 90.0, 100);
    s.move_off_prep(3500, G1);
    s.drive(2.0, Steer::Straight, 5.0)
        .set(|g| g.left_signal = false);
    right_angle(&mut s, k);
    sc(name, about, expect, s)
}

fn full_course() -> Vec<Record> {
    let mut s = start(2.0, 0.0, G1, false);
    reverse_parking(&mut s, RP);
    parallel_parking(&mut s, PP);
    hill_start(&mut s, HS);
    s_curve(&mut s, 0.0, 0, G2);
    right_angle(&mut s, RA);
    s.into_records()
}

/// All Subject 2 scenarios.
pub fn all() -> Vec<Scenario> {
    let hs_ = |n, a, e: &[&'static str], k| hs(n, a, e, 0.0, k);
    let mut v = vec![
        sc_rec(
            "s2-full-clean",
            "All five C1 items, driven cleanly.",
            &[],
            full_course(),
        ),
        rp("s2-rp-clean", "Reverse parking from both sides.", &[], RP),
        rp(
            "s2-rp-body-over",
            "First reversal starts 0.8 m late: the body crosses the garage line.",
            &["20102"],
            Rp {
                first_offset: 0.8,
                ..RP
            },
        ),
        rp(
            "s2-rp-not-in",
            "Stops 1.5 m short of the garage back line, front outside.",
            &["20103"],
            Rp { depth: 1.3, ..RP },
        ),
        rp(
            "s2-rp-control-line",
            "Reverses before the front wheels pass the right control line.",
            &["20105"],
            Rp {
                first_offset: -1.0,
                ..RP
            },
        ),
        rp(
            "s2-rp-mid-stop",
            "Stops 3 s while reversing into the garage.",
            &["20104"],
            Rp {
                mid_stop_ms: 3000,
                ..RP
            },
        ),
        rp(
            "s2-rp-timeout",
            "Waits 200 s in the garage: over the 210 s limit.",
            &["20106"],
            Rp {
                garage_hold_ms: 200_000,
                ..RP
            },
        ),
        rp(
            "s2-rp-same-side",
            "Reverses in twice from the right side.",
            &["20101"],
            Rp {
                same_side: true,
                ..RP
            },
        ),
        pp(
            "s2-pp-clean",
            "Parallel parking with the left indicator on leaving.",
            &[],
            PP,
        ),
        pp(
            "s2-pp-wheel-edge",
            "Drifts left onto the far lane edge line before parking.",
            &["20403"],
            Pp {
                drift_left: true,
                ..PP
            },
        ),
        pp(
            "s2-pp-touch-and-out",
            "Reverses in 0.5 m too far back: touches, then stops over the rear bay line.",
            &["20404", "20401"],
            Pp { offset: -0.5, ..PP },
        ),
        pp(
            "s2-pp-no-exit-signal",
            "Leaves the bay without an indicator.",
            &["20405"],
            Pp {
                exit_signal: false,
                ..PP
            },
        ),
        pp(
            "s2-pp-mid-stop",
            "Stops 3 s half-way into the bay.",
            &["20402"],
            Pp {
                mid_stop_ms: 3000,
                ..PP
            },
        ),
        pp(
            "s2-pp-timeout",
            "Waits 95 s in the bay: over the 90 s limit.",
            &["20406"],
            Pp {
                bay_hold_ms: 95_000,
                ..PP
            },
        ),
        hs_(
            "s2-hill-clean",
            "Hill start: stops on the line, brake, indicator, no roll-back.",
            &[],
            HS,
        ),
        hs_(
            "s2-hill-stop-far",
            "Stops 70 cm before the pole line.",
            &["20301"],
            Hs { short: 0.7, ..HS },
        ),
        hs_(
            "s2-hill-stop-near",
            "Stops 30 cm before the pole line.",
            &["20303"],
            Hs { short: 0.3, ..HS },
        ),
        hs_(
            "s2-hill-restart-timeout",
            "Waits 35 s before moving off.",
            &["20302"],
            Hs {
                stop_ms: 35_000,
                ..HS
            },
        ),
        hs_(
            "s2-hill-no-brake",
            "Never applies the parking brake while stopped.",
            &["20306"],
            Hs { brake: false, ..HS },
        ),
        hs_(
            "s2-hill-rollback-minor",
            "Rolls back 20 cm when moving off.",
            &["10202"],
            Hs {
                rollback: 0.2,
                ..HS
            },
        ),
        hs_(
            "s2-hill-rollback-major",
            "Rolls back 40 cm when moving off.",
            &["10105"],
            Hs {
                rollback: 0.4,
                ..HS
            },
        ),
        hs_(
            "s2-hill-rollback-8cm",
            "Rolls back 8 cm (GA 1026-2017: counted).",
            &["10202"],
            Hs {
                rollback: 0.08,
                ..HS
            },
        ),
        hs_(
            "s2-hill-rollback-8cm-2022",
            "Rolls back 8 cm (GA 1026-2022: under 10 cm is not counted).",
            &[],
            Hs {
                rollback: 0.08,
                ..HS
            },
        )
        .with_standard(Standard::Ga1026_2022),
        hs_(
            "s2-hill-rollback-minor-2022",
            "Rolls back 20 cm (GA 1026-2022: -5).",
            &["10202"],
            Hs {
                rollback: 0.2,
                ..HS
            },
        )
        .with_standard(Standard::Ga1026_2022),
        hs_(
            "s2-hill-stall",
            "Stalls the engine when moving off.",
            &["10210"],
            Hs { stall: true, ..HS },
        ),
        hs_(
            "s2-hill-short-signal",
            "Left indicator on only 1.5 s before moving off.",
            &["10206"],
            Hs {
                signal_ms: 1500,
                ..HS
            },
        ),
        hs_(
            "s2-hill-no-signal",
            "No indicator when moving off from the hill.",
            &["10205"],
            Hs { signal_ms: 0, ..HS },
        ),
        hs(
            "s2-hill-gap-near",
            "Drives 20 cm left of the line: 40 cm from the edge.",
            &["20304"],
            0.2,
            HS,
        ),
        hs(
            "s2-hill-gap-far",
            "Drives 45 cm left: 65 cm from the edge.",
            &["20305"],
            0.45,
            HS,
        ),
        hs(
            "s2-hill-wheel-edge",
            "Drives 30 cm right: the right wheels run on the edge line.",
            &["20307"],
            -0.3,
            HS,
        ),
        sct(
            "s2-sc-clean",
            "S-curve on the centre line in second gear.",
            &[],
            0.0,
            0,
            G2,
            false,
        ),
        sct(
            "s2-sc-wheel-edge",
            "S-curve 90 cm right of the centre line.",
            &["20601"],
            -0.9,
            0,
            G2,
            false,
        ),
        sct(
            "s2-sc-mid-stop",
            "Stops 3 s in the S-curve.",
            &["20602"],
            0.0,
            3000,
            G2,
            false,
        ),
        sct(
            "s2-sc-first-gear",
            "S-curve in first gear.",
            &["20603"],
            0.0,
            0,
            G1,
            false,
        ),
        sct(
            "s2-c2-sc-clean",
            "C2 (automatic) S-curve in D: the gear rule does not apply.",
            &[],
            0.0,
            0,
            Gear::D,
            true,
        )
        .with_vehicle("vehicle-c2.json"),
        ra(
            "s2-ra-clean",
            "Right-angle turn with the indicator on 4 s before and off after.",
            &[],
            RA,
        ),
        ra(
            "s2-ra-no-signal",
            "Turns without an indicator.",
            &["20702"],
            Ra {
                signal_lead_m: 0.0,
                ..RA
            },
        ),
        ra(
            "s2-ra-short-signal",
            "Indicator on 1.5 s before turning.",
            &["10206"],
            Ra {
                signal_lead_m: 1.2,
                ..RA
            },
        ),
        ra(
            "s2-ra-not-cancelled",
            "Leaves the indicator on after the turn.",
            &["20703"],
            Ra {
                cancel: false,
                ..RA
            },
        ),
        ra(
            "s2-ra-wheel-edge",
            "Turns 1.4 m early: the inner wheels cross the edge line.",
            &["20701"],
            Ra { early: 1.4, ..RA },
        ),
        ra(
            "s2-ra-mid-stop",
            "Stops 3 s in the turn.",
            &["20704"],
            Ra {
                mid_stop_ms: 3000,
                ..RA
            },
        ),
    ];
    v.extend(general());
    v
}

fn sc_rec(name: &str, about: &'static str, expect: &[&'static str], r: Vec<Record>) -> Scenario {
    Scenario::new(name, about, CourseRef::Subject2, expect, r)
}

fn general() -> Vec<Scenario> {
    let approach = |prep: &dyn Fn(&mut Sim)| {
        let mut s = Sim::new(&car(false), Vec2::new(-8.0, 0.0), 90.0, 100);
        prep(&mut s);
        s.drive(10.0, Steer::Straight, 8.0);
        s.into_records()
    };
    vec![
        sc_rec(
            "s2-seatbelt",
            "Moves off without the seat belt.",
            &["10101"],
            approach(&|s| {
                s.set(|g| g.seatbelt = false).move_off_prep(3500, G1);
            }),
        ),
        sc_rec(
            "s2-start-no-signal",
            "Moves off without an indicator.",
            &["10205"],
            approach(&|s| {
                s.move_off_prep(0, G1);
            }),
        ),
        sc_rec(
            "s2-start-short-signal",
            "Moves off 1.5 s after the indicator.",
            &["10206"],
            approach(&|s| {
                s.move_off_prep(1500, G1);
            }),
        ),
        sc_rec(
            "s2-coasting",
            "Coasts 3 s in neutral at 8 km/h.",
            &["10109"],
            approach(&|s| {
                s.move_off_prep(3500, G1);
                s.drive(3.0, Steer::Straight, 8.0)
                    .shift(Gear::N)
                    .drive(7.0, Steer::Straight, 8.0)
                    .shift(G2);
            }),
        ),
        sc_rec(
            "s2-manual",
            "Examiner enters 10204 (wrong gear, -10) and an unknown code.",
            &["10204"],
            approach(&|s| {
                s.move_off_prep(3500, G1);
                s.drive(3.0, Steer::Straight, 8.0)
                    .event(Event::ManualDeduction("10204".into()))
                    .event(Event::ManualDeduction("99999".into()));
            }),
        ),
    ]
}
