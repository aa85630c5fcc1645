//! The draw drives the day: the gate admits a drawn Subject 1 candidate and refuses an undrawn one,
//! a seat refuses a stand-in by the 1:N search over the drawn roster, and a car refuses a candidate
//! drawn to another car.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use examd::booking::draws;
use examd::booking::events::*;
use examd::driving::car::{self, Start};
use examd::gate::synth::{impression, iso_impression};

use super::{
    EXAMINERS, NOW, at, book, call, day_site, device, finger, gate_on, logged, person, scan,
    session, submit,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_draw_drives_the_gate_the_hall_and_the_cars() {
    let time = Arc::new(AtomicI64::new(NOW));
    let (_dir, st, router) = day_site(&time).await;
    let today = st.areas.booking.today();
    let tomorrow = today.plus_days(1);

    // Tomorrow's sessions, booked and drawn (Subject 1 first: the order no longer matters).
    let (s1, s2) = (format!("{tomorrow}-s1"), format!("{tomorrow}-s2"));
    submit(&st, session(&s1, "subject1", tomorrow, &[], &[], 2)).await;
    submit(
        &st,
        session(
            &s2,
            "subject2",
            tomorrow,
            &["ex", "ex2"],
            &["car-01", "car-02"],
            1,
        ),
    )
    .await;
    for i in 0..8 {
        book(&st, i, if i < 4 { &s1 } else { &s2 }, today).await;
    }
    for s in [&s1, &s2] {
        draws::commit(&st.areas.booking, s).await.unwrap();
        let drawn = draws::close(&st, s, "test").await.unwrap();
        assert_eq!(drawn.len(), 4, "{s}: {drawn:?}");
    }

    // The exam day: the gate admits a drawn Subject 1 candidate and refuses one drawn for Subject 2.
    time.store(at(tomorrow, 9, 0), Ordering::SeqCst);
    let (_pty, gate_token) = gate_on(&st).await;
    let undrawn = person(5).to_string();
    let (s, v) = call(&router, scan(&gate_token, &undrawn)).await;
    assert_eq!(
        (s, v["decision"].as_str()),
        (StatusCode::OK, Some("driving_only")),
        "{v}"
    );
    assert_eq!(v["released"], false, "{v}");
    assert_eq!(v["denied"]["reason"], "driving_only", "{v}");
    let learner = person(2).to_string();
    let (s, v) = call(&router, scan(&gate_token, &learner)).await;
    assert_eq!(
        (s, v["decision"].as_str()),
        (StatusCode::OK, Some("admit")),
        "{v}"
    );
    assert_eq!(v["released"], true, "{v}");

    // The hall seats drawn group 0 from the draw; a stand-in's finger is refused by 1:N, naming both.
    examd::theory::banks::import(
        &st.rt.data_dir,
        &crate::theory::fixture_bank(),
        &"synthetic".parse().unwrap(),
        "auto",
    )
    .await
    .unwrap();
    let sitting =
        examd::theory::api_open(&st, "ex", "subject1", "synthetic", 0, &impression(900, 4))
            .await
            .unwrap();
    let seats = ["seat-1".to_owned(), "seat-2".to_owned()];
    for s in &seats {
        device(&st, s).await;
    }
    let seated = draws::seat_group(&st, &s1, 0, &sitting, &seats)
        .await
        .unwrap();
    let group0: Vec<String> = draws::drawn(&st.areas.booking, &s1)
        .unwrap()
        .into_iter()
        .filter(|a| a.group == 0)
        .map(|a| a.candidate)
        .collect();
    assert_eq!(
        seated.iter().map(|x| x.1.clone()).collect::<Vec<_>>(),
        group0
    );
    let assigned = logged(&st, model::EventKind::TheorySeatAssigned).await;
    assert!(
        assigned.iter().all(|a| a["roster"] == s1.as_str()),
        "{assigned:?}"
    );
    let (seat, cand) = seated[0].clone();
    let other = seated[1].1.clone();
    let (s, v) = call(
        &router,
        Request::post("/api/v1/theory/seat/begin")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(format!(r#"{{"seat":"{seat}"}}"#)))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let v = examd::theory::seat_finger(&st, &seat, &impression(finger(&other), 5))
        .await
        .unwrap();
    assert_eq!(v["matched"], false, "{v}");
    assert_eq!(v["stand_in"]["matches"], other.as_str(), "{v}");
    let msg = v["message"].as_str().unwrap();
    assert!(
        msg.contains(&other) && msg.contains(&cand) && msg.contains("替考"),
        "{msg}"
    );
    let refused = logged(&st, model::EventKind::TheoryFingerRefused).await;
    let r = refused.last().unwrap();
    assert_eq!(
        (r["purpose"].as_str(), r["person"].as_str()),
        (Some("stand_in"), Some(cand.as_str()))
    );
    assert_eq!(r["best_match"], other.as_str());
    // The examiner is alerted at once, with both names.
    let alert = v["alert"].as_str().unwrap_or_default();
    assert!(alert.contains(&other) && alert.contains(&cand), "{v}");
    // The candidate's own finger logs in; the login carries the subject-start fields.
    let v = examd::theory::seat_finger(&st, &seat, &impression(finger(&cand), 6))
        .await
        .unwrap();
    assert_eq!(v["matched"], true, "{v}");
    let login = logged(&st, model::EventKind::TheoryCandidateLogin).await;
    let l = login.last().unwrap();
    assert_eq!(l["candidate"], cand.as_str());
    assert_eq!(l["best_match"], cand.as_str());
    assert_eq!(l["roster"], s1.as_str());
    assert_eq!(l["exam"], "subject1");
    assert_eq!(l["invigilator"], "ex");

    // The cars: a candidate the draw put in car-02 is refused at car-01; one drawn to car-01 starts.
    let car_token = device(&st, "car-01").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let drawn2 = draws::drawn(&st.areas.booking, &s2).unwrap();
    let sc = judge::sim::scenarios::all()
        .into_iter()
        .find(|s| s.name.starts_with("s2"))
        .unwrap();
    let lines: Vec<String> = sc
        .records
        .iter()
        .take(5)
        .map(|r| r.to_json_line())
        .collect();
    let start = |a: &AssignmentV1| {
        let ex = a.examiner.clone().unwrap();
        let exf = EXAMINERS.iter().find(|e| e.0 == ex).unwrap().1;
        Start {
            candidate: a.candidate.clone(),
            examiner: ex,
            course: sc.course.file().into(),
            vehicle: sc.vehicle.into(),
            standard: sc.standard.as_str().into(),
            region: sc.region.map(str::to_owned),
            identity: Some((
                s2.clone(),
                iso_impression(finger(&a.candidate), 2),
                iso_impression(exf, 3),
            )),
        }
    };
    let elsewhere = drawn2
        .iter()
        .find(|a| a.car.as_deref() == Some("car-02"))
        .unwrap();
    let err = car::drive(
        &base,
        "car-01",
        &car_token,
        &start(elsewhere),
        &lines,
        5,
        None,
    )
    .await
    .unwrap_err();
    let err = format!("{err:#}");
    assert!(
        err.contains("drawn to car car-02, not this car car-01") && err.contains("不是本车"),
        "{err}"
    );
    let mine = drawn2
        .iter()
        .find(|a| a.car.as_deref() == Some("car-01"))
        .unwrap();
    let o = tokio::time::timeout(
        Duration::from_secs(60),
        car::drive(&base, "car-01", &car_token, &start(mine), &lines, 5, None),
    )
    .await
    .unwrap()
    .unwrap();
    assert!(!o.session.is_empty());
    let ids = logged(&st, model::EventKind::DrivingIdentity).await;
    let passed: Vec<(bool, &str)> = ids
        .iter()
        .map(|v| {
            (
                v["passed"].as_bool().unwrap(),
                v["candidate"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        passed,
        [
            (false, elsewhere.candidate.as_str()),
            (true, mine.candidate.as_str())
        ]
    );
}
