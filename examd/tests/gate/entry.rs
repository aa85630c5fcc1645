//! Entry through the two doors: admission at A and B with a seat, the stand-in alarm, tailgating, three
//! failed tries and the examiner's override.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use gate::DoorId;

use super::{EXAMINER_FINGER, rig, vestibule};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_candidate_enters_by_a_is_checked_again_at_b_and_gets_a_seat() {
    let g = rig(10, 2_000).await;
    let out = g.scan("A", Some("c3"), 3, 1).await;
    assert_eq!(out["decision"], "admit", "{out}");
    assert_eq!(out["released"], true);
    assert!(out["seq"].as_u64().is_some(), "answered once durable");
    assert!(out["release_us"].as_u64().is_some());
    g.walk_through(DoorId::A).await;
    let s = g.until("c3 inside", |s| vestibule(s) == ["c3"]).await;
    assert_eq!(s["doors"][1]["state"], "closed_locked");
    // Door B: somebody else's finger is not the person who entered.
    let out = g.scan("B", None, 4, 1).await;
    assert_eq!(out["decision"], "retry", "{out}");
    let out = g.scan("B", None, 3, 2).await;
    assert_eq!(out["decision"], "admit", "{out}");
    assert_eq!(out["candidate"], "c3");
    g.walk_through(DoorId::B).await;
    let s = g
        .until("c3 admitted with a seat", |s| {
            vestibule(s).is_empty() && !s["seats"].as_array().unwrap().is_empty()
        })
        .await;
    assert_eq!(s["seats"][0]["seat"], "H1-001");
    let ev = g
        .event("gate.seat_assigned", |p| p["seat"] == "H1-001")
        .await;
    let kinds: Vec<&str> = ev.iter().map(|(k, _)| k.as_str()).collect();
    for k in [
        "gate.started",
        "gate.scan",
        "gate.decision",
        "gate.command",
        "gate.input",
        "gate.notice",
        "gate.seat_assigned",
    ] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    assert!(
        ev.iter()
            .any(|(k, p)| k == "gate.notice" && p["notice"] == "admitted")
    );
    assert!(
        ev.iter()
            .any(|(k, p)| k == "gate.command" && p["command"] == "release" && p["door"] == "B")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stand_in_raises_an_alarm_that_an_examiner_acknowledges_and_refuses() {
    let g = rig(10, 2_000).await;
    // c2 claims, but the finger is c5's: a 1:N hit on another roster candidate.
    let out = g.scan("A", Some("c2"), 5, 1).await;
    assert_eq!(out["decision"], "stand_in_alarm", "{out}");
    assert_eq!(out["released"], false);
    assert!(!g.pty.handle().released(DoorId::A));
    // Scanning has ended until an examiner decides.
    let out = g.scan("A", Some("c2"), 2, 1).await;
    assert_eq!(out["decision"], "awaiting_examiner", "{out}");
    let s = g.status().await;
    let alarm = s["alarms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "stand_in")
        .expect("stand-in alarm")
        .clone();
    assert_eq!(alarm["detail"]["matched_other"], "c5");
    // Someone else's finger does not count as the examiner's.
    let (st, out) = g
        .examiner("/api/v1/gate/override?door=A&examiner=ex&admit=false", 5)
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(out["decision"], "override_rejected", "{out}");
    let (_, out) = g
        .examiner(
            "/api/v1/gate/override?door=A&examiner=ex&admit=false",
            EXAMINER_FINGER,
        )
        .await;
    assert_eq!(out["decision"], "refused", "{out}");
    // Acknowledge the alarm from the console.
    let id = alarm["id"].as_u64().unwrap();
    let req = Request::post(format!("/api/v1/gate/alarms/{id}/ack"))
        .header(header::COOKIE, &g.cookie)
        .body(Body::empty())
        .unwrap();
    let (st, _) = g.call(req).await;
    assert_eq!(st, StatusCode::OK);
    let s = g.status().await;
    assert!(
        s["alarms"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["id"] != id),
        "acknowledged alarms leave the list"
    );
    // Devices may not acknowledge.
    let req = Request::post(format!("/api/v1/gate/alarms/{id}/ack"))
        .header(header::AUTHORIZATION, format!("Bearer {}", g.token))
        .body(Body::empty())
        .unwrap();
    assert_eq!(g.call(req).await.0, StatusCode::FORBIDDEN);
    let ev = g
        .event("gate.alarm_ack", |p| p["alarm"] == "stand_in")
        .await;
    assert!(
        ev.iter()
            .any(|(k, p)| k == "gate.alarm" && p["alarm"] == "stand_in")
    );
    assert!(
        ev.iter()
            .any(|(k, p)| k == "gate.alarm_ack" && p["alarm"] == "stand_in")
    );
    assert!(
        ev.iter().any(|(k, p)| k == "gate.decision"
            && p["decision"] == "refused"
            && p["examiner"] == "ex")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_candidate_scanning_while_the_vestibule_is_occupied_is_a_tailgating_alarm() {
    let g = rig(10, 2_000).await;
    assert_eq!(g.scan("A", Some("c1"), 1, 1).await["decision"], "admit");
    g.walk_through(DoorId::A).await;
    g.until("c1 inside", |s| vestibule(s) == ["c1"]).await;
    // c2 is genuine but the vestibule holds c1: the door stays shut and the tailgating sign is raised.
    let out = g.scan("A", Some("c2"), 2, 1).await;
    assert_eq!(out["decision"], "admit");
    assert_eq!(out["released"], false, "{out}");
    assert_eq!(out["denied"], "vestibule_occupied");
    let s = g.status().await;
    assert!(
        s["alarms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "tailgating"),
        "{s:#}"
    );
    // A tailgater pulls door A open again behind c1, within c1's grant window: the door cycled twice on one
    // grant, someone unidentified is inside, and B stays shut until an examiner clears the vestibule.
    g.pty.handle().force(DoorId::A);
    g.until("door cycled twice", |s| {
        s["alarms"].as_array().unwrap().iter().any(|a| {
            a["kind"] == "tailgating" && !a["detail"]["sign"]["door_cycled_twice"].is_null()
        })
    })
    .await;
    g.pty.handle().shut(DoorId::A);
    let s = g
        .until("unidentified inside", |s| {
            vestibule(s).contains(&"unidentified".to_owned())
        })
        .await;
    assert_eq!(vestibule(&s), ["c1", "unidentified"]);
    let out = g.scan("B", None, 1, 2).await;
    assert_eq!(out["decision"], "admit");
    assert_eq!(
        out["released"], false,
        "B stays shut with an unidentified occupant: {out}"
    );
    let (st, out) = g
        .examiner("/api/v1/gate/clear?examiner=ex", EXAMINER_FINGER)
        .await;
    assert_eq!((st, out["cleared"].as_bool()), (StatusCode::OK, Some(true)));
    g.until("vestibule cleared", |s| vestibule(s).is_empty())
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_failed_tries_need_the_examiners_own_finger_to_admit() {
    let g = rig(10, 2_000).await;
    // c6 is on the roster, but the finger matches nobody (a worn finger, a bad placement).
    assert_eq!(g.scan("A", Some("c6"), 555, 1).await["decision"], "retry");
    assert_eq!(g.scan("A", Some("c6"), 555, 2).await["tries_left"], 1);
    assert_eq!(
        g.scan("A", Some("c6"), 555, 3).await["decision"],
        "needs_override"
    );
    assert_eq!(
        g.scan("A", Some("c6"), 6, 3).await["decision"],
        "awaiting_examiner"
    );
    // Not on the roster at all.
    assert_eq!(
        g.scan("A", Some("zz"), 6, 3).await["decision"],
        "not_on_roster"
    );
    let (_, out) = g
        .examiner(
            "/api/v1/gate/override?door=A&examiner=ex&admit=true",
            EXAMINER_FINGER,
        )
        .await;
    assert_eq!(out["decision"], "admit", "{out}");
    assert_eq!(out["released"], true);
    assert!(g.pty.handle().released(DoorId::A));
    let ev = g.event("gate.decision", |p| p["decision"] == "admit").await;
    let admit = ev
        .iter()
        .find(|(k, p)| k == "gate.decision" && p["decision"] == "admit")
        .unwrap();
    assert_eq!(admit.1["admission"]["how"], "override");
    assert_eq!(admit.1["admission"]["examiner"], "ex");
}
