//! Two Subject 1 sittings on one day, drawn in either order: the gate admits each sitting's
//! candidates inside that sitting's window only.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::http::StatusCode;
use examd::booking::draws;
use examd::booking::events::*;
use serde_json::Value;

use super::{NOW, at, book, call, day_site, gate_on, logged, person, scan, session, submit};

/// `ev` (a session opening) starting at `starts`, China time.
fn starting(ev: BookingEvent, starts: &str) -> BookingEvent {
    match ev {
        BookingEvent::SessionOpened(mut s) => {
            s.times.starts = Some(starts.into());
            BookingEvent::SessionOpened(s)
        }
        other => other,
    }
}

/// Two Subject 1 sittings on one day, drawn in either order: the gate admits each sitting's
/// candidates inside that sitting's window only, and refuses everyone else with the reason —
/// another day, not open yet, over, or drawn for a driving test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gate_admits_each_subject1_sitting_in_its_own_window() {
    for morning_first in [true, false] {
        let time = Arc::new(AtomicI64::new(NOW));
        let (_dir, st, router) = day_site(&time).await;
        let today = st.areas.booking.today();
        let day = today.plus_days(1);
        let (am, pm, s2) = (
            format!("{day}-s1-am"),
            format!("{day}-s1-pm"),
            format!("{day}-s2"),
        );
        submit(
            &st,
            starting(session(&am, "subject1", day, &[], &[], 2), "09:00"),
        )
        .await;
        submit(
            &st,
            starting(session(&pm, "subject1", day, &[], &[], 2), "14:00"),
        )
        .await;
        submit(
            &st,
            starting(
                session(&s2, "subject2", day, &["ex", "ex2"], &["car-01"], 1),
                "08:00",
            ),
        )
        .await;
        // Learners 0–1 sit the morning, 2–3 the afternoon; drivers 4–7 Subject 2.
        for i in 0..8 {
            let s = match i {
                0 | 1 => &am,
                2 | 3 => &pm,
                _ => &s2,
            };
            book(&st, i, s, today).await;
        }
        let order = if morning_first {
            [&am, &pm, &s2]
        } else {
            [&pm, &am, &s2]
        };
        for s in order {
            draws::commit(&st.areas.booking, s).await.unwrap();
            draws::close(&st, s, "test").await.unwrap();
        }
        let (_pty, token) = gate_on(&st).await;
        let (a, b, driver) = (
            person(0).to_string(),
            person(2).to_string(),
            person(6).to_string(),
        );
        let decide = |claim: &str| {
            let (router, token) = (router.clone(), token.clone());
            let claim = claim.to_owned();
            async move {
                let (s, v) = call(&router, scan(&token, &claim)).await;
                assert_eq!(s, StatusCode::OK, "{v}");
                v
            }
        };
        // The day before: not today.
        let v = decide(&a).await;
        assert_eq!(v["decision"], "not_today", "{v}");
        assert!(
            v["denied"]["message_en"]
                .as_str()
                .unwrap()
                .contains(&format!("{am} is on {day}, not today")),
            "{v}"
        );
        // 08:30: the morning is open, the afternoon not yet; the driver is sent to the car.
        time.store(at(day, 8, 30), Ordering::SeqCst);
        let v = decide(&b).await;
        assert_eq!(v["decision"], "sitting_not_open", "{v}");
        assert!(
            v["denied"]["message"]
                .as_str()
                .unwrap()
                .contains("13:00 开始入场"),
            "{v}"
        );
        let v = decide(&driver).await;
        assert_eq!(v["decision"], "driving_only", "{v}");
        let v = decide(&a).await;
        assert_eq!(
            (v["decision"].as_str(), &v["released"]),
            (Some("admit"), &Value::Bool(true)),
            "{v}"
        );
        // 13:30: the morning is over, the afternoon open (the decision is the gate's whoever
        // is still in the vestibule).
        time.store(at(day, 13, 30), Ordering::SeqCst);
        let v = decide(&person(1).to_string()).await;
        assert_eq!(v["decision"], "sitting_over", "{v}");
        assert_eq!(
            v["denied"]["message_en"],
            format!("Your sitting {am} stopped admitting at 09:15"),
            "{v}"
        );
        let v = decide(&b).await;
        assert_eq!(v["decision"], "admit", "{v}");
        // Every refusal is logged with its reason and sitting.
        let decisions = logged(&st, model::EventKind::GateDecision).await;
        let reasons: Vec<&str> = decisions
            .iter()
            .filter_map(|d| d["decision"].as_str())
            .filter(|d| *d != "admit")
            .collect();
        assert_eq!(
            reasons,
            [
                "not_today",
                "sitting_not_open",
                "driving_only",
                "sitting_over"
            ],
            "morning first: {morning_first}"
        );
        assert!(
            decisions
                .iter()
                .any(|d| d["decision"] == "sitting_not_open" && d["sitting"] == pm.as_str()),
            "{decisions:?}"
        );
        st.areas.gate.shutdown().await;
    }
}
