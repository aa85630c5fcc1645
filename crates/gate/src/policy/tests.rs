//! One test per entry-policy rule, named for the rule (see RULES.md).

use super::*;
use crate::error::{InvalidTransition, NotOnRoster};
use crate::ids::{CandidateId, DoorId, ExaminerId, MonoMs};
use crate::io::{Input, Notice, Output};
use crate::mantrap::{Mantrap, MantrapConfig};

fn cand(s: &str) -> CandidateId {
    s.parse().unwrap()
}

fn examiner() -> ExaminerId {
    "wang".parse().unwrap()
}

/// Threshold 40 (SourceAFIS' documented default, used here as a stand-in for the FMR 1/10,000 figure).
fn policy() -> EntryPolicy {
    EntryPolicy::new(MatchThreshold::new(MatchScore(40.0)))
}

fn roster() -> Roster {
    Roster::new([cand("zhang"), cand("li"), cand("zhao")])
}

fn scan(claimed: f32, hits: &[(&str, f32)]) -> ScanResult {
    ScanResult {
        claimed: Some(MatchScore(claimed)),
        roster_hits: hits
            .iter()
            .map(|(c, s)| (cand(c), MatchScore(*s)))
            .collect(),
    }
}

#[test]
fn admit_when_the_claimed_candidate_matches_one_to_one_at_the_threshold() {
    let mut a = roster().begin(&cand("zhang")).unwrap();
    let d = a
        .scan(&policy(), scan(40.0, &[("zhang", 40.0), ("li", 12.0)]))
        .unwrap();
    assert_eq!(
        d,
        Decision::Admit(Admission::Scan {
            score: MatchScore(40.0)
        })
    );
}

#[test]
fn claim_not_on_the_roster_is_refused() {
    assert_eq!(
        roster().begin(&cand("qian")).unwrap_err(),
        NotOnRoster(cand("qian"))
    );
}

#[test]
fn stand_in_alarm_when_the_finger_matches_another_roster_candidate() {
    let mut a = roster().begin(&cand("zhang")).unwrap();
    let d = a.scan(&policy(), scan(10.0, &[("li", 75.0)])).unwrap();
    assert_eq!(
        d,
        Decision::StandInAlarm {
            matched_other: cand("li")
        }
    );
    // No more scans: an examiner must decide.
    assert!(a.scan(&policy(), scan(90.0, &[])).is_err());
}

#[test]
fn stand_in_alarm_when_another_candidate_outscores_the_claim() {
    let mut a = roster().begin(&cand("zhang")).unwrap();
    let d = a
        .scan(&policy(), scan(45.0, &[("zhang", 45.0), ("li", 80.0)]))
        .unwrap();
    assert_eq!(
        d,
        Decision::StandInAlarm {
            matched_other: cand("li")
        }
    );
}

#[test]
fn weaker_hit_on_another_candidate_does_not_block_a_genuine_match() {
    let mut a = roster().begin(&cand("zhang")).unwrap();
    let d = a.scan(&policy(), scan(90.0, &[("li", 41.0)])).unwrap();
    assert_eq!(
        d,
        Decision::Admit(Admission::Scan {
            score: MatchScore(90.0)
        })
    );
}

#[test]
fn three_tries_then_an_examiner_override() {
    let mut a = roster().begin(&cand("zhang")).unwrap();
    assert_eq!(
        a.scan(&policy(), scan(39.9, &[])).unwrap(),
        Decision::Retry { tries_left: 2 }
    );
    // A scan with no usable template uses a try too.
    assert_eq!(
        a.scan(&policy(), ScanResult::default()).unwrap(),
        Decision::Retry { tries_left: 1 }
    );
    assert_eq!(
        a.scan(&policy(), scan(5.0, &[])).unwrap(),
        Decision::NeedsExaminerOverride
    );
    assert_eq!(a.state(), &AttemptState::AwaitingOverride);
    assert_eq!(
        a.scan(&policy(), scan(99.0, &[])),
        Err(InvalidTransition {
            state: "awaiting-override",
            event: "a scan"
        })
    );
}

#[test]
fn examiner_override_needs_the_examiners_own_finger() {
    let mut a = roster().begin(&cand("zhang")).unwrap();
    for _ in 0..3 {
        a.scan(&policy(), scan(0.0, &[])).unwrap();
    }
    let weak = ExaminerOverride {
        examiner: examiner(),
        examiner_score: MatchScore(20.0),
        admit: true,
    };
    assert_eq!(
        a.examiner_override(&policy(), weak).unwrap(),
        Decision::OverrideRejected
    );
    assert_eq!(a.state(), &AttemptState::AwaitingOverride);
    let good = ExaminerOverride {
        examiner: examiner(),
        examiner_score: MatchScore(70.0),
        admit: true,
    };
    let logged = Admission::Override {
        examiner: examiner(),
        examiner_score: MatchScore(70.0),
    };
    assert_eq!(
        a.examiner_override(&policy(), good).unwrap(),
        Decision::Admit(logged)
    );
}

#[test]
fn examiner_can_refuse_after_a_stand_in_alarm() {
    let mut a = roster().begin(&cand("zhang")).unwrap();
    a.scan(&policy(), scan(0.0, &[("li", 80.0)])).unwrap();
    let no = ExaminerOverride {
        examiner: examiner(),
        examiner_score: MatchScore(70.0),
        admit: false,
    };
    assert_eq!(
        a.examiner_override(&policy(), no).unwrap(),
        Decision::Refuse {
            examiner: examiner()
        }
    );
    let again = ExaminerOverride {
        examiner: examiner(),
        examiner_score: MatchScore(70.0),
        admit: true,
    };
    assert!(
        a.examiner_override(&policy(), again).is_err(),
        "a refusal is final"
    );
}

#[test]
fn examiner_override_not_accepted_while_tries_are_left() {
    let mut a = roster().begin(&cand("zhang")).unwrap();
    let o = ExaminerOverride {
        examiner: examiner(),
        examiner_score: MatchScore(70.0),
        admit: true,
    };
    assert_eq!(
        a.examiner_override(&policy(), o),
        Err(InvalidTransition {
            state: "scanning",
            event: "an examiner override"
        })
    );
}

#[test]
fn door_b_scan_must_match_the_same_person_as_door_a_and_admission_assigns_a_seat() {
    let (zhang, li) = (cand("zhang"), cand("li"));
    let mut gate = Mantrap::new(MantrapConfig::default()).unwrap();
    for door in [DoorId::A, DoorId::B] {
        gate.handle(MonoMs(0), Input::Contact { door, closed: true })
            .unwrap();
    }
    // Door A.
    let mut at_a = roster().begin(&zhang).unwrap();
    assert!(matches!(
        at_a.scan(&policy(), scan(88.0, &[])).unwrap(),
        Decision::Admit(_)
    ));
    gate.request_entry(MonoMs(0), &zhang).unwrap();
    gate.handle(
        MonoMs(500),
        Input::Contact {
            door: DoorId::A,
            closed: false,
        },
    )
    .unwrap();
    gate.handle(
        MonoMs(1_000),
        Input::Contact {
            door: DoorId::A,
            closed: true,
        },
    )
    .unwrap();
    // Door B: the claim is whoever entered at A. A different finger (li's) is a stand-in.
    let inside = gate.inside().unwrap().clone();
    let mut swapped = EntryAttempt::new(inside.clone());
    let d = swapped.scan(&policy(), scan(3.0, &[("li", 77.0)])).unwrap();
    assert_eq!(d, Decision::StandInAlarm { matched_other: li });
    // The same person passes.
    let mut at_b = EntryAttempt::new(inside.clone());
    assert!(matches!(
        at_b.scan(&policy(), scan(91.0, &[])).unwrap(),
        Decision::Admit(_)
    ));
    gate.request_exit(MonoMs(2_000), &inside).unwrap();
    gate.handle(
        MonoMs(2_500),
        Input::Contact {
            door: DoorId::B,
            closed: false,
        },
    )
    .unwrap();
    let out = gate
        .handle(
            MonoMs(3_000),
            Input::Contact {
                door: DoorId::B,
                closed: true,
            },
        )
        .unwrap();
    let admitted = out.iter().find_map(|o| match o {
        Output::Notice(Notice::Admitted { candidate }) => Some(candidate.clone()),
        _ => None,
    });
    assert_eq!(admitted, Some(zhang.clone()));
    let mut seats = SeatPlan::new(vec!["h1-001".parse().unwrap()], vec![]).unwrap();
    assert_eq!(seats.assign(&zhang).unwrap().as_str(), "h1-001");
}
