//! One test per interlock rule, named for the rule (see RULES.md).

use super::*;
use crate::config::{DoorConfig, LockFeedback};
use crate::io::{Side, TailgatingSign};

const A: DoorId = DoorId::A;
const B: DoorId = DoorId::B;

fn t(ms: u64) -> MonoMs {
    MonoMs(ms)
}

/// Two doors, both read closed at t=0.
fn ready(cfg: Config) -> Interlock {
    let mut l = Interlock::new(cfg).unwrap();
    l.handle(
        t(0),
        Input::Contact {
            door: A,
            closed: true,
        },
    )
    .unwrap();
    l.handle(
        t(0),
        Input::Contact {
            door: B,
            closed: true,
        },
    )
    .unwrap();
    l
}

fn two() -> Interlock {
    ready(Config::two_doors())
}

fn release(door: DoorId) -> Output {
    Output::Command(Command::Release {
        door,
        pulse_ms: 5_000,
    })
}

fn relock(door: DoorId) -> Output {
    Output::Command(Command::Relock { door })
}

fn contact(l: &mut Interlock, ms: u64, door: DoorId, closed: bool) -> Vec<Output> {
    l.handle(t(ms), Input::Contact { door, closed }).unwrap()
}

fn denied(out: &[Output]) -> Option<DenyReason> {
    out.iter().find_map(|o| match o {
        Output::Denied { reason, .. } => Some(*reason),
        _ => None,
    })
}

#[test]
fn release_when_every_other_door_is_closed_and_locked() {
    let mut l = two();
    assert_eq!(
        l.request_release(t(10), A, GrantId(1)).unwrap(),
        vec![release(A)]
    );
    assert_eq!(l.door_state(A).unwrap(), DoorState::ClosedUnlocked);
    assert_eq!(l.door_state(B).unwrap(), DoorState::ClosedLocked);
}

#[test]
fn release_refused_while_another_door_is_open_by_contact() {
    let mut l = two();
    l.request_release(t(0), B, GrantId(1)).unwrap();
    contact(&mut l, 100, B, false);
    // B's pulse is still running too; wait until it ended so only the contact blocks.
    l.handle(t(6_000), Input::Tick).unwrap();
    assert!(!l.release_active(B).unwrap());
    let out = l.request_release(t(6_000), A, GrantId(2)).unwrap();
    assert_eq!(denied(&out), Some(DenyReason::OtherDoorOpen { door: B }));
}

#[test]
fn release_refused_while_another_door_is_released_even_if_closed() {
    let mut l = two();
    l.request_release(t(0), A, GrantId(1)).unwrap();
    let out = l.request_release(t(100), B, GrantId(2)).unwrap();
    assert_eq!(
        denied(&out),
        Some(DenyReason::OtherDoorReleased { door: A })
    );
}

#[test]
fn release_refused_while_another_doors_lock_sensor_reads_unlocked() {
    let cfg = Config {
        doors: vec![
            DoorConfig {
                lock_feedback: LockFeedback::Sensor
            };
            2
        ],
        ..Config::two_doors()
    };
    let mut l = ready(cfg);
    // Lock sensors not read yet: unknown.
    let out = l.request_release(t(0), A, GrantId(1)).unwrap();
    assert_eq!(denied(&out), Some(DenyReason::StateUnknown { door: A }));
    l.handle(
        t(0),
        Input::Lock {
            door: A,
            locked: true,
        },
    )
    .unwrap();
    l.handle(
        t(0),
        Input::Lock {
            door: B,
            locked: false,
        },
    )
    .unwrap();
    let out = l.request_release(t(0), A, GrantId(1)).unwrap();
    assert_eq!(
        denied(&out),
        Some(DenyReason::OtherDoorUnlocked { door: B })
    );
    assert_eq!(l.door_state(B).unwrap(), DoorState::ClosedUnlocked);
    l.handle(
        t(0),
        Input::Lock {
            door: B,
            locked: true,
        },
    )
    .unwrap();
    assert_eq!(
        l.request_release(t(0), A, GrantId(1)).unwrap(),
        vec![release(A)]
    );
}

#[test]
fn release_refused_while_any_door_state_is_unknown() {
    let mut l = Interlock::new(Config::two_doors()).unwrap();
    assert_eq!(l.door_state(A).unwrap(), DoorState::Unknown);
    l.handle(
        t(0),
        Input::Contact {
            door: A,
            closed: true,
        },
    )
    .unwrap();
    let out = l.request_release(t(0), A, GrantId(1)).unwrap();
    assert_eq!(denied(&out), Some(DenyReason::StateUnknown { door: B }));
}

#[test]
fn release_refused_for_an_open_or_already_released_door() {
    let mut l = two();
    l.request_release(t(0), A, GrantId(1)).unwrap();
    let out = l.request_release(t(1), A, GrantId(2)).unwrap();
    assert_eq!(denied(&out), Some(DenyReason::AlreadyReleased));
    contact(&mut l, 2, A, false);
    let out = l.request_release(t(3), A, GrantId(3)).unwrap();
    assert_eq!(denied(&out), Some(DenyReason::DoorOpen));
}

#[test]
fn relock_on_close() {
    let mut l = two();
    l.request_release(t(0), A, GrantId(1)).unwrap();
    assert!(contact(&mut l, 1_000, A, false).is_empty());
    assert_eq!(l.door_state(A).unwrap(), DoorState::Open);
    let out = contact(&mut l, 2_000, A, true);
    let passed = Output::Notice(Notice::Passed {
        door: A,
        grant: Grant::Credential(GrantId(1)),
        cycle: 1,
    });
    assert_eq!(out, vec![passed, relock(A)]);
    assert!(!l.release_active(A).unwrap());
    assert_eq!(l.door_state(A).unwrap(), DoorState::ClosedLocked);
    // B may go now, long before A's pulse would have ended.
    assert_eq!(
        l.request_release(t(2_100), B, GrantId(2)).unwrap(),
        vec![release(B)]
    );
}

#[test]
fn relock_at_pulse_end_when_relock_on_close_is_off() {
    let mut l = ready(Config {
        relock_on_close: false,
        ..Config::two_doors()
    });
    l.request_release(t(0), A, GrantId(1)).unwrap();
    contact(&mut l, 1_000, A, false);
    let out = contact(&mut l, 2_000, A, true);
    assert!(!out.contains(&relock(A)));
    assert!(l.release_active(A).unwrap());
    assert_eq!(l.handle(t(5_000), Input::Tick).unwrap(), vec![relock(A)]);
    assert!(!l.release_active(A).unwrap());
}

#[test]
fn relock_at_pulse_end_while_the_door_stands_open() {
    let mut l = two();
    l.request_release(t(0), A, GrantId(1)).unwrap();
    contact(&mut l, 1_000, A, false);
    assert_eq!(l.handle(t(5_000), Input::Tick).unwrap(), vec![relock(A)]);
    assert!(!l.release_active(A).unwrap());
    // Closing later relocks nothing more and starts no new window.
    let out = contact(&mut l, 6_000, A, true);
    assert!(!out.contains(&relock(A)));
    assert_eq!(l.door_state(A).unwrap(), DoorState::ClosedLocked);
}

#[test]
fn unused_grant_expires_and_relocks_after_the_pulse() {
    let mut l = two();
    l.request_release(t(0), A, GrantId(1)).unwrap();
    assert!(l.handle(t(4_999), Input::Tick).unwrap().is_empty());
    let out = l.handle(t(5_000), Input::Tick).unwrap();
    let expired = Output::Notice(Notice::GrantExpired {
        door: A,
        grant: Grant::Credential(GrantId(1)),
    });
    assert_eq!(out, vec![expired, relock(A)]);
    assert_eq!(l.door_state(A).unwrap(), DoorState::ClosedLocked);
}

#[test]
fn held_open_alarm_after_the_threshold_and_cleared_on_close() {
    let mut l = two();
    l.request_release(t(0), A, GrantId(1)).unwrap();
    contact(&mut l, 1_000, A, false);
    assert!(
        !l.handle(t(15_999), Input::Tick)
            .unwrap()
            .contains(&Output::Alarm(Alarm::HeldOpen { door: A }))
    );
    assert_eq!(
        l.handle(t(16_000), Input::Tick).unwrap(),
        vec![Output::Alarm(Alarm::HeldOpen { door: A })]
    );
    assert_eq!(l.door_state(A).unwrap(), DoorState::HeldOpen);
    // Raised once only.
    assert!(l.handle(t(20_000), Input::Tick).unwrap().is_empty());
    // The other door stays blocked while A is held open.
    let out = l.request_release(t(20_000), B, GrantId(2)).unwrap();
    assert_eq!(denied(&out), Some(DenyReason::OtherDoorOpen { door: A }));
    let out = contact(&mut l, 21_000, A, true);
    assert_eq!(out[0], Output::AlarmCleared(Alarm::HeldOpen { door: A }));
}

#[test]
fn forced_open_alarm_when_a_door_opens_without_a_release() {
    let mut l = two();
    assert_eq!(
        contact(&mut l, 100, B, false),
        vec![Output::Alarm(Alarm::ForcedOpen { door: B })]
    );
    assert_eq!(l.door_state(B).unwrap(), DoorState::ForcedOpen);
    let out = l.request_release(t(200), A, GrantId(1)).unwrap();
    assert_eq!(denied(&out), Some(DenyReason::OtherDoorOpen { door: B }));
    assert_eq!(
        contact(&mut l, 300, B, true),
        vec![Output::AlarmCleared(Alarm::ForcedOpen { door: B })]
    );
    assert_eq!(l.door_state(B).unwrap(), DoorState::ClosedLocked);
}

#[test]
fn forced_open_alarm_when_a_door_is_found_open_at_start() {
    let mut l = Interlock::new(Config::two_doors()).unwrap();
    let out = l
        .handle(
            t(0),
            Input::Contact {
                door: A,
                closed: false,
            },
        )
        .unwrap();
    assert_eq!(out, vec![Output::Alarm(Alarm::ForcedOpen { door: A })]);
}

#[test]
fn tailgating_when_a_door_cycles_twice_on_one_grant() {
    for relock_on_close in [true, false] {
        let mut l = ready(Config {
            relock_on_close,
            ..Config::two_doors()
        });
        l.request_release(t(0), A, GrantId(7)).unwrap();
        contact(&mut l, 500, A, false);
        contact(&mut l, 1_500, A, true);
        let out = contact(&mut l, 2_000, A, false);
        let grant = Grant::Credential(GrantId(7));
        let sign = TailgatingSign::DoorCycledTwice { grant };
        assert_eq!(
            out,
            vec![Output::Alarm(Alarm::Tailgating { door: A, sign })],
            "relock_on_close={relock_on_close}"
        );
        let out = contact(&mut l, 2_500, A, true);
        assert!(out.contains(&Output::Notice(Notice::Passed {
            door: A,
            grant,
            cycle: 2
        })));
    }
}

#[test]
fn forced_open_not_tailgating_when_reopened_after_the_grant_window() {
    let mut l = two();
    l.request_release(t(0), A, GrantId(7)).unwrap();
    contact(&mut l, 500, A, false);
    contact(&mut l, 1_500, A, true);
    l.handle(t(5_000), Input::Tick).unwrap();
    assert_eq!(
        contact(&mut l, 5_001, A, false),
        vec![Output::Alarm(Alarm::ForcedOpen { door: A })]
    );
}

#[test]
fn fire_releases_every_door_and_overrides_the_interlock() {
    let mut l = two();
    l.request_release(t(0), A, GrantId(1)).unwrap();
    contact(&mut l, 100, A, false);
    let out = l.handle(t(200), Input::Fire { active: true }).unwrap();
    assert_eq!(
        out,
        vec![
            Output::Alarm(Alarm::FireOverride),
            Output::Command(Command::HoldReleased { door: A }),
            Output::Command(Command::HoldReleased { door: B }),
        ]
    );
    assert!(l.release_active(A).unwrap() && l.release_active(B).unwrap());
    assert_eq!(l.door_state(B).unwrap(), DoorState::FireReleased);
    // Doors may open freely: no forced-open or held-open alarms, no pulse ends.
    assert!(contact(&mut l, 300, B, false).is_empty());
    assert!(l.handle(t(60_000), Input::Tick).unwrap().is_empty());
    let out = l.request_release(t(60_000), A, GrantId(2)).unwrap();
    assert_eq!(denied(&out), Some(DenyReason::FireOverride));
}

#[test]
fn fire_override_holds_until_the_input_clears_and_an_examiner_resets() {
    let mut l = two();
    l.handle(t(0), Input::Fire { active: true }).unwrap();
    let refused = |reason| vec![Output::Notice(Notice::ResetRefused { reason })];
    assert_eq!(
        l.handle(t(1), Input::ExaminerReset).unwrap(),
        refused(ResetRefusal::FireInputActive)
    );
    assert_eq!(
        l.handle(t(2), Input::Fire { active: false }).unwrap(),
        vec![Output::Notice(Notice::FireInputCleared)]
    );
    // Cleared but not reset: still held released.
    assert!(l.fire_override());
    assert!(l.release_active(A).unwrap() && l.release_active(B).unwrap());
    contact(&mut l, 3, B, false);
    let out = l.handle(t(4), Input::ExaminerReset).unwrap();
    assert_eq!(
        out,
        vec![
            Output::AlarmCleared(Alarm::FireOverride),
            Output::Notice(Notice::FireReset),
            relock(A),
            relock(B)
        ]
    );
    assert!(!l.fire_override());
    // B was still open at reset: it must close within the held-open time.
    assert_eq!(l.door_state(B).unwrap(), DoorState::Open);
    assert_eq!(
        l.handle(t(15_004), Input::Tick).unwrap(),
        vec![Output::Alarm(Alarm::HeldOpen { door: B })]
    );
    assert_eq!(
        l.handle(t(15_005), Input::ExaminerReset).unwrap(),
        refused(ResetRefusal::NoOverride)
    );
}

#[test]
fn comms_loss_denies_releases_until_inputs_are_read_again() {
    let mut l = two();
    assert_eq!(
        l.handle(t(0), Input::CommsLost).unwrap(),
        vec![Output::Alarm(Alarm::CommsLost)]
    );
    assert_eq!(l.door_state(A).unwrap(), DoorState::Unknown);
    let out = l.request_release(t(1), A, GrantId(1)).unwrap();
    assert_eq!(denied(&out), Some(DenyReason::CommsLost));
    let out = l.handle(t(2), Input::CommsRestored).unwrap();
    assert_eq!(
        out,
        vec![Output::AlarmCleared(Alarm::CommsLost), relock(A), relock(B)]
    );
    let out = l.request_release(t(3), A, GrantId(1)).unwrap();
    assert_eq!(denied(&out), Some(DenyReason::StateUnknown { door: A }));
    contact(&mut l, 4, A, true);
    contact(&mut l, 4, B, true);
    assert_eq!(
        l.request_release(t(5), A, GrantId(1)).unwrap(),
        vec![release(A)]
    );
}

#[test]
fn comms_loss_keeps_a_running_pulse_counted_until_it_ends() {
    let mut l = two();
    l.request_release(t(0), A, GrantId(1)).unwrap();
    l.handle(t(10), Input::CommsLost).unwrap();
    l.handle(t(20), Input::CommsRestored).unwrap();
    contact(&mut l, 30, A, true);
    contact(&mut l, 30, B, true);
    let out = l.request_release(t(40), B, GrantId(2)).unwrap();
    assert_eq!(
        denied(&out),
        Some(DenyReason::OtherDoorReleased { door: A })
    );
}

#[test]
fn exit_button_releases_its_own_door() {
    let mut l = two();
    let out = l
        .handle(
            t(0),
            Input::ExitButton {
                door: A,
                side: Side::Vestibule,
            },
        )
        .unwrap();
    assert_eq!(out, vec![release(A)]);
    contact(&mut l, 100, A, false);
    let out = contact(&mut l, 200, A, true);
    let grant = Grant::ExitButton(Side::Vestibule);
    assert!(out.contains(&Output::Notice(Notice::Passed {
        door: A,
        grant,
        cycle: 1
    })));
}

#[test]
fn exit_button_obeys_the_interlock() {
    let mut l = two();
    l.request_release(t(0), B, GrantId(1)).unwrap();
    let out = l
        .handle(
            t(10),
            Input::ExitButton {
                door: A,
                side: Side::Vestibule,
            },
        )
        .unwrap();
    let grant = Grant::ExitButton(Side::Vestibule);
    assert_eq!(
        out,
        vec![Output::Denied {
            door: A,
            grant,
            reason: DenyReason::OtherDoorReleased { door: B }
        }]
    );
}

#[test]
fn tamper_raises_an_alarm() {
    let mut l = two();
    assert_eq!(
        l.handle(t(0), Input::Tamper { door: B }).unwrap(),
        vec![Output::Alarm(Alarm::Tamper { door: B })]
    );
}

#[test]
fn misuse_is_an_error_and_changes_nothing() {
    let mut l = two();
    l.request_release(t(100), A, GrantId(1)).unwrap();
    assert_eq!(
        l.handle(t(100), Input::Tamper { door: DoorId(2) }),
        Err(GateError::UnknownDoor(DoorId(2)))
    );
    assert_eq!(
        l.handle(t(99), Input::Tick),
        Err(GateError::TimeWentBackwards {
            last: t(100),
            now: t(99)
        })
    );
    // A late unknown-door call did not let time pass either.
    assert!(l.request_release(t(6_000), DoorId(9), GrantId(2)).is_err());
    assert!(l.release_active(A).unwrap());
}

#[test]
fn startup_relocks_every_door() {
    let l = Interlock::new(Config::two_doors()).unwrap();
    assert_eq!(l.startup_commands(), vec![relock(A), relock(B)]);
}

#[test]
fn interlock_is_generic_over_more_doors() {
    let cfg = Config {
        doors: vec![DoorConfig::default(); 3],
        ..Config::two_doors()
    };
    let mut l = Interlock::new(cfg).unwrap();
    for door in l.doors().collect::<Vec<_>>() {
        contact(&mut l, 0, door, true);
    }
    contact(&mut l, 0, DoorId(2), false);
    let out = l.request_release(t(1), A, GrantId(1)).unwrap();
    assert_eq!(
        denied(&out),
        Some(DenyReason::OtherDoorOpen { door: DoorId(2) })
    );
}

#[test]
fn reassert_relocks_idle_doors_and_leaves_running_pulses_alone() {
    let mut l = two();
    l.request_release(t(0), A, GrantId(1)).unwrap();
    assert_eq!(l.reassert_commands(), vec![relock(B)]);
    l.handle(t(1), Input::Fire { active: true }).unwrap();
    let hold = |door| Output::Command(Command::HoldReleased { door });
    assert_eq!(l.reassert_commands(), vec![hold(A), hold(B)]);
}
