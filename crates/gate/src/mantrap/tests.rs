//! One test per vestibule rule, named for the rule (see RULES.md).

use super::*;

const A: DoorId = DoorId::A;
const B: DoorId = DoorId::B;

fn t(ms: u64) -> MonoMs {
    MonoMs(ms)
}

fn cand(s: &str) -> CandidateId {
    s.parse().unwrap()
}

fn ready() -> Mantrap {
    let mut g = Mantrap::new(MantrapConfig::default()).unwrap();
    g.handle(
        t(0),
        Input::Contact {
            door: A,
            closed: true,
        },
    )
    .unwrap();
    g.handle(
        t(0),
        Input::Contact {
            door: B,
            closed: true,
        },
    )
    .unwrap();
    g
}

/// Open and close `door` (starting at `ms`), returning the outputs of the close.
fn pass(g: &mut Mantrap, ms: u64, door: DoorId) -> Vec<Output> {
    g.handle(
        t(ms),
        Input::Contact {
            door,
            closed: false,
        },
    )
    .unwrap();
    g.handle(t(ms + 500), Input::Contact { door, closed: true })
        .unwrap()
}

fn denied(out: &[Output]) -> Option<DenyReason> {
    out.iter().find_map(|o| match o {
        Output::Denied { reason, .. } => Some(*reason),
        _ => None,
    })
}

fn released(out: &[Output], door: DoorId) -> bool {
    out.iter()
        .any(|o| matches!(o, Output::Command(Command::Release { door: d, .. }) if *d == door))
}

/// Candidate `c` enters at `ms`.
fn enter(g: &mut Mantrap, ms: u64, c: &CandidateId) {
    assert!(released(&g.request_entry(t(ms), c).unwrap(), A));
    let out = pass(g, ms + 100, A);
    assert!(out.contains(&Output::Notice(Notice::Entered {
        candidate: c.clone()
    })));
}

#[test]
fn in_by_a_then_out_by_b_admits_the_candidate() {
    let mut g = ready();
    let zhang = cand("zhang");
    enter(&mut g, 0, &zhang);
    assert_eq!(g.inside(), Some(&zhang));
    assert!(released(&g.request_exit(t(2_000), &zhang).unwrap(), B));
    let out = pass(&mut g, 2_100, B);
    assert!(out.contains(&Output::Notice(Notice::Admitted {
        candidate: zhang.clone()
    })));
    assert!(g.occupants().is_empty());
}

#[test]
fn anti_passback_refuses_entry_to_someone_already_inside() {
    let mut g = ready();
    let zhang = cand("zhang");
    enter(&mut g, 0, &zhang);
    let out = g.request_entry(t(2_000), &zhang).unwrap();
    assert_eq!(denied(&out), Some(DenyReason::Passback));
    assert!(out.contains(&Output::Alarm(Alarm::Passback {
        door: A,
        candidate: zhang
    })));
}

#[test]
fn anti_passback_refuses_exit_to_someone_who_did_not_enter() {
    let mut g = ready();
    let li = cand("li");
    let out = g.request_exit(t(0), &li).unwrap();
    assert_eq!(denied(&out), Some(DenyReason::Passback));
    assert!(out.contains(&Output::Alarm(Alarm::Passback {
        door: B,
        candidate: li
    })));
    assert!(!released(&out, B));
}

#[test]
fn tailgating_when_a_second_candidate_scans_while_the_vestibule_is_occupied() {
    let mut g = ready();
    let (zhang, li) = (cand("zhang"), cand("li"));
    // Granted but not passed yet counts as occupied.
    g.request_entry(t(0), &zhang).unwrap();
    let out = g.request_entry(t(100), &li).unwrap();
    assert_eq!(denied(&out), Some(DenyReason::VestibuleOccupied));
    let sign = TailgatingSign::ScanWhileOccupied {
        candidate: li.clone(),
    };
    assert!(out.contains(&Output::Alarm(Alarm::Tailgating {
        door: A,
        sign: sign.clone()
    })));
    pass(&mut g, 200, A);
    let out = g.request_entry(t(1_000), &li).unwrap();
    assert!(out.contains(&Output::Alarm(Alarm::Tailgating { door: A, sign })));
    // The same candidate scanning twice before passing is only told they hold a grant.
    let mut g = ready();
    g.request_entry(t(0), &zhang).unwrap();
    let out = g.request_entry(t(100), &zhang).unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(denied(&out), Some(DenyReason::AlreadyGranted));
}

#[test]
fn tailgating_when_a_door_cycles_twice_leaves_an_unidentified_occupant_until_an_examiner_clears() {
    let mut g = ready();
    let zhang = cand("zhang");
    enter(&mut g, 0, &zhang);
    // A opens again within the grant window: a second person.
    let out = pass(&mut g, 1_000, A);
    assert!(
        out.iter()
            .any(|o| matches!(o, Output::Notice(Notice::Passed { cycle: 2, .. })))
    );
    assert_eq!(
        g.occupants(),
        &[Occupant::Candidate(zhang.clone()), Occupant::Unidentified]
    );
    assert_eq!(g.inside(), None);
    let out = g.request_exit(t(6_000), &zhang).unwrap();
    assert_eq!(denied(&out), Some(DenyReason::VestibuleOccupied));
    let examiner: ExaminerId = "wang".parse().unwrap();
    let out = g.examiner_clear(t(7_000), examiner.clone()).unwrap();
    let removed = vec![Occupant::Candidate(zhang.clone()), Occupant::Unidentified];
    assert_eq!(
        out,
        vec![Output::Notice(Notice::VestibuleCleared {
            examiner,
            removed
        })]
    );
    assert!(g.occupants().is_empty());
}

#[test]
fn backing_out_through_a_by_the_exit_button_empties_the_vestibule() {
    let mut g = ready();
    let zhang = cand("zhang");
    enter(&mut g, 0, &zhang);
    let out = g
        .handle(
            t(6_000),
            Input::ExitButton {
                door: A,
                side: Side::Vestibule,
            },
        )
        .unwrap();
    assert!(released(&out, A));
    let out = pass(&mut g, 6_100, A);
    assert!(out.contains(&Output::Notice(Notice::BackedOut {
        candidate: zhang.clone()
    })));
    assert!(g.occupants().is_empty());
    // Out again, so in again is allowed.
    assert!(released(&g.request_entry(t(12_000), &zhang).unwrap(), A));
}

#[test]
fn exit_button_from_the_hall_lets_an_unidentified_person_into_the_vestibule() {
    let mut g = ready();
    let out = g
        .handle(
            t(0),
            Input::ExitButton {
                door: B,
                side: Side::Outer,
            },
        )
        .unwrap();
    assert!(released(&out, B));
    pass(&mut g, 100, B);
    assert_eq!(g.occupants(), &[Occupant::Unidentified]);
}

#[test]
fn exit_buttons_that_lead_inward_are_refused() {
    let mut g = ready();
    for (door, side) in [(A, Side::Outer), (B, Side::Vestibule)] {
        let out = g.handle(t(0), Input::ExitButton { door, side }).unwrap();
        assert_eq!(
            out,
            vec![Output::Denied {
                door,
                grant: Grant::ExitButton(side),
                reason: DenyReason::Passback
            }]
        );
    }
}

#[test]
fn forced_door_leaves_an_unidentified_occupant() {
    let mut g = ready();
    pass(&mut g, 0, B);
    assert_eq!(g.occupants(), &[Occupant::Unidentified]);
    let out = g.request_entry(t(1_000), &cand("li")).unwrap();
    assert_eq!(denied(&out), Some(DenyReason::VestibuleOccupied));
}

#[test]
fn fire_override_leaves_an_unidentified_occupant_and_drops_grants() {
    let mut g = ready();
    let zhang = cand("zhang");
    g.request_entry(t(0), &zhang).unwrap();
    g.handle(t(100), Input::Fire { active: true }).unwrap();
    assert_eq!(g.occupants(), &[Occupant::Unidentified]);
    g.handle(t(200), Input::Fire { active: false }).unwrap();
    g.handle(t(300), Input::ExaminerReset).unwrap();
    // The old grant is gone: passing A now is not an entry.
    let out = pass(&mut g, 400, A);
    assert!(
        !out.iter()
            .any(|o| matches!(o, Output::Notice(Notice::Entered { .. })))
    );
}

#[test]
fn expired_entry_grant_frees_the_vestibule() {
    let mut g = ready();
    g.request_entry(t(0), &cand("zhang")).unwrap();
    let out = g.request_entry(t(5_000), &cand("li")).unwrap();
    assert!(released(&out, A), "{out:?}");
}

#[test]
fn mantrap_doors_must_be_two_different_doors_of_the_interlock() {
    let cfg = MantrapConfig {
        exit: A,
        ..MantrapConfig::default()
    };
    assert_eq!(
        Mantrap::new(cfg).unwrap_err(),
        ConfigError::MantrapDoors { entry: A, exit: A }
    );
    let cfg = MantrapConfig {
        exit: DoorId(5),
        ..MantrapConfig::default()
    };
    assert!(Mantrap::new(cfg).is_err());
}
