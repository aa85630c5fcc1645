//! Subject 3 scripted drives on the reference route.

use super::layout::{self, C1_PROFILE};
use super::scenarios::{CourseRef, Scenario};
use super::{Sim, Steer};
use crate::catalogue::Standard;
use crate::geom::Vec2;
use crate::telemetry::{Command, Event, Gear, Light};
use crate::vehicle::VehicleProfile;

const G1: Gear = Gear::Manual(1);
const G3: Gear = Gear::Manual(3);

/// Knobs of the route script (clean by default).
#[derive(Debug, Clone, Copy)]
struct Route {
    seatbelt: bool,
    door_open: bool,
    start_signal_ms: u64,
    green_delay_ms: u64,
    brake_on_for_m: f64,
    rollback: f64,
    stall: bool,
    night_hazard: bool,
    lane_change_signal: bool,
    overtake_return_signal_ms: u64,
    solid_drift: bool,
    coast: bool,
    /// Drives this long (ms) at 15 km/h in fifth gear, the engine labouring at 650 rpm.
    lug_ms: u64,
    cruise_kmh: f64,
    zone_kmh: f64,
    fast_zone: Option<usize>,
    pull_shift: f64,
    pull_brake: bool,
    pull_delay_m: f64,
    leave_engine_on: bool,
    manual: bool,
}

const CLEAN: Route = Route {
    seatbelt: true,
    door_open: false,
    start_signal_ms: 3500,
    green_delay_ms: 4000,
    brake_on_for_m: 0.0,
    rollback: 0.0,
    stall: false,
    night_hazard: true,
    lane_change_signal: true,
    overtake_return_signal_ms: 3500,
    solid_drift: false,
    coast: false,
    lug_ms: 0,
    cruise_kmh: 30.0,
    zone_kmh: 25.0,
    fast_zone: None,
    pull_shift: -0.6,
    pull_brake: true,
    pull_delay_m: 0.0,
    leave_engine_on: false,
    manual: false,
};

fn to_x(s: &mut Sim, to: f64, kmh: f64) {
    let d = to - s.rear_axle().x;
    s.drive(d, Steer::Straight, kmh);
}

/// Simulated night lights: high, low, flash, hazard, each inside its 5 s window.
fn night_lights(s: &mut Sim, hazard: bool) {
    s.event(Event::Command(Command::NightLights));
    s.hold(1000).set(|g| g.high_beam = true).hold(5000);
    s.set(|g| {
        g.high_beam = false;
        g.low_beam = true;
    })
    .hold(5500);
    for on in [true, false, true, false] {
        s.set(|g| g.high_beam = on).hold(500);
    }
    s.hold(3000).set(|g| g.hazard = hazard).hold(5000).set(|g| {
        g.hazard = false;
        g.low_beam = false;
    });
    s.hold(500);
}

fn route(k: Route) -> Sim {
    let car = VehicleProfile::from_json(C1_PROFILE).expect("reference profile");
    let mut s = Sim::new(&car, Vec2::new(5.0, 0.0), 90.0, 100);
    s.set(|g| {
        g.seatbelt = k.seatbelt;
        g.doors_closed = !k.door_open;
    });
    s.event(Event::TrafficLight(Light::Red)).hold(1000);
    night_lights(&mut s, k.night_hazard);
    if k.manual {
        s.event(Event::ManualDeduction("30204".into()))
            .event(Event::ManualDeduction("99999".into()));
    }
    if k.stall {
        s.shift(G1)
            .set(|g| g.engine_on = false)
            .hold(1000)
            .shift(Gear::N)
            .set(|g| g.engine_on = true)
            .hold(1000);
    }
    s.event(Event::TrafficLight(Light::Green));
    let wait = k.green_delay_ms.saturating_sub(k.start_signal_ms.max(600));
    s.hold(wait);
    s.set(|g| g.left_signal = k.start_signal_ms > 0)
        .hold(k.start_signal_ms.saturating_sub(500).max(100));
    if k.brake_on_for_m <= 0.0 {
        s.set(|g| g.parking_brake = false);
    }
    s.shift(G1).hold(400);
    if k.rollback > 0.0 {
        s.drive(-k.rollback, Steer::Straight, 1.0).hold(300);
    }
    if k.brake_on_for_m > 0.0 {
        s.drive(k.brake_on_for_m, Steer::Straight, 8.0)
            .set(|g| g.parking_brake = false);
    }
    s.drive(8.0, Steer::Straight, 10.0).set(|g| {
        g.left_signal = false;
        g.doors_closed = true;
    });
    s.shift(Gear::Manual(2))
        .drive(10.0, Steer::Straight, 20.0)
        .shift(G3);
    if k.coast {
        s.shift(Gear::N)
            .drive(30.0, Steer::Straight, 30.0)
            .shift(G3);
    }
    if k.lug_ms > 0 {
        s.shift(Gear::Manual(5)).rpm_moving = 650.0;
        s.drive(k.lug_ms as f64 / 1000.0 * 15.0 / 3.6, Steer::Straight, 15.0)
            .shift(G3)
            .rpm_moving = 1500.0;
    }
    to_x(&mut s, 60.0, k.cruise_kmh);
    // Lane change to the left lane and back.
    s.event(Event::Command(Command::LaneChange))
        .set(|g| g.left_signal = k.lane_change_signal);
    s.drive(30.0, Steer::Straight, 30.0)
        .sidestep(layout::S3_LANE, 60.0, 30.0, false)
        .set(|g| g.left_signal = false);
    if k.solid_drift {
        s.sidestep(0.9, 60.0, 30.0, false)
            .drive(20.0, Steer::Straight, 30.0)
            .sidestep(-0.9, 60.0, 30.0, false);
    }
    s.drive(10.0, Steer::Straight, 30.0);
    s.event(Event::Command(Command::LaneChange))
        .set(|g| g.right_signal = true);
    s.drive(30.0, Steer::Straight, 30.0)
        .sidestep(-layout::S3_LANE, 60.0, 30.0, false)
        .set(|g| g.right_signal = false);
    to_x(&mut s, 210.0, k.cruise_kmh);
    // Overtaking: out to the left lane, past, back to the right lane.
    s.event(Event::Command(Command::Overtake))
        .set(|g| g.left_signal = true);
    s.drive(30.0, Steer::Straight, 30.0)
        .sidestep(layout::S3_LANE, 60.0, 30.0, false)
        .set(|g| g.left_signal = false);
    s.drive(10.0, Steer::Straight, 35.0)
        .set(|g| g.right_signal = k.overtake_return_signal_ms > 0);
    s.drive(
        k.overtake_return_signal_ms as f64 / 1000.0 * 30.0 / 3.6,
        Steer::Straight,
        30.0,
    );
    s.sidestep(-layout::S3_LANE, 60.0, 30.0, false)
        .set(|g| g.right_signal = false);
    // Zones.
    to_x(&mut s, layout::S3_SCHOOL.0 - 10.0, k.cruise_kmh);
    for (i, end) in [465.0, 535.0, 575.0].into_iter().enumerate() {
        to_x(
            &mut s,
            end,
            if k.fast_zone == Some(i) {
                35.0
            } else {
                k.zone_kmh
            },
        );
    }
    to_x(&mut s, 680.0, k.cruise_kmh);
    // Pull over.
    s.event(Event::Command(Command::PullOver))
        .set(|g| g.right_signal = true);
    s.drive(20.0 + k.pull_delay_m, Steer::Straight, 20.0)
        .sidestep(k.pull_shift, 400.0, 12.0, false)
        .drive(3.0, Steer::Straight, 5.0);
    s.hold(1000);
    if k.pull_brake {
        s.set(|g| g.parking_brake = true);
    }
    s.shift(Gear::N)
        .hold(1000)
        .set(|g| g.right_signal = false)
        .hold(500);
    if k.leave_engine_on {
        s.set(|g| g.doors_closed = false).hold(1000);
    } else {
        s.set(|g| g.engine_on = false).hold(1000);
    }
    s
}

fn r(name: &str, about: &'static str, expect: &[&'static str], k: Route) -> Scenario {
    Scenario::new(
        name,
        about,
        CourseRef::Subject3,
        expect,
        route(k).into_records(),
    )
}

/// A short drive towards the junction that turns there: right, left or a U-turn.
fn turn(
    name: &str,
    about: &'static str,
    expect: &[&'static str],
    cmd: Command,
    lead_m: f64,
) -> Scenario {
    let car = VehicleProfile::from_json(C1_PROFILE).expect("reference profile");
    let mut s = Sim::new(&car, Vec2::new(575.0, 0.0), 90.0, 100);
    s.move_off_prep(3500, G1);
    s.drive(5.0, Steer::Straight, 10.0)
        .set(|g| g.left_signal = false);
    let right = cmd == Command::TurnRight;
    let (deg, radius) = match cmd {
        Command::TurnRight => (90.0, 8.0),
        Command::UTurn => (180.0, 4.5),
        _ => (90.0, 14.0),
    };
    s.event(Event::Command(cmd));
    to_x(&mut s, 612.0 - lead_m.max(0.0), 15.0);
    s.set(|g| {
        if right {
            g.right_signal = lead_m > 0.0
        } else {
            g.left_signal = lead_m > 0.0
        }
    });
    to_x(&mut s, 612.0, 15.0);
    s.arc(deg, radius, !right, 12.0)
        .drive(10.0, Steer::Straight, 20.0);
    s.set(|g| {
        g.left_signal = false;
        g.right_signal = false;
    })
    .drive(20.0, Steer::Straight, 20.0);
    Scenario::new(name, about, CourseRef::Subject3, expect, s.into_records())
}

fn straddle() -> Scenario {
    let car = VehicleProfile::from_json(C1_PROFILE).expect("reference profile");
    let mut s = Sim::new(&car, Vec2::new(700.0, 0.0), 90.0, 100);
    s.move_off_prep(3500, G1);
    s.drive(5.0, Steer::Straight, 10.0)
        .set(|g| g.left_signal = false);
    s.event(Event::Command(Command::LaneChange))
        .set(|g| g.left_signal = true);
    s.drive(30.0, Steer::Straight, 30.0)
        .sidestep(layout::S3_LANE / 2.0, 60.0, 30.0, false);
    s.set(|g| g.left_signal = false)
        .drive(170.0, Steer::Straight, 30.0);
    Scenario::new(
        "s3-straddle",
        "Drives 20 s astride the lane divider.",
        CourseRef::Subject3,
        &["30118"],
        s.into_records(),
    )
}

/// On the three-lane side road: one lane-change command, then two lanes (`at_once`) or one lane, a
/// second command and the next lane; the indicator is on for each.
fn lanes(name: &str, about: &'static str, expect: &[&'static str], at_once: bool) -> Scenario {
    let car = VehicleProfile::from_json(C1_PROFILE).expect("reference profile");
    let mut s = Sim::new(&car, Vec2::new(5.0, layout::S3_WIDE_Y), 90.0, 100);
    s.move_off_prep(3500, G1);
    s.drive(8.0, Steer::Straight, 10.0)
        .set(|g| g.left_signal = false);
    s.shift(Gear::Manual(2)).drive(20.0, Steer::Straight, 20.0);
    s.event(Event::Command(Command::LaneChange))
        .set(|g| g.left_signal = true);
    s.drive(20.0, Steer::Straight, 30.0);
    if at_once {
        s.sidestep(2.0 * layout::S3_LANE, 80.0, 30.0, false);
    } else {
        s.sidestep(layout::S3_LANE, 60.0, 30.0, false)
            .set(|g| g.left_signal = false)
            .drive(20.0, Steer::Straight, 30.0);
        s.event(Event::Command(Command::LaneChange))
            .set(|g| g.left_signal = true);
        s.drive(30.0, Steer::Straight, 30.0)
            .sidestep(layout::S3_LANE, 60.0, 30.0, false);
    }
    s.set(|g| g.left_signal = false)
        .drive(40.0, Steer::Straight, 30.0);
    Scenario::new(name, about, CourseRef::Subject3, expect, s.into_records())
}

/// On the three-lane side road towards the stop line at x = 300 m: the light turns red at x = 260 m;
/// the car either stops 1.5 m short and goes on green, or drives on across the line.
fn red_light(name: &str, about: &'static str, expect: &[&'static str], run: bool) -> Scenario {
    let car = VehicleProfile::from_json(C1_PROFILE).expect("reference profile");
    let mut s = Sim::new(&car, Vec2::new(5.0, layout::S3_WIDE_Y), 90.0, 100);
    s.event(Event::TrafficLight(Light::Green));
    s.move_off_prep(3500, G1);
    s.drive(8.0, Steer::Straight, 10.0)
        .set(|g| g.left_signal = false);
    s.shift(Gear::Manual(2)).drive(20.0, Steer::Straight, 20.0);
    to_x(&mut s, 260.0, 30.0);
    s.event(Event::TrafficLight(Light::Red));
    if !run {
        // Rear axle 295 m: the bumper (3.5 m ahead) stops 1.5 m before the line.
        to_x(&mut s, layout::S3_WIDE_STOP_X - 5.0, 15.0);
        s.shift(Gear::N).hold(3000);
        s.event(Event::TrafficLight(Light::Green)).hold(1000);
        s.shift(G1).drive(5.0, Steer::Straight, 10.0);
        s.shift(Gear::Manual(2));
    }
    to_x(&mut s, 340.0, 20.0);
    Scenario::new(name, about, CourseRef::Subject3, expect, s.into_records())
}

/// All Subject 3 scenarios.
pub fn all() -> Vec<Scenario> {
    vec![
        r(
            "s3-route-clean",
            "Night lights, green light, moving off, lane changes, overtaking, zones, pull-over.",
            &[],
            CLEAN,
        ),
        r(
            "s3-seatbelt",
            "Moves off without the seat belt.",
            &["30101"],
            Route {
                seatbelt: false,
                ..CLEAN
            },
        ),
        r(
            "s3-door-open",
            "Moves off with a door open.",
            &["40202"],
            Route {
                door_open: true,
                ..CLEAN
            },
        ),
        r(
            "s3-start-no-signal",
            "Moves off without an indicator (GA 1026-2017: fail).",
            &["30205"],
            Route {
                start_signal_ms: 0,
                ..CLEAN
            },
        ),
        r(
            "s3-start-no-signal-2016",
            "Moves off without an indicator (2016 tables: -10).",
            &["30205"],
            Route {
                start_signal_ms: 0,
                ..CLEAN
            },
        )
        .with_standard(Standard::Ga1026_2016),
        r(
            "s3-start-short-signal",
            "Indicator on 1.5 s before moving off.",
            &["30206"],
            Route {
                start_signal_ms: 1500,
                ..CLEAN
            },
        ),
        r(
            "s3-green-timeout",
            "Moves off 13 s after the light turns green.",
            &["30132"],
            Route {
                green_delay_ms: 13_000,
                ..CLEAN
            },
        ),
        r(
            "s3-green-timeout-2016",
            "Moves off 13 s after green under the 2016 tables (no such rule).",
            &[],
            Route {
                green_delay_ms: 13_000,
                ..CLEAN
            },
        )
        .with_standard(Standard::Ga1026_2016),
        r(
            "s3-brake-corrected",
            "Moves off with the parking brake on, releases it after 2 m.",
            &["40214"],
            Route {
                brake_on_for_m: 2.0,
                ..CLEAN
            },
        ),
        r(
            "s3-brake-not-released",
            "Drives 10 m with the parking brake on.",
            &["40205"],
            Route {
                brake_on_for_m: 10.0,
                ..CLEAN
            },
        ),
        r(
            "s3-rollback-major",
            "Rolls back 40 cm when moving off.",
            &["30105"],
            Route {
                rollback: 0.4,
                ..CLEAN
            },
        ),
        r(
            "s3-rollback-minor",
            "Rolls back 15 cm when moving off.",
            &["30202"],
            Route {
                rollback: 0.15,
                ..CLEAN
            },
        ),
        r(
            "s3-stall",
            "Stalls the engine in first gear before moving off.",
            &["30210"],
            Route {
                stall: true,
                ..CLEAN
            },
        ),
        r(
            "s3-night-lights-wrong",
            "No hazard lights at the breakdown prompt.",
            &["41619"],
            Route {
                night_hazard: false,
                ..CLEAN
            },
        ),
        r(
            "s3-lane-change-no-signal",
            "Changes lanes without an indicator.",
            &["30205"],
            Route {
                lane_change_signal: false,
                ..CLEAN
            },
        ),
        r(
            "s3-overtake-short-return",
            "Indicates right only 1.5 s before returning.",
            &["30206"],
            Route {
                overtake_return_signal_ms: 1500,
                ..CLEAN
            },
        ),
        r(
            "s3-solid-line",
            "Drifts onto the solid centre line in the left lane.",
            &["30117"],
            Route {
                solid_drift: true,
                ..CLEAN
            },
        ),
        r(
            "s3-coasting",
            "Coasts 3.6 s in neutral at 30 km/h.",
            &["30112"],
            Route {
                coast: true,
                ..CLEAN
            },
        ),
        r(
            "s3-rpm-low",
            "Drives 7 s at 15 km/h in fifth gear, the engine at 650 rpm.",
            &["30110"],
            Route {
                lug_ms: 7000,
                ..CLEAN
            },
        ),
        r(
            "s3-rpm-low-brief",
            "Labours at 650 rpm in fifth gear for only 3 s (within the 5 s allowed).",
            &[],
            Route {
                lug_ms: 3000,
                ..CLEAN
            },
        ),
        r(
            "s3-overspeed",
            "Cruises at 55 km/h on a 50 km/h road.",
            &["30116"],
            Route {
                cruise_kmh: 55.0,
                zone_kmh: 28.0,
                ..CLEAN
            },
        ),
        r(
            "s3-school-overspeed",
            "Passes the school at 35 km/h (limit 30).",
            &["41101"],
            Route {
                fast_zone: Some(0),
                ..CLEAN
            },
        ),
        r(
            "s3-bus-stop-overspeed",
            "Passes the bus stop at 35 km/h (limit 30).",
            &["41201"],
            Route {
                fast_zone: Some(1),
                ..CLEAN
            },
        ),
        r(
            "s3-crosswalk-overspeed",
            "Passes the zebra crossing at 35 km/h (limit 30).",
            &["41001"],
            Route {
                fast_zone: Some(2),
                ..CLEAN
            },
        ),
        r(
            "s3-pull-over-near",
            "Pulls over 45 cm from the edge line.",
            &["40605"],
            Route {
                pull_shift: -0.4,
                ..CLEAN
            },
        ),
        r(
            "s3-pull-over-far",
            "Pulls over 65 cm from the edge line.",
            &["40604"],
            Route {
                pull_shift: -0.2,
                ..CLEAN
            },
        ),
        r(
            "s3-pull-over-on-line",
            "Pulls over with the body over the edge line.",
            &["40603"],
            Route {
                pull_shift: -0.86,
                ..CLEAN
            },
        ),
        r(
            "s3-pull-over-late",
            "Drives 110 m after the pull-over command before pulling over.",
            &["40602"],
            Route {
                pull_delay_m: 110.0,
                ..CLEAN
            },
        ),
        r(
            "s3-pull-over-engine-on",
            "Opens the door after pulling over with the engine running.",
            &["40607"],
            Route {
                leave_engine_on: true,
                ..CLEAN
            },
        ),
        r(
            "s3-pull-over-no-brake",
            "Turns the engine off without the parking brake.",
            &["40606"],
            Route {
                pull_brake: false,
                ..CLEAN
            },
        ),
        r(
            "s3-pull-over-no-brake-370800",
            "The same under the Jining override (fail).",
            &["4060601"],
            Route {
                pull_brake: false,
                ..CLEAN
            },
        )
        .with_region("370800"),
        r(
            "s3-route-clean-370800",
            "The clean route under the Jining overrides.",
            &[],
            CLEAN,
        )
        .with_region("370800"),
        r(
            "s3-manual",
            "Examiner enters 30204 (-10) and an unknown code.",
            &["30204"],
            Route {
                manual: true,
                ..CLEAN
            },
        ),
        turn(
            "s3-turn-right-clean",
            "Right turn at the junction with the indicator.",
            &[],
            Command::TurnRight,
            30.0,
        ),
        turn(
            "s3-turn-right-no-signal",
            "Right turn without an indicator.",
            &["30205"],
            Command::TurnRight,
            0.0,
        ),
        turn(
            "s3-turn-left-clean",
            "Left turn at the junction with the indicator.",
            &[],
            Command::TurnLeft,
            30.0,
        ),
        turn(
            "s3-turn-left-short-signal",
            "Left turn with the indicator on only 1.5 s.",
            &["30206"],
            Command::TurnLeft,
            2.5,
        ),
        turn(
            "s3-u-turn-clean",
            "U-turn at the junction with the left indicator.",
            &[],
            Command::UTurn,
            30.0,
        ),
        turn(
            "s3-u-turn-no-signal",
            "U-turn without an indicator.",
            &["30205"],
            Command::UTurn,
            0.0,
        ),
        straddle(),
        lanes(
            "s3-two-lanes-at-once",
            "On a three-lane road, crosses two lane lines after one lane-change command.",
            &["30121"],
            true,
        ),
        lanes(
            "s3-lane-by-lane",
            "On a three-lane road, changes one lane, then on a second command the next.",
            &[],
            false,
        ),
        red_light(
            "s3-red-light",
            "Drives across the stop line after the light turned red.",
            &["30115"],
            true,
        ),
        red_light(
            "s3-red-light-stopped",
            "Stops before the stop line on red, goes on green.",
            &[],
            false,
        ),
    ]
}
