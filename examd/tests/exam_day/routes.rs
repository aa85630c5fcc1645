//! The drawn route selects the course map a Subject 3 drive is judged on.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use examd::booking::draws;
use examd::booking::events::*;
use examd::driving::car::{self, Start};
use examd::gate::synth::iso_impression;
use serde_json::Value;

use super::{NOW, at, book, day_site, device, logged, person, session, submit};

/// The drawn route selects the course map: a Subject 3 candidate drawn to route B is judged on
/// route B's map whatever map the car names, and a drawn route without a map refuses the start,
/// naming the route.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subject3_drive_is_judged_on_its_drawn_routes_map() {
    let time = Arc::new(AtomicI64::new(NOW));
    let (_dir, st, router) = day_site(&time).await;
    let today = st.areas.booking.today();
    let day = today.plus_days(1);
    let (b, z) = (format!("{day}-s3-b"), format!("{day}-s3-z"));
    for (id, ex, route) in [(&b, "ex", "route-b"), (&z, "ex2", "route-z")] {
        let mut ev = session(id, "subject3", day, &[ex], &["car-01"], 1);
        if let BookingEvent::SessionOpened(s) = &mut ev {
            s.routes = vec![route.into()];
        }
        submit(&st, ev).await;
    }
    book(&st, 4, &b, today).await;
    book(&st, 6, &z, today).await;
    for s in [&b, &z] {
        draws::commit(&st.areas.booking, s).await.unwrap();
        let drawn = draws::close(&st, s, "test").await.unwrap();
        assert_eq!(drawn.len(), 1, "{s}: {drawn:?}");
    }
    time.store(at(day, 9, 0), Ordering::SeqCst);
    let car_token = device(&st, "car-01").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let lines: Vec<String> = examd::driving::routes::route_b_drive(45.0)
        .iter()
        .map(|r| r.to_json_line())
        .collect();
    let start = |sitting: &str, who: u32, ex: &str, exf: u64| Start {
        candidate: person(who).to_string(),
        examiner: ex.into(),
        // The car names the first route's map: the drawn route's map replaces it.
        course: "course-s3".into(),
        vehicle: "vehicle-c1".into(),
        standard: "GA1026-2017".into(),
        region: None,
        identity: Some((
            sitting.to_owned(),
            iso_impression(100 + u64::from(who), 2),
            iso_impression(exf, 3),
        )),
    };
    let o = tokio::time::timeout(
        Duration::from_secs(60),
        car::drive(
            &base,
            "car-01",
            &car_token,
            &start(&b, 4, "ex", 900),
            &lines,
            20,
            None,
        ),
    )
    .await
    .unwrap()
    .unwrap();
    let codes: Vec<&str> = o
        .verdict
        .deductions
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert!(
        codes.contains(&"30116"),
        "judged on route B's 40 km/h stretch: {codes:?}"
    );
    let started = logged(&st, model::EventKind::DrivingSessionStarted).await;
    assert_eq!(started.len(), 1, "{started:?}");
    assert_eq!(started[0]["course"]["name"], "course-s3-b", "{started:?}");
    let ids = logged(&st, model::EventKind::DrivingIdentity).await;
    assert_eq!(ids[0]["route"], "route-b", "{ids:?}");
    // Route Z has no map: the start is refused, naming it, and logged.
    let err = car::drive(
        &base,
        "car-01",
        &car_token,
        &start(&z, 6, "ex2", 902),
        &lines,
        20,
        None,
    )
    .await
    .unwrap_err();
    let err = format!("{err:#}");
    assert!(
        err.contains("the drawn route route-z has no course map")
            && err.contains("route-z 没有配置"),
        "{err}"
    );
    let ids = logged(&st, model::EventKind::DrivingIdentity).await;
    assert_eq!(
        (ids.len(), &ids[1]["passed"], &ids[1]["route"]),
        (2, &Value::Bool(false), &Value::from("route-z")),
        "{ids:?}"
    );
}
