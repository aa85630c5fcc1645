//! Property test: random input sequences, ≥ 100,000 steps in the default run.
//!
//! The oracle knows nothing of the interlock's internals. It rebuilds what the hardware would be doing from the
//! inputs given and the commands returned (relay state, with pulses ending by themselves in the module) and checks
//! at every step that:
//! - outside a fire override, at most one door is released at any time;
//! - a release is only commanded while the link is up, every input is known, the door is not itself released,
//!   and every other door reads closed, is not released and (with a lock sensor) reads locked;
//! - a fire input releases every door, and nothing relocks a door until the override is reset.
//!
//! `GATE_PROP_CASES` sets the number of sequences (default 200, of 500 steps each).

use std::cell::Cell;

use proptest::prelude::*;
use proptest::test_runner::{Config as PropConfig, TestRunner};

use super::*;
use crate::config::{DoorConfig, LockFeedback};
use crate::io::Side;
use crate::testing::{Relay, Shadow};

const STEPS: usize = 500;

#[derive(Debug, Clone)]
enum Action {
    Input(Input),
    Request(DoorId),
    /// Someone pushes the door that is released, if one is (else time passes).
    OpenReleased,
}

#[derive(Debug, Clone)]
struct Case {
    cfg: Config,
    steps: Vec<(u64, Action)>,
}

fn action(n_doors: u8) -> impl Strategy<Value = Action> {
    let d = move || (0..n_doors).prop_map(DoorId);
    let side = prop_oneof![Just(Side::Vestibule), Just(Side::Outer)];
    prop_oneof![
        40 => Just(Action::Input(Input::Tick)),
        50 => d().prop_map(|door| Action::Input(Input::Contact { door, closed: true })),
        15 => d().prop_map(|door| Action::Input(Input::Contact { door, closed: false })),
        10 => (d(), prop::bool::weighted(0.8)).prop_map(|(door, locked)| Action::Input(Input::Lock { door, locked })),
        50 => d().prop_map(Action::Request),
        30 => Just(Action::OpenReleased),
        15 => (d(), side).prop_map(|(door, side)| Action::Input(Input::ExitButton { door, side })),
        1 => Just(Action::Input(Input::Fire { active: true })),
        4 => Just(Action::Input(Input::Fire { active: false })),
        4 => Just(Action::Input(Input::ExaminerReset)),
        2 => Just(Action::Input(Input::CommsLost)),
        8 => Just(Action::Input(Input::CommsRestored)),
        1 => d().prop_map(|door| Action::Input(Input::Tamper { door })),
    ]
}

fn dt() -> impl Strategy<Value = u64> {
    prop_oneof![8 => 0u64..1_500, 1 => 1_500u64..20_000]
}

fn case() -> impl Strategy<Value = Case> {
    let doors = (2u8..=3).prop_flat_map(|n| {
        prop::collection::vec(
            prop_oneof![
                Just(LockFeedback::InferredFromContact),
                Just(LockFeedback::Sensor)
            ]
            .prop_map(|lock_feedback| DoorConfig { lock_feedback }),
            usize::from(n),
        )
    });
    (doors, 1u32..8_000, 1u32..20_000, any::<bool>()).prop_flat_map(
        |(doors, pulse, held, relock_on_close)| {
            let n = doors.len() as u8;
            let cfg = Config {
                doors,
                release_pulse_ms: pulse,
                held_open_ms: held,
                relock_on_close,
            };
            prop::collection::vec((dt(), action(n)), STEPS).prop_map(move |steps| Case {
                cfg: cfg.clone(),
                steps,
            })
        },
    )
}

#[derive(Debug, Default)]
struct Counts {
    steps: Cell<u64>,
    releases: Cell<u64>,
    passages: Cell<u64>,
    fires: Cell<u64>,
}

fn run(case: &Case, counts: &Counts) -> Result<(), TestCaseError> {
    let mut lock = Interlock::new(case.cfg.clone()).unwrap();
    let n = case.cfg.doors.len();
    let mut shadow = Shadow::new(&case.cfg);
    let mut now = MonoMs(0);
    let mut grant = 0;
    for (dt, action) in &case.steps {
        now = MonoMs(now.0 + dt);
        let outputs = match *action {
            Action::Input(input) => {
                shadow.input(input);
                lock.handle(now, input).unwrap()
            }
            Action::OpenReleased => {
                let input = match (0..n).find(|&i| shadow.active(i, now)) {
                    Some(i) => Input::Contact {
                        door: DoorId(i as u8),
                        closed: false,
                    },
                    None => Input::Tick,
                };
                shadow.input(input);
                lock.handle(now, input).unwrap()
            }
            Action::Request(door) => {
                grant += 1;
                lock.request_release(now, door, GrantId(grant)).unwrap()
            }
        };
        for out in &outputs {
            if let Err(e) = shadow.output(now, out) {
                return Err(TestCaseError::fail(format!(
                    "{e}\nafter {action:?} at {now}\nshadow {shadow:?}\nmachine {lock:?}\noutputs {outputs:?}"
                )));
            }
            match out {
                Output::Command(Command::Release { .. }) => {
                    counts.releases.set(counts.releases.get() + 1)
                }
                Output::Notice(Notice::Passed { .. }) => {
                    counts.passages.set(counts.passages.get() + 1)
                }
                _ => {}
            }
        }
        if let Action::Input(Input::Fire { active: true }) = action {
            counts.fires.set(counts.fires.get() + 1);
            prop_assert!(shadow.fire, "fire input did not start the override");
            prop_assert!(
                shadow.relay.iter().all(|r| *r == Relay::Held),
                "fire input did not release every door"
            );
        }
        shadow.invariants(now)?;
        // The machine's own view agrees with the oracle's.
        for d in lock.doors() {
            if !shadow.fire {
                prop_assert_eq!(
                    lock.release_active(d).unwrap(),
                    shadow.active(d.index(), now),
                    "door {}",
                    d
                );
            }
        }
        counts.steps.set(counts.steps.get() + 1);
    }
    Ok(())
}

#[test]
fn never_two_doors_released_outside_fire_and_never_while_unknown() {
    let cases = std::env::var("GATE_PROP_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let mut runner = TestRunner::new(PropConfig {
        cases,
        failure_persistence: None,
        ..PropConfig::default()
    });
    let counts = Counts::default();
    let result = runner.run(&case(), |case| run(&case, &counts));
    if let Err(e) = result {
        panic!("{e}");
    }
    let steps = counts.steps.get();
    println!(
        "{steps} steps, {} releases, {} passages, {} fire inputs",
        counts.releases.get(),
        counts.passages.get(),
        counts.fires.get()
    );
    assert!(steps >= u64::from(cases) * STEPS as u64);
    if cases >= 200 {
        assert!(
            steps >= 100_000,
            "the issue asks for at least 100,000 steps"
        );
    }
    // The run must exercise the rules, not only refusals.
    assert!(
        counts.releases.get() * 100 >= steps,
        "too few releases: {}",
        counts.releases.get()
    );
    assert!(
        counts.passages.get() * 1_000 >= steps,
        "too few passages: {}",
        counts.passages.get()
    );
}
