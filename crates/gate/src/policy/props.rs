//! Property test of the entry policy over random scans and overrides.

use proptest::prelude::*;

use super::*;
use crate::ids::{CandidateId, ExaminerId};

const T: f32 = 40.0;
/// Whether a score reaches the threshold (NaN never does), written out independently of `MatchThreshold`.
fn reaches(s: f32) -> bool {
    s.partial_cmp(&T).is_some_and(|o| o.is_ge())
}

const PEOPLE: [&str; 4] = ["zhang", "li", "zhao", "qian"];

#[derive(Debug, Clone)]
enum Step {
    Scan(Option<f32>, Vec<(usize, f32)>),
    Override(f32, bool),
}

fn score() -> impl Strategy<Value = f32> {
    prop_oneof![0f32..100.0, Just(T), Just(f32::NAN)]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (prop::option::of(score()), prop::collection::vec((0..PEOPLE.len(), score()), 0..4))
            .prop_map(|(c, h)| Step::Scan(c, h)),
        1 => (score(), any::<bool>()).prop_map(|(s, admit)| Step::Override(s, admit)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn decisions_follow_the_threshold_the_tries_and_the_roster(steps in prop::collection::vec(step(), 1..12)) {
        let policy = EntryPolicy::new(MatchThreshold::new(MatchScore(T)));
        let people: Vec<CandidateId> = PEOPLE.iter().map(|p| p.parse().unwrap()).collect();
        let claim = &people[0];
        let examiner: ExaminerId = "wang".parse().unwrap();
        let mut attempt = EntryAttempt::new(claim.clone());
        let mut failed_scans = 0u8;
        for step in steps {
            let before = attempt.state().clone();
            match step {
                Step::Scan(claimed, hits) => {
                    let scan = ScanResult {
                        claimed: claimed.map(MatchScore),
                        roster_hits: hits.iter().map(|(i, s)| (people[*i].clone(), MatchScore(*s))).collect(),
                    };
                    let Ok(d) = attempt.scan(&policy, scan.clone()) else {
                        let scanning = matches!(before, AttemptState::Scanning { .. });
                        prop_assert!(!scanning, "a scan refused while scanning");
                        continue;
                    };
                    let own = claimed.unwrap_or(f32::NAN);
                    let best_other = hits.iter().filter(|(i, s)| *i != 0 && *s >= T).map(|(_, s)| *s).fold(f32::NAN, f32::max);
                    match d {
                        Decision::Admit(Admission::Scan { score }) => {
                            prop_assert!(score.0 >= T && own >= T);
                            prop_assert!(best_other.is_nan() || best_other <= own, "admitted over a better stand-in");
                        }
                        Decision::StandInAlarm { matched_other } => {
                            prop_assert!(&matched_other != claim);
                            prop_assert!(best_other >= T);
                            prop_assert!(!reaches(own) || best_other > own);
                        }
                        Decision::Retry { tries_left } => {
                            failed_scans += 1;
                            prop_assert!(!reaches(own) && best_other.is_nan());
                            prop_assert_eq!(tries_left, policy.max_tries - failed_scans);
                        }
                        Decision::NeedsExaminerOverride => {
                            failed_scans += 1;
                            prop_assert_eq!(failed_scans, policy.max_tries);
                        }
                        other => prop_assert!(false, "scan gave {:?}", other),
                    }
                }
                Step::Override(s, admit) => {
                    let o = ExaminerOverride { examiner: examiner.clone(), examiner_score: MatchScore(s), admit };
                    let Ok(d) = attempt.examiner_override(&policy, o) else {
                        let waiting = matches!(before, AttemptState::StandIn { .. } | AttemptState::AwaitingOverride);
                        prop_assert!(!waiting, "an override refused while waiting for one");
                        continue;
                    };
                    match d {
                        Decision::OverrideRejected => prop_assert!(!reaches(s)),
                        Decision::Admit(Admission::Override { examiner_score, .. }) => {
                            prop_assert!(admit && examiner_score.0 >= T);
                        }
                        Decision::Refuse { .. } => prop_assert!(!admit && s >= T),
                        other => prop_assert!(false, "override gave {:?}", other),
                    }
                }
            }
        }
    }
}
