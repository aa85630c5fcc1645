//! Property test of the whole gate: random scans, exit buttons, doors, fire and link faults.
//!
//! Besides the interlock oracle ([`crate::testing::Shadow`]) it checks the vestibule rules from the outputs only:
//! - an entry release is given only while nobody is (or may be) in the vestibule and no other entry is pending;
//! - an exit release on a scan is given only to the one identified candidate inside;
//! - "admitted" only follows an exit grant to the same candidate, given while they were alone inside (A in, B out);
//! - exit buttons only release doors that lead out.
//!
//! `GATE_PROP_CASES` scales it as for the interlock (default 100 sequences of 300 steps).

use std::cell::Cell;

use proptest::prelude::*;
use proptest::test_runner::{Config as PropConfig, TestRunner};

use super::*;
use crate::testing::Shadow;

const STEPS: usize = 300;
const PEOPLE: [&str; 3] = ["zhang", "li", "zhao"];

#[derive(Debug, Clone)]
enum Action {
    Input(Input),
    Entry(usize),
    Exit(usize),
    /// The candidate inside (if any) asks to leave by B.
    ExitInside,
    OpenReleased,
    Clear,
}

fn action() -> impl Strategy<Value = Action> {
    let d = || prop_oneof![Just(DoorId::A), Just(DoorId::B)];
    let side = prop_oneof![Just(Side::Vestibule), Just(Side::Outer)];
    prop_oneof![
        30 => Just(Action::Input(Input::Tick)),
        50 => d().prop_map(|door| Action::Input(Input::Contact { door, closed: true })),
        3 => d().prop_map(|door| Action::Input(Input::Contact { door, closed: false })),
        40 => (0..PEOPLE.len()).prop_map(Action::Entry),
        10 => (0..PEOPLE.len()).prop_map(Action::Exit),
        30 => Just(Action::ExitInside),
        40 => Just(Action::OpenReleased),
        8 => (d(), side).prop_map(|(door, side)| Action::Input(Input::ExitButton { door, side })),
        6 => Just(Action::Clear),
        1 => Just(Action::Input(Input::Fire { active: true })),
        4 => Just(Action::Input(Input::Fire { active: false })),
        4 => Just(Action::Input(Input::ExaminerReset)),
        1 => Just(Action::Input(Input::CommsLost)),
        6 => Just(Action::Input(Input::CommsRestored)),
    ]
}

/// The vestibule as the notices describe it.
#[derive(Debug, Default)]
struct Oracle {
    inside: Vec<CandidateId>,
    unidentified: bool,
    pending_entry: bool,
    /// Exit grants given (to someone who was then alone inside), not yet used.
    exit_granted: Vec<CandidateId>,
}

fn run(steps: &[(u64, Action)], admitted: &Cell<u64>) -> Result<(), TestCaseError> {
    let cfg = MantrapConfig::default();
    let mut gate = Mantrap::new(cfg.clone()).unwrap();
    let mut shadow = Shadow::new(&cfg.interlock);
    let mut v = Oracle::default();
    let people: Vec<CandidateId> = PEOPLE.iter().map(|p| p.parse().unwrap()).collect();
    let examiner: ExaminerId = "wang".parse().unwrap();
    let mut now = MonoMs(0);
    for (dt, action) in steps {
        now = MonoMs(now.0 + dt);
        let outputs = match action {
            Action::Input(input) => {
                shadow.input(*input);
                gate.handle(now, *input).unwrap()
            }
            Action::OpenReleased => {
                let input = match (0..2).find(|&i| shadow.active(i, now)) {
                    Some(i) => Input::Contact {
                        door: DoorId(i as u8),
                        closed: false,
                    },
                    None => Input::Tick,
                };
                shadow.input(input);
                gate.handle(now, input).unwrap()
            }
            Action::Entry(i) => gate.request_entry(now, &people[*i]).unwrap(),
            Action::Exit(i) => gate.request_exit(now, &people[*i]).unwrap(),
            Action::ExitInside => match gate.inside().cloned() {
                Some(c) => gate.request_exit(now, &c).unwrap(),
                None => gate.handle(now, Input::Tick).unwrap(),
            },
            Action::Clear => gate.examiner_clear(now, examiner.clone()).unwrap(),
        };
        for out in &outputs {
            shadow.output(now, out)?;
            match out {
                Output::Command(Command::Release { door, .. }) => match action {
                    Action::Entry(i) => {
                        prop_assert_eq!(*door, DoorId::A);
                        prop_assert!(
                            v.inside.is_empty() && !v.unidentified,
                            "entry while occupied: {:?}",
                            v
                        );
                        prop_assert!(!v.pending_entry, "entry while another entry is pending");
                        prop_assert!(!v.inside.contains(&people[*i]));
                        v.pending_entry = true;
                    }
                    Action::Exit(_) | Action::ExitInside => {
                        prop_assert_eq!(*door, DoorId::B);
                        prop_assert_eq!(
                            v.inside.len(),
                            1,
                            "exit while not exactly one candidate inside"
                        );
                        if let Action::Exit(i) = action {
                            prop_assert_eq!(
                                &v.inside[0],
                                &people[*i],
                                "exit for someone not inside"
                            );
                        }
                        prop_assert!(!v.unidentified, "exit while someone unidentified is inside");
                        v.exit_granted.push(v.inside[0].clone());
                    }
                    Action::Input(Input::ExitButton { door: d, side }) => {
                        prop_assert_eq!(d, door);
                        let outward = (*d == DoorId::A) == (*side == Side::Vestibule);
                        prop_assert!(outward, "inward exit button released {}", d);
                    }
                    other => prop_assert!(false, "release on {:?}", other),
                },
                Output::Notice(Notice::Entered { candidate }) => {
                    prop_assert!(!v.inside.contains(candidate));
                    v.inside.push(candidate.clone());
                    v.pending_entry = false;
                }
                Output::Notice(Notice::Admitted { candidate }) => {
                    // An examiner may clear the record while the candidate walks through B on their grant.
                    let granted = v.exit_granted.iter().position(|c| c == candidate);
                    prop_assert!(
                        granted.is_some(),
                        "admitted {} with no exit grant",
                        candidate
                    );
                    v.exit_granted.remove(granted.unwrap_or_default());
                    v.inside.retain(|c| c != candidate);
                    admitted.set(admitted.get() + 1);
                }
                Output::Notice(Notice::BackedOut { candidate }) => {
                    v.inside.retain(|c| c != candidate)
                }
                Output::Notice(Notice::Passed {
                    door: DoorId::A,
                    grant: Grant::ExitButton(_),
                    ..
                }) => {
                    v.inside.clear();
                    v.unidentified = false;
                }
                Output::Notice(Notice::Passed { cycle: 2.., .. })
                | Output::Notice(Notice::Passed {
                    door: DoorId::B,
                    grant: Grant::ExitButton(_),
                    ..
                })
                | Output::Alarm(Alarm::ForcedOpen { .. }) => v.unidentified = true,
                Output::Alarm(Alarm::FireOverride) => {
                    v.unidentified = true;
                    v.pending_entry = false;
                }
                Output::Notice(Notice::GrantExpired {
                    door: DoorId::A,
                    grant: Grant::Credential(_),
                }) => {
                    v.pending_entry = false;
                }
                Output::Notice(Notice::VestibuleCleared { .. }) => {
                    v.inside.clear();
                    v.unidentified = false;
                }
                _ => {}
            }
        }
        shadow.invariants(now)?;
    }
    Ok(())
}

#[test]
fn gate_keeps_one_person_at_a_time_and_anti_passback() {
    let cases = std::env::var("GATE_PROP_CASES")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .map_or(100, |c| c / 2);
    let mut runner = TestRunner::new(PropConfig {
        cases,
        failure_persistence: None,
        ..PropConfig::default()
    });
    let admitted = Cell::new(0);
    let strategy = prop::collection::vec(
        (
            prop_oneof![8 => 0u64..1_500, 1 => 1_500u64..20_000],
            action(),
        ),
        STEPS,
    );
    if let Err(e) = runner.run(&strategy, |steps| run(&steps, &admitted)) {
        panic!("{e}");
    }
    let admitted = admitted.get();
    println!("{admitted} admissions");
    assert!(
        admitted * 2 >= u64::from(cases),
        "too few admissions to exercise the gate: {admitted}"
    );
}
