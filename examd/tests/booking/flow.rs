//! Identify, book, the rules' refusals, the draw and its verification, over the API.

use std::process::Command;
use std::sync::atomic::Ordering;

use axum::http::StatusCode;
use booking::CandidateId;
use serde_json::{Value, json};

use super::{DAY_MS, book, call, candidate, day, get, open, post, register, step};
use crate::support::{examd_bin, test_site};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identify_book_refuse_draw_and_verify() {
    let t = test_site().await;
    let admin = t.login("ad").await;
    let people: Vec<CandidateId> = (0..4).map(CandidateId::synthetic).collect();
    for p in &people {
        register(&t, &admin, p).await;
    }
    // Identity: a wrong code is refused and logged; booking needs a login.
    let (s, _) = call(
        &t,
        post(
            "/api/v1/booking/login",
            "",
            json!({ "candidate": people[0].as_str(), "code": "123456" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = book(&t, "", "x").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let cs: Vec<String> = {
        let mut v = vec![];
        for p in &people {
            v.push(candidate(&t, &admin, p).await);
        }
        v
    };
    // Subject order: Subject 2 before Subject 1 is refused, naming the rule.
    open(&t, &admin, json!({ "session": "s2-early", "subject": "subject2", "day": day(&t, 3), "capacity": 5,
        "examiners": ["ex"], "per_examiner": 4, "group_size": 2, "cars": ["car-1"], "site_day_max": 100, "examiner_day_max": 40 })).await;
    let (s, v) = book(&t, &cs[0], "s2-early").await;
    assert_eq!(
        (s, v["rule"].as_str()),
        (StatusCode::CONFLICT, Some("subject-order")),
        "{v}"
    );
    // Subject 1 tomorrow: everyone books, the session runs, all pass.
    open(
        &t,
        &admin,
        json!({ "session": "s1", "subject": "subject1", "day": day(&t, 1), "capacity": 10,
        "site_day_max": 100, "examiner_day_max": 40 }),
    )
    .await;
    for c in &cs {
        let (s, v) = book(&t, c, "s1").await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let (s, v) = book(&t, &cs[0], "s1").await;
    assert_eq!(v["rule"], "open-booking", "{s} {v}");
    t.now.fetch_add(DAY_MS, Ordering::SeqCst);
    // Sessions expire (staff's and candidates'): log in again on the new day.
    let admin = t.login("ad").await;
    step(&t, &admin, "s1", "commit").await;
    let drawn = step(&t, &admin, "s1", "close").await;
    assert_eq!(drawn["assignments"].as_array().unwrap().len(), 4);
    for p in &people {
        let (s, v) = call(
            &t,
            post(
                "/api/v1/booking/sessions/s1/results",
                &admin,
                json!({ "candidate": p.as_str(), "outcome": "passed" }),
            ),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    step(&t, &admin, "s1", "finish").await;
    // Waiting period: Subject 2 only 10 days after the permit (C1).
    let mut cs = Vec::new();
    for p in &people {
        cs.push(candidate(&t, &admin, p).await);
    }
    let (s, v) = book(&t, &cs[0], "s2-early").await;
    assert_eq!(
        (s, v["rule"].as_str()),
        (StatusCode::CONFLICT, Some("waiting-period")),
        "{v}"
    );
    t.now.fetch_add(10 * DAY_MS, Ordering::SeqCst);
    let admin = t.login("ad").await;
    let mut cs = Vec::new();
    for p in &people {
        cs.push(candidate(&t, &admin, p).await);
    }
    // Capacity: two places, four candidates booking at once: exactly two get in.
    open(
        &t,
        &admin,
        json!({ "session": "s2", "subject": "subject2", "day": day(&t, 5), "capacity": 2,
        "examiners": ["ex", "ex2"], "per_examiner": 2, "group_size": 1, "cars": ["car-1", "car-2"],
        "site_day_max": 100, "examiner_day_max": 40 }),
    )
    .await;
    let results = futures::future::join_all(cs.iter().map(|c| book(&t, c, "s2"))).await;
    let ok = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    let full: Vec<_> = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CONFLICT)
        .collect();
    assert_eq!(ok, 2, "{results:?}");
    assert!(
        full.iter().all(|(_, v)| v["rule"] == "session-capacity"),
        "{full:?}"
    );
    // Cancellation: allowed up to the last working day before, then refused.
    let winner = cs
        .iter()
        .zip(&results)
        .find(|(_, (s, _))| *s == StatusCode::CREATED)
        .map(|(c, _)| c.clone())
        .unwrap();
    let (s, v) = call(
        &t,
        post(
            "/api/v1/booking/cancel",
            &winner,
            json!({ "session": "s2" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let loser = cs
        .iter()
        .zip(&results)
        .find(|(_, (s, _))| *s != StatusCode::CREATED)
        .map(|(c, _)| c.clone())
        .unwrap();
    let (s, v) = book(&t, &loser, "s2").await;
    assert_eq!(
        s,
        StatusCode::CREATED,
        "the cancelled place is free again: {v}"
    );
    t.now.fetch_add(5 * DAY_MS, Ordering::SeqCst);
    let admin = t.login("ad").await;
    let loser_id = &people[cs.iter().position(|c| *c == loser).unwrap()];
    let loser = candidate(&t, &admin, loser_id).await;
    let (s, v) = call(
        &t,
        post("/api/v1/booking/cancel", &loser, json!({ "session": "s2" })),
    )
    .await;
    assert_eq!(
        (s, v["rule"].as_str()),
        (StatusCode::CONFLICT, Some("cancel-one-working-day-before")),
        "{v}"
    );
    // The draw: closing before committing is refused; then commit, close, finish.
    let (s, v) = call(
        &t,
        post("/api/v1/booking/sessions/s2/close", &admin, json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let c = step(&t, &admin, "s2", "commit").await;
    let (_, public) = call(&t, get("/api/v1/booking/draws", "")).await;
    let listed = public["draws"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["session"] == "s2")
        .unwrap()
        .clone();
    assert_eq!(listed["commitment"], c["commitment"]);
    assert!(
        listed["seed"].is_null(),
        "the seed is secret until the sitting ends"
    );
    let (s, _) = call(
        &t,
        post("/api/v1/booking/sessions/s2/commit", &admin, json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "one commitment per session");
    let drawn = step(&t, &admin, "s2", "close").await;
    let a = drawn["assignments"].as_array().unwrap();
    assert_eq!(a.len(), 2);
    assert!(
        a.iter()
            .all(|x| x["examiner"].is_string() && x["car"].is_string())
    );
    let winner_id = &people[cs.iter().position(|c| *c == winner).unwrap()];
    let winner = candidate(&t, &admin, winner_id).await;
    let (s, v) = book(&t, &winner, "s2").await;
    // On the exam day itself nothing more can be booked (the roster is closed too).
    assert_eq!(
        (s, v["rule"].as_str()),
        (StatusCode::CONFLICT, Some("book-in-advance")),
        "{v}"
    );
    let fin = step(&t, &admin, "s2", "finish").await;
    let seed = booking::draw::Seed::from_hex(fin["seed"].as_str().unwrap()).unwrap();
    assert_eq!(
        booking::draw::commitment(&"s2".parse().unwrap(), &seed),
        c["commitment"].as_str().unwrap()
    );
    // No result was recorded: both are no-shows, which is a fail (ten-day wait).
    let (_, me) = call(&t, get("/api/v1/booking/me", &loser)).await;
    assert_eq!(me["bookings"][0]["result"], "no_show", "{me}");
    // Every draw verifies from the database and from an audit export, with the CLI.
    let (checked, errors) = examd::booking::verify::from_store(&*t.site.store)
        .await
        .unwrap()
        .finish();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(checked.len(), 2);
    assert!(
        checked.iter().all(|c| c.mismatches.is_empty()),
        "{checked:?}"
    );
    let dir = t._dir.path();
    let export = dir.join("log.export");
    let out = Command::new(examd_bin())
        .args(["audit", "export", "--site-id", "test-site", "--data-dir"])
        .arg(dir)
        .arg("--out")
        .arg(&export)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(examd_bin())
        .args(["draw", "verify", "--json", "--from"])
        .arg(&export)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(out.status.success(), "{v}");
    assert_eq!(v["draws"].as_array().unwrap().len(), 2, "{v}");
    // A restart rebuilds the same ledger from the log.
    let n = t.now.clone();
    let clock: examd::state::Clock =
        std::sync::Arc::new(move || model::UnixMs(n.load(Ordering::SeqCst)));
    let again = examd::app::state_of(&t.site, clock).await.unwrap();
    let booked = |st: &examd::state::AppState| {
        st.areas.booking.read(|l| {
            l.sessions
                .values()
                .map(|s| (s.spec.id.to_string(), s.booked.len(), s.closed))
                .collect::<Vec<_>>()
        })
    };
    assert_eq!(
        booked(&again),
        vec![
            ("s1".into(), 4, true),
            ("s2".into(), 2, true),
            ("s2-early".into(), 0, false),
        ]
    );
}
