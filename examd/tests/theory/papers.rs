//! Sittings over the API: a pass and an early fail, logins by finger and the server's clock, finger
//! re-verification, replay of open papers after a restart.

use std::sync::atomic::Ordering;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use super::{
    EX_FINGER, answer, assigned, begin, count, finger_hex, finger_of, hall, kinds, open, press,
    req, seat_in, seat_state,
};
use crate::support::TestSite;

#[tokio::test]
async fn a_safety_paper_passes_and_a_subject1_paper_fails_early() {
    let (t, ex, sitting) = hall("safety", 0).await;
    let token = seat_in(&t, &ex, &sitting, "seat-1", "110101200001011234").await;
    let mut st = seat_state(&t, &token).await;
    assert_eq!(
        (
            st["status"].as_str(),
            st["total"].as_u64(),
            st["index"].as_u64()
        ),
        (Some("in_progress"), Some(50), Some(0))
    );
    // The clock is the server's: 45 minutes, minus what passed.
    assert_eq!(st["remaining_ms"], 2_700_000);
    t.now.fetch_add(61_000, Ordering::SeqCst);
    // 4 wrong answers are allowed (5 is the limit in safety theory), the rest right.
    for i in 0..50 {
        let (s, v) = answer(&t, &token, &st, i % 12 != 3).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        st = v;
    }
    assert_eq!(st["status"], "finished");
    assert_eq!(st["result"]["verdict"], "passed", "{st}");
    assert_eq!(st["result"]["score"], 92);
    // An answer to a finished paper is refused.
    let (s, _) = req(
        &t,
        "POST",
        "/api/v1/theory/seat/answer",
        &[("x-seat-token", &token)],
        Some(json!({"index": 0, "choice": "A"})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);

    let (s, v) = open(&t, &ex, "subject1", 0, EX_FINGER).await;
    assert_eq!(s, StatusCode::CREATED);
    let s1 = v["sitting"].as_str().unwrap().to_owned();
    let token2 = seat_in(&t, &ex, &s1, "seat-2", "candidate-2").await;
    let mut st = seat_state(&t, &token2).await;
    for n in 1..=11 {
        let (s, v) = answer(&t, &token2, &st, false).await;
        assert_eq!(s, StatusCode::OK);
        st = v;
        assert_eq!(
            st["status"] == "finished",
            n == 11,
            "after {n} wrong answers: {st}"
        );
    }
    assert_eq!(st["result"]["reason"], "pass_out_of_reach");
    assert_eq!(st["result"]["unanswered"], 89);
    // Every answer and question shown is an event; each result is one.
    let k = kinds(&t).await;
    assert_eq!(count(&k, model::EventKind::TheoryAnswerGiven), 61);
    assert_eq!(count(&k, model::EventKind::TheoryQuestionShown), 61);
    assert_eq!(count(&k, model::EventKind::TheoryResult), 2);
    // The examiner sees both results; a seat session cannot read the examiner's list.
    let (s, v) = req(
        &t,
        "GET",
        "/api/v1/theory/sittings",
        &[("cookie", &ex)],
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["sittings"].as_array().unwrap().len(), 2);
    let (s, _) = req(
        &t,
        "GET",
        "/api/v1/theory/sittings",
        &[("x-seat-token", &token)],
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logins_are_by_finger_and_time_runs_out_on_the_server() {
    let (t, ex, sitting) = hall("subject1", 0).await;
    // An examiner whose finger does not match cannot open a sitting; the refusal is logged.
    let (s, _) = open(&t, &ex, "subject1", 0, EX_FINGER + 1).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = req(
        &t,
        "POST",
        "/api/v1/theory/sittings",
        &[("cookie", &ex)],
        Some(json!({"exam": "subject1", "bank": "synthetic", "finger": "zz"})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(v["message_en"].as_str().unwrap().contains("hex"), "{v}");
    let reader = assigned(&t, &ex, &sitting, "seat-1", "c1").await;
    let other = assigned(&t, &ex, &sitting, "seat-2", "c2").await;
    // A candidate id the identity registry cannot hold is refused at assignment.
    let (s, _) = req(
        &t,
        "POST",
        &format!("/api/v1/theory/sittings/{sitting}/seats"),
        &[("cookie", &ex)],
        Some(json!({"seat": "seat-2", "candidate": "not an id"})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // No terminal waiting yet: the finger has nowhere to go.
    let (s, _) = press(&t, &reader, "seat-1", finger_of("c1"), 2).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let token = begin(&t, "seat-1").await;
    let (s, v) = req(
        &t,
        "POST",
        "/api/v1/theory/seat/answer",
        &[("x-seat-token", &token)],
        Some(json!({"index": 0, "choice": "A"})),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNAUTHORIZED,
        "no answers before the finger: {v}"
    );
    // Another seat's reader, the gate's device, a garbage record: refused.
    let (s, _) = press(&t, &other, "seat-1", finger_of("c1"), 2).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = press(&t, &t.device_token, "seat-1", finger_of("c1"), 2).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let r = Request::builder()
        .method("POST")
        .uri("/api/v1/theory/seat/finger?seat=seat-1")
        .header(header::AUTHORIZATION, format!("Bearer {reader}"))
        .body(Body::from(vec![0u8; 40]))
        .unwrap();
    assert_eq!(t.call(r).await.0, StatusCode::BAD_REQUEST);
    // c2's finger (and a stranger's) at c1's seat: refused with the score, counted; at three the
    // examiner is alerted.
    for (n, f) in [(1, finger_of("c2")), (2, 424_242), (3, finger_of("c2"))] {
        let (s, v) = press(&t, &reader, "seat-1", f, 3).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["matched"], false, "{v}");
        assert!(v["score"].as_f64().unwrap() < v["threshold"].as_f64().unwrap());
        assert_eq!(v["finger_failures"], n);
        assert_eq!(v["status"], "not_started");
    }
    let (_, v) = req(
        &t,
        "GET",
        "/api/v1/theory/sittings",
        &[("cookie", &ex)],
        None,
    )
    .await;
    let seat = &v["sittings"][0]["seats"][0];
    assert_eq!(seat["seat"], "seat-1");
    assert!(
        seat["alert"]
            .as_str()
            .unwrap()
            .contains("finger refused 3 times"),
        "{seat}"
    );
    assert_eq!(
        count(&kinds(&t).await, model::EventKind::TheoryFingerRefused),
        4
    );
    let (s, v) = req(
        &t,
        "GET",
        "/api/v1/theory/seat/state",
        &[("x-seat-token", &token)],
        None,
    )
    .await;
    assert_eq!(
        (s, &v["status"], &v["finger_failures"]),
        (StatusCode::OK, &json!("awaiting_finger"), &json!(3))
    );
    // c1's own finger: the waiting terminal becomes the seat session; the alert clears.
    let (s, v) = press(&t, &reader, "seat-1", finger_of("c1"), 5).await;
    assert_eq!(
        (s, &v["matched"], &v["status"]),
        (StatusCode::OK, &json!(true), &json!("in_progress")),
        "{v}"
    );
    assert!(v["alert"].is_null());
    let st = seat_state(&t, &token).await;
    assert_eq!(st["candidate"], "c1");
    // A seat session cannot act as an examiner.
    let (s, _) = req(
        &t,
        "POST",
        "/api/v1/theory/sittings",
        &[("x-seat-token", &token)],
        Some(json!({"exam": "subject1", "bank": "synthetic", "finger": finger_hex(EX_FINGER, 1)})),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Answer one; the browser then loses its session (crash): a new terminal begins and the
    // candidate's finger resumes at the same question; the old token no longer works.
    let (_, st) = answer(&t, &token, &st, true).await;
    let token2 = begin(&t, "seat-1").await;
    let (_, v) = req(
        &t,
        "GET",
        "/api/v1/theory/seat/state",
        &[("x-seat-token", &token2)],
        None,
    )
    .await;
    assert_eq!(
        (&v["status"], &v["resume"]),
        (&json!("awaiting_finger"), &json!(true))
    );
    let (_, v) = press(&t, &reader, "seat-1", finger_of("c1"), 6).await;
    assert_eq!(v["matched"], true, "{v}");
    let resumed = seat_state(&t, &token2).await;
    assert_eq!(
        (resumed["index"].as_u64(), &resumed["question"]),
        (Some(1), &st["question"])
    );
    let (s, _) = req(
        &t,
        "GET",
        "/api/v1/theory/seat/state",
        &[("x-seat-token", &token)],
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "the lost session is revoked");
    // The fallback: c2's finger cannot be read. The examiner may admit only after three refusals,
    // and only with their own finger; the login then names the examiner.
    let t2 = begin(&t, "seat-2").await;
    let admit = async |finger: u64| {
        req(
            &t,
            "POST",
            "/api/v1/theory/seats/seat-2/admit",
            &[("cookie", &ex)],
            Some(json!({"finger": finger_hex(finger, 8)})),
        )
        .await
    };
    assert_eq!(admit(EX_FINGER).await.0, StatusCode::CONFLICT);
    for n in 1..=3 {
        press(&t, &other, "seat-2", finger_of("c1"), n).await;
    }
    assert_eq!(admit(EX_FINGER + 1).await.0, StatusCode::FORBIDDEN);
    let (s, v) = admit(EX_FINGER).await;
    assert_eq!(
        (s, &v["status"]),
        (StatusCode::OK, &json!("in_progress")),
        "{v}"
    );
    assert_eq!(seat_state(&t, &t2).await["candidate"], "c2");
    let (s, events) = req(
        &t,
        "GET",
        "/api/v1/events?kind=theory.candidate_login",
        &[("cookie", &t.login("au").await)],
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let admitted: Vec<&Value> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["payload"]["seat"] == "seat-2")
        .collect();
    assert_eq!(admitted.len(), 1, "{events}");
    assert_eq!(admitted[0]["payload"]["examiner"], "ex");
    assert!(admitted[0]["payload"]["score"].is_null());
    // Let 45 minutes pass: the next request finds the paper over.
    t.now.fetch_add(45 * 60_000, Ordering::SeqCst);
    let v = seat_state(&t, &token2).await;
    assert_eq!(v["status"], "finished");
    assert_eq!(v["result"]["reason"], "time_up");
    assert_eq!(v["result"]["score"], 1);
    // A finished seat takes no more fingers or terminals.
    let (s, _) = press(&t, &reader, "seat-1", finger_of("c1"), 7).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = req(
        &t,
        "POST",
        "/api/v1/theory/seat/begin",
        &[],
        Some(json!({"seat": "seat-1"})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
}

#[tokio::test]
async fn failed_finger_reverification_pauses_the_clock_and_alerts_the_examiner() {
    let (t, ex, sitting) = hall("safety", 300).await;
    let reader = assigned(&t, &ex, &sitting, "seat-1", "c1").await;
    let token = begin(&t, "seat-1").await;
    press(&t, &reader, "seat-1", finger_of("c1"), 2).await;
    t.now.fetch_add(300_000, Ordering::SeqCst);
    let st = seat_state(&t, &token).await;
    assert_eq!(st["reverify_due"], true);
    let (s, _) = answer(&t, &token, &st, true).await;
    assert_eq!(
        s,
        StatusCode::CONFLICT,
        "no answers until identity is confirmed"
    );
    // Two wrong fingers: still due, still running; the third pauses the paper.
    for n in 1..=3u64 {
        let (_, v) = press(&t, &reader, "seat-1", finger_of("someone-else"), n).await;
        assert_eq!(v["matched"], false);
        assert_eq!(
            v["status"],
            if n < 3 { "in_progress" } else { "paused" },
            "{v}"
        );
    }
    let st = seat_state(&t, &token).await;
    assert_eq!(st["status"], "paused");
    let left = st["remaining_ms"].as_i64().unwrap();
    let (_, v) = req(
        &t,
        "GET",
        "/api/v1/theory/sittings",
        &[("cookie", &ex)],
        None,
    )
    .await;
    assert!(
        v["sittings"][0]["seats"][0]["alert"]
            .as_str()
            .unwrap()
            .contains("复核"),
        "{v}"
    );
    let k = kinds(&t).await;
    assert_eq!(count(&k, model::EventKind::TheoryReverifyFailed), 1);
    assert_eq!(count(&k, model::EventKind::TheoryFingerRefused), 3);
    // The examiner comes over; two minutes later the candidate's own finger resumes the paper
    // and the pause did not cost them time.
    t.now.fetch_add(120_000, Ordering::SeqCst);
    let (_, v) = press(&t, &reader, "seat-1", finger_of("c1"), 4).await;
    assert_eq!(
        (&v["matched"], &v["status"]),
        (&json!(true), &json!("in_progress")),
        "{v}"
    );
    let st = seat_state(&t, &token).await;
    assert_eq!(
        st["remaining_ms"].as_i64().unwrap(),
        left,
        "the pause did not cost the candidate time"
    );
    assert_eq!(st["reverify_due"], false);
    let (s, _) = answer(&t, &token, &st, true).await;
    assert_eq!(s, StatusCode::OK);
    // A re-check left unanswered past its grace fails on its own.
    t.now
        .fetch_add(300_000 + examd::theory::REVERIFY_GRACE_MS, Ordering::SeqCst);
    let mut paused = false;
    for _ in 0..40 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        if seat_state(&t, &token).await["status"] == "paused" {
            paused = true;
            break;
        }
    }
    assert!(paused, "the tick fails an unanswered re-check");
}

#[tokio::test]
async fn a_restart_rebuilds_every_open_paper_from_the_log() {
    let (t, ex, sitting) = hall("subject1", 0).await;
    let token = seat_in(&t, &ex, &sitting, "seat-1", "c1").await;
    let mut st = seat_state(&t, &token).await;
    for i in 0..7 {
        t.now.fetch_add(5_000, Ordering::SeqCst);
        st = answer(&t, &token, &st, i != 2).await.1;
    }
    let before = seat_state(&t, &token).await;
    // A second daemon state on the same site replays the log.
    let n = t.now.clone();
    let clock: examd::state::Clock =
        std::sync::Arc::new(move || model::UnixMs(n.load(Ordering::SeqCst)));
    let state = examd::app::state_of(&t.site, clock).await.unwrap();
    let t2 = TestSite {
        router: examd::app::router(state),
        ..t
    };
    let after = seat_state(&t2, &token).await;
    for f in [
        "index",
        "remaining_ms",
        "grid",
        "score",
        "status",
        "question",
    ] {
        assert_eq!(before[f], after[f], "{f} after replay");
    }
    assert_eq!(after["index"], 7);
    let (s, _) = answer(&t2, &token, &after, true).await;
    assert_eq!(s, StatusCode::OK);
}
