//! Identity at the car: the candidate's and the examiner's fingers.

use examd::driving::car;

use super::{drives, lines_of, rig, start_of};

/// Identity at the car: a session starts only when the candidate's finger matches 1:1, ranks first
/// 1:N over the sitting's roster, and the examiner's finger matches; a start without fingers or
/// for an unknown sitting is refused too; the check is logged either way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fingers_at_the_car_admit_the_candidate_or_refuse_the_session() {
    use examd::gate::synth::iso_impression;
    use examd::identity::roster::{CandidateV1, ExaminerV1, RosterV1};
    let (t, base, token) = rig().await;
    let roster = RosterV1 {
        sitting: "2026-11-29-s2".into(),
        candidates: (1..=4)
            .map(|f| CandidateV1 {
                id: format!("c{f}"),
                name: format!("考生{f}"),
                seat: None,
                subject: Some("subject2".into()),
                templates: vec![hex::encode(iso_impression(f, 0))],
            })
            .collect(),
        examiners: vec![ExaminerV1 {
            name: "ex".into(),
            display_name: None,
            templates: vec![hex::encode(iso_impression(900, 0))],
        }],
    };
    t.site
        .identity
        .import_roster_v1(roster, "admin")
        .await
        .unwrap();
    let (_, dir, e) = drives().into_iter().find(|d| d.0 == "s2-manual").unwrap();
    let lines = lines_of(&dir);
    let with = |cand: &str, cf: u64, ef: u64| {
        let mut s = start_of(&e, "X");
        s.candidate = cand.into();
        s.identity = Some((
            "2026-11-29-s2".into(),
            iso_impression(cf, 2),
            iso_impression(ef, 3),
        ));
        s
    };
    // The right fingers: the session runs, and the identity event comes before its start.
    let o = car::drive(
        &base,
        "car-01",
        &token,
        &with("c3", 3, 900),
        &lines,
        50,
        None,
    )
    .await
    .unwrap();
    assert_eq!(o.verdict, e.verdict);
    // Someone else's finger, and a stranger's examiner finger: refused, with the reason, and logged.
    let err = car::drive(
        &base,
        "car-01",
        &token,
        &with("c3", 4, 900),
        &lines,
        50,
        None,
    )
    .await
    .unwrap_err();
    assert!(
        format!("{err:#}").contains("identity not confirmed"),
        "{err:#}"
    );
    let err = car::drive(&base, "car-01", &token, &with("c3", 3, 3), &lines, 50, None)
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("examiner"), "{err:#}");
    // No fingers at all, or a sitting the registry does not know: refused, named, logged.
    let mut none = start_of(&e, "X");
    none.identity = None;
    let err = car::drive(&base, "car-01", &token, &none, &lines, 50, None)
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("no identity field"), "{err:#}");
    let mut stranger_sitting = with("c3", 3, 900);
    stranger_sitting.identity.as_mut().unwrap().0 = "no-such-sitting".into();
    let err = car::drive(&base, "car-01", &token, &stranger_sitting, &lines, 50, None)
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("no-such-sitting"), "{err:#}");
    let rows = t
        .site
        .store
        .events_desc(None, Some(model::EventKind::DrivingIdentity.code()), 10)
        .await
        .unwrap();
    let passed: Vec<bool> = rows
        .iter()
        .rev()
        .map(|r| {
            let ev = audit::decode(&r.bytes).unwrap();
            serde_json::from_slice::<serde_json::Value>(&ev.payload).unwrap()["passed"]
                .as_bool()
                .unwrap()
        })
        .collect();
    assert_eq!(passed, [true, false, false, false, false]);
    let sessions = t.site.store.kind_counts().await.unwrap();
    let started = sessions
        .iter()
        .find(|(k, _)| *k == model::EventKind::DrivingSessionStarted.code())
        .map(|x| x.1);
    assert_eq!(started, Some(1), "refused sessions never start");
}
