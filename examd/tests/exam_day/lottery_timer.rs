//! Lottery windows drawn by the daemon when they close, once, across restarts.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use examd::state::{AppState, Clock};
use examd::{app, site};
use model::UnixMs;
use serde_json::Value;

use super::{NOW, logged, person, session, submit};
use crate::support::runtime;

/// A lottery session with an application close time is drawn by the daemon when the window
/// closes (logged like an administrator's allocation, `by: system`), once: a restart after the
/// close does not draw it again, and a window that closed while the daemon was down is drawn at
/// the next start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lottery_windows_close_on_time_once_across_restarts() {
    use examd::booking::{events::*, lottery, lottery_timer};
    let dir = tempfile::tempdir().unwrap();
    let time = Arc::new(AtomicI64::new(NOW));
    let t = time.clone();
    let clock: Clock = Arc::new(move || UnixMs(t.load(Ordering::SeqCst)));
    let start = || async {
        let site = site::open(runtime(dir.path()), clock.clone())
            .await
            .unwrap();
        let st = app::state_of(&site, clock.clone()).await.unwrap();
        (site, st)
    };
    let allocations =
        |st: AppState| async move { logged(&st, model::EventKind::BookingAllocated).await };
    let wait_for = |st: AppState, session: &'static str| async move {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while st.areas.booking.draw_state(session).lottery_seed.is_none() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "{session} never drawn"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    let (site, st) = start().await;
    let today = st.areas.booking.today();
    for (id, close_min) in [("lot-a", 60), ("lot-b", 120)] {
        let BookingEvent::SessionOpened(mut ev) =
            session(id, "subject1", today.plus_days(3), &[], &[], 1)
        else {
            unreachable!()
        };
        ev.capacity = 1;
        ev.times.applications_close = Some(NOW + close_min * 60_000);
        lottery::open(&st.areas.booking, ev).await.unwrap();
    }
    for (i, s) in [(0, "lot-a"), (1, "lot-a"), (2, "lot-b"), (3, "lot-b")] {
        let id = person(i).to_string();
        submit(
            &st,
            BookingEvent::Registered(RegisteredV1 {
                candidate: id.clone(),
                name: format!("考生{i}"),
                class: "C1".into(),
                adding_class: false,
                phone_sha256: audit::sha256(&[b"13800000000"]).to_hex(),
                by: "test".into(),
                at: NOW,
            }),
        )
        .await;
        submit(
            &st,
            BookingEvent::Applied(BookedV1 {
                candidate: id,
                session: s.into(),
                made_on: today.to_string(),
                at: NOW,
            }),
        )
        .await;
    }
    // Before the close nothing is drawn; at the close lot-a is, by the system.
    tokio::time::sleep(lottery_timer::EVERY * 3).await;
    assert!(allocations(st.clone()).await.is_empty());
    time.store(NOW + 60 * 60_000, Ordering::SeqCst);
    wait_for(st.clone(), "lot-a").await;
    let a = allocations(st.clone()).await;
    assert_eq!(a.len(), 1, "{a:?}");
    assert_eq!(
        (&a[0]["session"], &a[0]["by"]),
        (&Value::from("lot-a"), &Value::from("system"))
    );
    assert_eq!(
        (
            a[0]["winners"].as_array().unwrap().len(),
            a[0]["losers"].as_array().unwrap().len()
        ),
        (1, 1)
    );
    assert!(st.areas.booking.draw_state("lot-b").lottery_seed.is_none());
    st.areas.shutdown().await;
    site.log.clone().shutdown().await;
    drop(st);
    drop(site);
    // Down while lot-b's window closes: drawn once at the next start; lot-a is not drawn again.
    time.store(NOW + 180 * 60_000, Ordering::SeqCst);
    for round in 0..2 {
        let (site, st) = start().await;
        wait_for(st.clone(), "lot-b").await;
        tokio::time::sleep(lottery_timer::EVERY * 3).await;
        let a = allocations(st.clone()).await;
        let sessions: Vec<&str> = a.iter().map(|x| x["session"].as_str().unwrap()).collect();
        assert_eq!(sessions, ["lot-a", "lot-b"], "restart {round}");
        assert!(a.iter().all(|x| x["by"] == "system"), "{a:?}");
        st.areas.shutdown().await;
        site.log.clone().shutdown().await;
    }
}
