//! Lottery sessions: applications, allocation, notices and verification.

use std::sync::atomic::Ordering;

use axum::http::StatusCode;
use booking::CandidateId;
use serde_json::{Value, json};

use super::{book, call, candidate, day, get, open, post, register, step, verify_cli};
use crate::support::test_site;

/// A lottery session: applications checked by the rules, the places drawn at the window's
/// close (no over-booking), losers told so, the allocation logged and recomputed by
/// `examd draw verify`, and the same ledger after a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lottery_apply_allocate_notify_and_verify() {
    let t = test_site().await;
    let admin = t.login("ad").await;
    let people: Vec<CandidateId> = (20..26).map(CandidateId::synthetic).collect();
    for p in &people {
        register(&t, &admin, p).await;
    }
    let (s, v) = call(&t, post("/api/v1/booking/sessions", &admin, json!({ "session": "lot", "subject": "subject1",
        "day": day(&t, 3), "capacity": 2, "site_day_max": 100, "examiner_day_max": 40, "allocation": "raffle" }))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = call(&t, post("/api/v1/booking/sessions", &admin, json!({ "session": "lot", "subject": "subject1",
        "day": day(&t, 3), "capacity": 2, "site_day_max": 100, "examiner_day_max": 40, "allocation": "lottery" }))).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let commitment = v["commitment"].as_str().unwrap().to_owned();
    open(&t, &admin, json!({ "session": "lot-s2", "subject": "subject2", "day": day(&t, 20), "capacity": 2,
        "examiners": ["ex"], "per_examiner": 2, "cars": ["car-1"], "site_day_max": 100, "examiner_day_max": 40,
        "allocation": "lottery" })).await;
    open(
        &t,
        &admin,
        json!({ "session": "fc", "subject": "subject1", "day": day(&t, 4), "capacity": 5,
        "site_day_max": 100, "examiner_day_max": 40 }),
    )
    .await;
    let mut cs = Vec::new();
    for p in &people {
        cs.push(candidate(&t, &admin, p).await);
    }
    let apply = |who: &str, s: &str| {
        call(
            &t,
            post("/api/v1/booking/apply", who, json!({ "session": s })),
        )
    };
    // Booked, not applied for, and the other way round; the rules apply at application time.
    let (_, v) = book(&t, &cs[0], "lot").await;
    assert_eq!(v["rule"], "lottery-session", "{v}");
    let (_, v) = apply(&cs[0], "fc").await;
    assert_eq!(v["rule"], "application-window", "{v}");
    let (_, v) = apply(&cs[0], "lot-s2").await;
    assert_eq!(v["rule"], "subject-order", "{v}");
    for c in &cs[..5] {
        let (s, v) = apply(c, "lot").await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let (_, v) = apply(&cs[0], "lot").await;
    assert_eq!(v["rule"], "open-booking", "{v}");
    // Withdrawing an application.
    let (s, v) = call(
        &t,
        post(
            "/api/v1/booking/cancel",
            &cs[4],
            json!({ "session": "lot" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, me) = call(&t, get("/api/v1/booking/me", &cs[0])).await;
    assert_eq!(me["bookings"][0]["result"], "applied", "{me}");
    // The seed is committed before the window closes and secret until then.
    let (_, public) = call(&t, get("/api/v1/booking/draws", "")).await;
    let listed = public["lotteries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["session"] == "lot")
        .unwrap()
        .clone();
    assert_eq!(
        (listed["commitment"].as_str(), listed["seed"].is_null()),
        (Some(commitment.as_str()), true)
    );
    // The roster cannot close before the lottery; then the window closes with the draw.
    step(&t, &admin, "lot", "commit").await;
    let (s, v) = call(
        &t,
        post("/api/v1/booking/sessions/lot/close", &admin, json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let (s, v) = call(
        &t,
        post("/api/v1/booking/sessions/fc/allocate", &admin, json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "not a lottery: {v}");
    let a = step(&t, &admin, "lot", "allocate").await;
    let won: Vec<&str> = a["allocated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    let lost: Vec<&str> = a["not_allocated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert_eq!((won.len(), lost.len()), (2, 2), "{a}");
    let seed = booking::draw::Seed::from_hex(a["seed"].as_str().unwrap()).unwrap();
    assert_eq!(
        booking::lottery::commitment(&"lot".parse().unwrap(), &seed),
        commitment
    );
    let again = booking::lottery::allocate(&people[..4], 2, &seed);
    assert_eq!(
        again.winners.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        won
    );
    let (s, _) = call(
        &t,
        post("/api/v1/booking/sessions/lot/allocate", &admin, json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "one draw per window");
    let (_, v) = apply(&cs[5], "lot").await;
    assert_eq!(v["rule"], "application-window", "{v}");
    // Winners hold a booking; losers get the notice, and may book elsewhere at once.
    for (p, c) in people.iter().zip(&cs).take(4) {
        let (_, me) = call(&t, get("/api/v1/booking/me", c)).await;
        let b = &me["bookings"][0];
        if won.contains(&p.as_str()) {
            assert_eq!(
                (&b["result"], &b["notice"]),
                (&json!("pending"), &Value::Null),
                "{me}"
            );
        } else {
            assert_eq!(b["result"], "not_allocated", "{me}");
            assert!(b["notice"].as_str().unwrap().starts_with("未中签"), "{me}");
            assert!(
                b["notice_en"]
                    .as_str()
                    .unwrap()
                    .starts_with("Not allocated"),
                "{me}"
            );
            let (s, v) = book(&t, c, "fc").await;
            assert_eq!(s, StatusCode::CREATED, "{v}");
        }
    }
    let (_, sessions) = call(&t, get("/api/v1/booking/sessions", &admin)).await;
    let lot = sessions["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["session"] == "lot")
        .unwrap()
        .clone();
    assert_eq!(
        (
            &lot["booked"],
            &lot["lottery"]["applicants"],
            &lot["lottery"]["allocated"]
        ),
        (&json!(2), &json!(4), &json!(2)),
        "{lot}"
    );
    // The exam-day draw runs on the winners.
    let drawn = step(&t, &admin, "lot", "close").await;
    assert_eq!(drawn["assignments"].as_array().unwrap().len(), 2);
    let (code, v) = verify_cli(&t, None);
    assert_eq!(code, Some(0), "{v}");
    let l: Vec<&Value> = v["lotteries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["session"] == "lot")
        .collect();
    assert_eq!(
        (&l[0]["status"], &l[0]["applicants"], &l[0]["allocated"]),
        (&json!("verified"), &json!(4), &json!(2)),
        "{v}"
    );
    let l: Vec<&Value> = v["lotteries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["session"] == "lot-s2")
        .collect();
    assert_eq!(l[0]["status"], "pending", "{v}");
    // A restart rebuilds the same allocation from the log.
    let n = t.now.clone();
    let clock: examd::state::Clock =
        std::sync::Arc::new(move || model::UnixMs(n.load(Ordering::SeqCst)));
    let st = examd::app::state_of(&t.site, clock).await.unwrap();
    let booked = st
        .areas
        .booking
        .read(|l| l.sessions[&"lot".parse().unwrap()].booked.clone());
    assert_eq!(booked.iter().map(|c| c.as_str()).collect::<Vec<_>>(), won);
}
